// bench-ab.mjs case: Cache.set with a per-call options bag (the path that reads `ttlMs`, `tags`…), on
// resident keys (an update: no eviction), so the bag's handling is a visible share of the call. Two
// bags: a fresh `{ ttlMs }` literal per call, and one `{ ttlMs, tags }` bag shared by every call.
const N = 10_000;
const keys = Array.from({ length: N }, (_, i) => `user:${i}:profile`);
const shared = { ttlMs: 60_000, tags: ['users'] };

function setCase(name, call) {
  return {
    name,
    ops: 1_000_000,
    warmup: 500_000,
    setup(pkg) {
      const cache = new pkg.Cache({ maxEntries: N, cleanupIntervalMs: 0 });
      for (let i = 0; i < N; i += 1) cache.set(keys[i], i);
      return { cache, cursor: 0 };
    },
    batch(s, n) {
      const { cache } = s;
      let cursor = s.cursor;
      for (let i = 0; i < n; i += 1) {
        call(cache, keys[cursor], cursor);
        cursor = cursor + 1 === N ? 0 : cursor + 1;
      }
      s.cursor = cursor;
    },
    teardown: (s) => s.cache.close(),
  };
}

export const cases = [
  setCase('Cache set (update), fresh { ttlMs } per call', (cache, key, i) => cache.set(key, i, { ttlMs: 60_000 })),
  setCase('Cache set (update), one shared { ttlMs, tags } bag', (cache, key, i) => cache.set(key, i, shared)),
  setCase('Cache set (update), no options', (cache, key, i) => cache.set(key, i)),
];
