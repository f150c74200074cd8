import { describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { postgresUrl, redisUrl } from '@patinox/test-servers';
import { PostgresStore } from '../src/backends/postgres.js';
import { RedisBackend, RedisBus } from '../src/backends/redis.js';

// Issue 17: every closable says whether it is closed and closes with `await using`; here the ones that
// need a server (the in-memory ones are in tiered-conventions.test.ts).
describe('closed and Symbol.asyncDispose on the server-backed closables', () => {
  it('RedisBackend and RedisBus: closed turns true at the end of an await using block, and the bus refuses to publish', async () => {
    let backend: RedisBackend | undefined;
    let bus: RedisBus | undefined;
    {
      await using l2 = new RedisBackend({ url: redisUrl() });
      await using b = new RedisBus({ client: l2.client, channel: `closables-${process.pid}` });
      backend = l2;
      bus = b;
      expect(await l2.ping()).toBeGreaterThanOrEqual(0);
      expect([l2.closed, b.closed]).toEqual([false, false]);
    }
    expect([backend.closed, bus.closed]).toEqual([true, true]);
    await expect(bus.publish({ namespace: 'n', origin: 'o', sentAt: 0, keys: ['k'] })).rejects.toMatchObject({ code: 'CACHE_CLOSED' });
  });

  it('PostgresStore: closed turns true at the end of an await using block; a pool passed in stays open', async () => {
    const pool = new pg.Pool({ connectionString: postgresUrl(), max: 1 });
    let store: PostgresStore | undefined;
    {
      await using s = new PostgresStore({ pool });
      store = s;
      expect(s.closed).toBe(false);
    }
    expect(store.closed).toBe(true);
    expect((await pool.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
    await pool.end();
    let owned: PostgresStore | undefined;
    {
      await using s = new PostgresStore({ connectionString: postgresUrl() });
      owned = s;
    }
    expect(owned.closed).toBe(true);
    await owned.close(); // idempotent: the owned pool is not ended twice
  });
});
