import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { postgresUrl } from '@patinox/test-servers';
import { PostgresStore } from '../src/backends/postgres.js';

// PostgresStore on its own: expired rows are purged (on demand or by an unref'ed timer), and a closed
// store refuses work with CACHE_CLOSED whether it owns its pool or not.
describe('PostgresStore: purging expired rows, and after close', () => {
  const table = `patinox_purge_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: postgresUrl(), max: 2 });
  });

  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${table}"`);
    await pool.end();
  });

  const rows = async (): Promise<string[]> => (await pool.query<{ key: string }>(`SELECT key FROM "${table}" ORDER BY key`)).rows.map((r) => r.key);

  it('purgeExpired deletes the rows whose expiry has passed and says how many', async () => {
    const store = new PostgresStore({ pool, table });
    await store.init();
    await store.set('a', 1, 1);
    await store.set('b', 2, 1);
    await store.set('c', 3, 60_000);
    await store.set('d', 4);
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.purgeExpired()).toBe(2);
    expect(await rows()).toEqual(['c', 'd']);
    expect(await store.purgeExpired()).toBe(0);
    await store.clear('');
    await store.close();
  });

  it('init creates an index on the expiry, so a purge does not scan the table', async () => {
    const store = new PostgresStore({ pool, table });
    await store.init();
    await store.init(); // twice is fine
    const { rows: indexes } = await pool.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE tablename = $1', [table]);
    expect(indexes.some((i) => i.indexdef.includes('(expires_at)'))).toBe(true);
    await store.close();
  });

  it('purgeIntervalMs purges on an unref’ed timer that close() stops', async () => {
    const store = new PostgresStore({ pool, table, purgeIntervalMs: 25 });
    await store.init();
    await store.set('gone', 1, 1);
    await store.set('kept', 1, 60_000);
    const deadline = Date.now() + 3_000;
    while ((await rows()).includes('gone') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(await rows()).toEqual(['kept']);
    await store.close();
    await pool.query(`DELETE FROM "${table}"`);
  });

  it('a failing timed purge goes to onPurgeError and the timer keeps going', async () => {
    const errors: unknown[] = [];
    const store = new PostgresStore({ pool, table: `${table}_missing`, purgeIntervalMs: 10, onPurgeError: (e) => errors.push(e) });
    const deadline = Date.now() + 3_000;
    while (errors.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await store.close();
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(String(errors[0])).toMatch(/does not exist/);
    // close() stopped the timer: no purge runs after it.
    const seen = errors.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(errors.length).toBe(seen);
  });

  it('the purge timer does not keep an idle process alive', async () => {
    // A child that opens a store with a timer, runs one query and ends its pool, never calling close(): it must exit on its own.
    const script = `
      const { PostgresStore } = await import(${JSON.stringify(new URL('../dist/esm/backends/postgres.js', import.meta.url).href)});
      const pg = (await import('pg')).default;
      const pool = new pg.Pool({ connectionString: ${JSON.stringify(postgresUrl())}, max: 1 });
      const store = new PostgresStore({ pool, table: ${JSON.stringify(table)}, purgeIntervalMs: 50 });
      await store.init();
      await store.get('k');
      await pool.end();
    `;
    const { spawnSync } = await import('node:child_process');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url).pathname, timeout: 10_000, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
  });

  it('checks purgeIntervalMs and onPurgeError', () => {
    expect(() => new PostgresStore({ pool, purgeIntervalMs: -1 })).toThrow('purgeIntervalMs');
    expect(() => new PostgresStore({ pool, purgeIntervalMs: Number.NaN })).toThrow('purgeIntervalMs');
    expect(() => new PostgresStore({ pool, onPurgeError: 5 as never })).toThrow('onPurgeError');
  });

  it('a closed store refuses every call with CACHE_CLOSED, with a pool passed in as with its own', async () => {
    for (const store of [new PostgresStore({ pool, table }), new PostgresStore({ connectionString: postgresUrl(), table })]) {
      await store.close();
      for (const call of [() => store.set('k', 1), () => store.get('k'), () => store.delete('k'), () => store.clear(''), () => store.purgeExpired(), () => store.init()]) {
        await expect(call()).rejects.toMatchObject({ code: 'CACHE_CLOSED' });
      }
    }
    // the pool passed in is still usable
    expect((await pool.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
  });
});
