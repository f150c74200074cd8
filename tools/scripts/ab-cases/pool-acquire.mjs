// bench-ab.mjs case: a warm pool of 10 plain objects, one acquire + release at a time (no tracer set).
const manager = { create: () => Promise.resolve({}), isValid: () => true, destroy: () => undefined };

export const cases = [
  {
    name: 'sequential acquire+release, no tracer',
    ops: 200_000,
    async setup(pkg) {
      const pool = new pkg.Pool(manager, { maxSize: 10, acquireTimeoutMs: 30_000 });
      (await pool.acquire()).release();
      return pool;
    },
    async batch(pool, n) {
      for (let i = 0; i < n; i += 1) (await pool.acquire()).release();
    },
    teardown: (pool) => pool.close(),
  },
  {
    name: 'use(fn), no tracer',
    ops: 200_000,
    async setup(pkg) {
      const pool = new pkg.Pool(manager, { maxSize: 10, acquireTimeoutMs: 30_000 });
      (await pool.acquire()).release();
      return pool;
    },
    async batch(pool, n) {
      const fn = () => 1;
      for (let i = 0; i < n; i += 1) await pool.use(fn);
    },
    teardown: (pool) => pool.close(),
  },
];
