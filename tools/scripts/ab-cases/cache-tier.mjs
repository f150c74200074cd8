// bench-ab.mjs case: TieredCache over the in-memory L2 backend (no network noise), no tracer set:
// get answered by L1, set (L1 + L2 write), and getOrLoad answered by L1.
const KEYS = Array.from({ length: 1024 }, (_, i) => `user:${i}:profile`);
const value = { id: 1, name: 'Ada Lovelace', roles: ['admin'] };

async function tier(pkg, namespace) {
  const cache = new pkg.TieredCache({ l2: new pkg.MemoryBackend(), namespace });
  for (const key of KEYS) await cache.set(key, value, { ttlMs: 3_600_000 });
  return cache;
}
const loader = () => value;

export const cases = [
  {
    name: 'TieredCache get, L1 hit, no tracer',
    entry: 'dist/esm/tiered/index.js',
    ops: 200_000,
    setup: (pkg) => tier(pkg, 'ab-get'),
    async batch(cache, n) {
      for (let i = 0; i < n; i += 1) await cache.get(KEYS[i & 1023]);
    },
    teardown: (cache) => cache.close(),
  },
  {
    name: 'TieredCache getOrLoad, L1 hit, no tracer',
    entry: 'dist/esm/tiered/index.js',
    ops: 200_000,
    setup: (pkg) => tier(pkg, 'ab-load'),
    async batch(cache, n) {
      for (let i = 0; i < n; i += 1) await cache.getOrLoad(KEYS[i & 1023], loader);
    },
    teardown: (cache) => cache.close(),
  },
  {
    name: 'TieredCache set (memory L2), no tracer',
    entry: 'dist/esm/tiered/index.js',
    ops: 50_000,
    warmup: 50_000,
    setup: (pkg) => tier(pkg, 'ab-set'),
    async batch(cache, n) {
      for (let i = 0; i < n; i += 1) await cache.set(KEYS[i & 1023], value, { ttlMs: 3_600_000 });
    },
    teardown: (cache) => cache.close(),
  },
];
