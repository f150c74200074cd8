import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { eventually, postgresUrl } from '@patinox/test-servers';
import { Pool, type ConnectionManager } from '../src/index.js';

// Real PostgreSQL on loopback: many callers, and backends killed by the server mid-load.
const appName = `patinox-pool-test-${process.pid}`;

function pgManager(): ConnectionManager<pg.Client> {
  return {
    async create(signal) {
      const client = new pg.Client({ connectionString: postgresUrl(), application_name: appName });
      // A client can report an error after it left the pool (while ending): never let it crash the process.
      client.on('error', () => undefined);
      const onAbort = (): void => {
        void client.end().catch(() => undefined);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await client.connect();
        return client;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    isValid: (client) => client.query('SELECT 1').then(
      () => true,
      () => false,
    ),
    destroy: (client) => client.end(),
    watch: (client, onError) => {
      client.on('error', onError);
      return () => client.off('error', onError);
    },
  };
}

describe('Pool with real PostgreSQL connections (pg)', () => {
  const admin = new pg.Client({ connectionString: postgresUrl() });
  const backends = async (): Promise<number[]> =>
    (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [appName])).rows.map((r) => r.pid);
  const terminateAll = async (): Promise<number> =>
    (await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [appName])).rowCount ?? 0;

  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
  });

  it('serves 1000 concurrent callers through a pool of 20', async () => {
    const pool = new Pool(pgManager(), { maxSize: 20, acquireTimeoutMs: 15_000 });
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => pool.use(async (client) => (await client.query<{ n: number }>('SELECT $1::int AS n', [i])).rows[0]!.n)),
    );
    expect(results).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const stats = pool.stats();
    expect(stats.size).toBeLessThanOrEqual(20);
    expect(stats).toMatchObject({ acquired: 1000, timeouts: 0, waiting: 0 });
    expect((await backends()).length).toBeLessThanOrEqual(20);
    await pool.close();
    await eventually(async () => (await backends()).length === 0, { timeoutMs: 5000 });
  });

  it('detects backends killed with pg_terminate_backend mid-load, replaces them, and never hangs a caller', async () => {
    const pool = new Pool(pgManager(), { minSize: 3, maxSize: 8, acquireTimeoutMs: 5000, validationSkipWindowMs: 0 });
    let failed = 0;
    const call = async (i: number): Promise<number> => {
      const loan = await pool.acquire();
      try {
        const n = (await loan.connection.query<{ n: number }>('SELECT pg_sleep(0.002), $1::int AS n', [i])).rows[0]!.n;
        loan.release();
        return n;
      } catch (error) {
        failed += 1;
        loan.destroy(error);
        throw error;
      }
    };
    const load = Array.from({ length: 400 }, (_, i) => call(i));
    await eventually(() => pool.stats().acquired >= 50, { timeoutMs: 10_000 });
    const killedMidLoad = await terminateAll();
    expect(killedMidLoad).toBeGreaterThan(0);
    const outcomes = await Promise.allSettled(load);
    const ok = outcomes.filter((o) => o.status === 'fulfilled').length;
    expect(ok + failed).toBe(400);
    expect(ok).toBeGreaterThan(0);
    expect(pool.stats().destroyed).toBeGreaterThanOrEqual(killedMidLoad);

    // Idle connections killed by the server are evicted and minSize is restored without any acquire.
    await eventually(() => pool.stats().idle >= 3, { timeoutMs: 5000 });
    const createdBefore = pool.stats().created;
    const killed = await terminateAll();
    expect(killed).toBeGreaterThanOrEqual(3);
    await eventually(() => pool.stats().created >= createdBefore + 3 && pool.stats().idle >= 3, { timeoutMs: 5000 });

    // Every caller after the kills succeeds on fresh backends.
    const after = await Promise.all(Array.from({ length: 50 }, (_, i) => call(i)));
    expect(after).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(pool.stats().size).toBeLessThanOrEqual(8);
    expect((await backends()).length).toBeLessThanOrEqual(8);
    await pool.close();
  });
});
