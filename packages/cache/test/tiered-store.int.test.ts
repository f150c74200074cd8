import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { postgresUrl, redisUrl } from '@patinox/test-servers';
import { PostgresStore } from '../src/backends/postgres.js';
import { RedisBackend } from '../src/backends/redis.js';
import { MemoryBackend, TieredCache } from '../src/tiered/index.js';

describe('TieredCache write-through to PostgreSQL', () => {
  const table = `patinox_cache_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  let pool: pg.Pool;
  let store: PostgresStore;
  let cache: TieredCache;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: postgresUrl(), max: 2 });
    store = new PostgresStore({ pool, table });
    await store.init();
    cache = new TieredCache({ l2: new RedisBackend({ url: redisUrl() }), namespace: `store-${table}`, store });
  });

  afterAll(async () => {
    await cache.clear();
    await cache.close();
    await pool.query(`DROP TABLE IF EXISTS "${table}"`);
    await pool.end();
  });

  const row = async (key: string): Promise<unknown> => (await pool.query(`SELECT value FROM "${table}" WHERE key = $1`, [key])).rows[0]?.value;

  it('writes the store first, then the cache, and acknowledges after both', async () => {
    expect(await cache.set('user:1', { name: 'Ada' }, { ttlMs: 60_000 })).toBe(true);
    expect(await row('user:1')).toEqual({ name: 'Ada' });
    expect(await cache.get('user:1', { consistent: true })).toEqual({ name: 'Ada' });
    expect(cache.stats().store.writes).toBe(1);
  });

  it('leaves every tier untouched when the store refuses the write', async () => {
    await cache.set('user:2', 'before');
    // PostgreSQL jsonb cannot hold \u0000: the store write fails.
    const err = await cache.set('user:2', 'nul\u0000byte').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CACHE_STORE_WRITE_FAILED', recovery: 'retry' });
    expect(await cache.get('user:2')).toBe('before');
    expect(await cache.get('user:2', { consistent: true })).toBe('before');
    expect(await row('user:2')).toBe('before');
    expect(cache.stats().store.failures).toBe(1);
  });

  it('deletes from the store first and refuses nx with a store', async () => {
    await cache.set('user:3', 3);
    expect(await cache.delete('user:3')).toBe(true);
    expect(await row('user:3')).toBeUndefined();
    await expect(cache.set('x', 1, { nx: true })).rejects.toThrow('Expected `nx` to be false with a write-through store');
  });

  it('falls back to the store before the loader in getOrLoad', async () => {
    await store.set('user:4', { from: 'store' });
    let calls = 0;
    expect(await cache.getOrLoad('user:4', () => ((calls += 1), { from: 'loader' }))).toEqual({ from: 'store' });
    expect(await cache.getOrLoad('user:5', () => ((calls += 1), { from: 'loader' }))).toEqual({ from: 'loader' });
    expect(calls).toBe(1);
    expect(await row('user:5')).toBeUndefined();
  });

  it('expires rows by ttl and owns a pool created from a connection string', async () => {
    const owned = new PostgresStore({ connectionString: postgresUrl(), table });
    await owned.set('ttl', 1, 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(await owned.get('ttl')).toBeUndefined();
    await owned.close();
    const withSetMany = new TieredCache({ l2: new MemoryBackend(), namespace: 'sm', store });
    await withSetMany.setMany([{ key: 'sm1', value: 1 }]);
    expect(await row('sm1')).toBe(1);
    await expect(withSetMany.setMany([{ key: 'sm2', value: 'a\u0000' }])).rejects.toMatchObject({ code: 'CACHE_STORE_WRITE_FAILED' });
    expect(await withSetMany.get('sm2')).toBeUndefined();
    await withSetMany.close();
  });

  it('validates its options', () => {
    expect(() => new PostgresStore({})).toThrow('Expected exactly one of `pool` or `connectionString`');
    expect(() => new PostgresStore({ pool, table: 'Bad-Name' })).toThrow('Expected `table` to be a lower-case SQL identifier, got "Bad-Name" (string)');
    expect(() => new PostgresStore({ pool: {} as never })).toThrow('Expected `pool` to be a pg Pool or Client, got an object');
    expect(() => new PostgresStore(null as never)).toThrow('Expected `options` to be an object, got null');
    expect(() => new PostgresStore({ connectionString: 5 as never })).toThrow('Expected `connectionString` to be a string, got 5 (number)');
  });
});
