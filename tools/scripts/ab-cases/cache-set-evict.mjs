// bench-ab.mjs case: the in-process Cache's set with eviction as cache.bench.ts measures it (100k
// entries, every set stores a key set 300k sets earlier, a cycle over 400k keys), for the default
// policy and 'lru', with both key shapes: `user:<n>:profile` and numeric strings.
const N = 100_000;
const SPAN = 4 * N;
const shapes = {
  'user:<n>:profile': (i) => `user:${i}:profile`,
  '<n>': (i) => String(i),
};

export const cases = Object.entries(shapes).flatMap(([shape, keyOf]) => {
  const keys = Array.from({ length: SPAN }, (_, i) => keyOf(i));
  return [undefined, 'lru'].map((policy) => ({
    name: `Cache set-evict, ${policy ?? 'default policy'}, keys ${shape}`,
    ops: 1_000_000,
    warmup: 400_000,
    setup(pkg) {
      const cache = new pkg.Cache({ maxEntries: N, cleanupIntervalMs: 0, ...(policy === undefined ? {} : { evictionPolicy: policy }) });
      for (let i = 0; i < N; i += 1) cache.set(keys[i], i);
      return { cache, cursor: N };
    },
    batch(s, n) {
      const { cache } = s;
      let cursor = s.cursor;
      for (let i = 0; i < n; i += 1) {
        cache.set(keys[cursor], cursor);
        cursor = cursor + 1 === SPAN ? 0 : cursor + 1;
      }
      s.cursor = cursor;
    },
    teardown: (s) => s.cache.close(),
  }));
});
