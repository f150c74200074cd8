import { describe, expect, it } from '@jest/globals';
import { Pool } from '../src/index.js';

describe('README quick start', () => {
  it('runs as written', async () => {
    const log: string[] = [];
    const console = { log: (...args: unknown[]) => log.push(args.join(' ')) };
    // --- quick start (keep in sync with README.md) ---
    const pool = new Pool(
      { create: async () => ({ query: async (sql: string) => `result of ${sql}` }), isValid: () => true, destroy: () => undefined },
      { maxSize: 10, acquireTimeoutMs: 2000 },
    );
    console.log(await pool.use((db) => db.query('SELECT 1')));
    const loan = await pool.acquire();
    try {
      console.log(await loan.connection.query('SELECT 2'));
    } finally {
      loan.release();
    }
    console.log(pool.stats().acquired, 'loans');
    await pool.close({ deadlineMs: 5000 });
    // --- end of quick start ---
    expect(log).toEqual(['result of SELECT 1', 'result of SELECT 2', '2 loans']);
  });
});
