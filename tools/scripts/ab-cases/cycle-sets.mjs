// Shared by the bench-ab.mjs cases that measure the in-process Cache's set with eviction: a cache of
// `entries` filled with the first keys, then every set stores the next key of a cycle over all of
// `keys` (so each set evicts once the cycle has passed the fill).

/** One bench-ab case: `name`, `ops` and `warmup` as bench-ab.mjs reads them, `options` for the Cache. */
export function cycleSetsCase({ name, keys, entries, options = {}, ops, warmup }) {
  return {
    name,
    ops,
    warmup,
    setup(pkg) {
      const cache = new pkg.Cache({ maxEntries: entries, ...options });
      for (let i = 0; i < entries; i += 1) cache.set(keys[i], i);
      return { cache, cursor: entries };
    },
    batch(s, n) {
      const { cache } = s;
      let cursor = s.cursor;
      for (let i = 0; i < n; i += 1) {
        cache.set(keys[cursor], cursor);
        cursor = cursor + 1 === keys.length ? 0 : cursor + 1;
      }
      s.cursor = cursor;
    },
    teardown: (s) => s.cache.close(),
  };
}
