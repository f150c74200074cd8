// bench-ab.mjs case: the held-loan case of packages/pool/bench/pool.bench.ts (2b) — 1000 concurrent loops
// on a warm pool of 10, each loan held across one setImmediate, so nearly every acquire queues and every
// release hands its connection to a queued caller. ns per acquire+release (no tracer set).
const manager = { create: () => Promise.resolve({}), isValid: () => true, destroy: () => undefined };
const LOOPS = 1000;
const turn = () => new Promise((resolve) => setImmediate(resolve));

export const cases = [
  {
    name: 'held-loan hand-off, 1000 loops on 10 connections',
    ops: 50_000,
    warmup: 50_000,
    async setup(pkg) {
      const pool = new pkg.Pool(manager, { maxSize: 10, acquireTimeoutMs: 30_000 });
      const loans = await Promise.all(Array.from({ length: 10 }, () => pool.acquire()));
      for (const loan of loans) loan.release();
      return pool;
    },
    async batch(pool, n) {
      const perLoop = Math.ceil(n / LOOPS);
      await Promise.all(
        Array.from({ length: LOOPS }, async () => {
          for (let i = 0; i < perLoop; i += 1) {
            const loan = await pool.acquire();
            await turn();
            loan.release();
          }
        }),
      );
    },
    teardown: (pool) => pool.close(),
  },
];
