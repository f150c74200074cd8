import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { postgresUrl, redisUrl } from '@patinox/test-servers';
import { PostgresStore } from '../src/backends/postgres.js';
import { RedisBackend } from '../src/backends/redis.js';
import { TieredCache } from '../src/tiered/index.js';

/** Every write path against a real PostgreSQL store: the row follows, and a store failure changes nothing. */
describe('TieredCache write-through on every write path', () => {
  const table = `patinox_wt_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  let pool: pg.Pool;
  let cache: TieredCache<unknown>;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: postgresUrl(), max: 2 });
    const store = new PostgresStore({ pool, table });
    await store.init();
    cache = new TieredCache({ l2: new RedisBackend({ url: redisUrl() }), namespace: `wt-${table}`, store });
  });

  afterAll(async () => {
    await cache.clear().catch(() => undefined);
    await cache.close();
    await pool.query(`DROP TABLE IF EXISTS "${table}"`);
    await pool.query(`DROP TABLE IF EXISTS "${table}_off"`);
    await pool.end();
  });

  const row = async (key: string): Promise<unknown> => (await pool.query(`SELECT value FROM "${table}" WHERE key = $1`, [key])).rows[0]?.value;
  const rows = async (): Promise<number> => Number((await pool.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0]!.n);
  /** Runs `fn` while the store's table is gone: every store query fails as it would with PostgreSQL down. */
  async function storeDown<T>(fn: () => Promise<T>): Promise<T> {
    await pool.query(`ALTER TABLE "${table}" RENAME TO "${table}_off"`);
    try {
      return await fn();
    } finally {
      await pool.query(`ALTER TABLE "${table}_off" RENAME TO "${table}"`);
    }
  }
  const failed = { code: 'CACHE_STORE_WRITE_FAILED', recovery: 'retry' };
  const l2 = (key: string, c: TieredCache<unknown> = cache): Promise<unknown> => c.get(key, { consistent: true });

  it('set', async () => {
    await cache.set('set', 1);
    expect(await row('set')).toBe(1);
    await expect(storeDown(() => cache.set('set', 2))).rejects.toMatchObject(failed);
    expect(await l2('set')).toBe(1);
    expect(await cache.get('set')).toBe(1);
  });

  it('setMany', async () => {
    await cache.setMany([{ key: 'm1', value: 1 }, { key: 'm2', value: 2 }]);
    expect([await row('m1'), await row('m2')]).toEqual([1, 2]);
    await expect(storeDown(() => cache.setMany([{ key: 'm1', value: 10 }, { key: 'm3', value: 3 }]))).rejects.toMatchObject(failed);
    expect(await cache.getMany(['m1', 'm3'])).toEqual([1, undefined]);
  });

  it('delete', async () => {
    await cache.set('del', 1);
    await expect(storeDown(() => cache.delete('del'))).rejects.toMatchObject(failed);
    expect(await l2('del')).toBe(1);
    expect(await cache.delete('del')).toBe(true);
    expect(await row('del')).toBeUndefined();
  });

  it('increment', async () => {
    expect(await cache.increment('n', 5)).toBe(5);
    expect(await row('n')).toBe(5);
    await expect(storeDown(() => cache.increment('n', 3))).rejects.toMatchObject(failed);
    // The increment was taken back in L2: both tiers still say 5.
    expect(await l2('n')).toBe(5);
    expect(await row('n')).toBe(5);
    expect(await cache.increment('n', 1)).toBe(6);
    expect(await row('n')).toBe(6);
  });

  it('batch', async () => {
    await cache.set('b2', 'keep');
    await cache.batch().set('b1', 'one').setWithTtl('b3', 'three', 60_000).delete('b2').execute();
    expect([await row('b1'), await row('b2'), await row('b3')]).toEqual(['one', undefined, 'three']);
    await expect(storeDown(() => cache.batch().set('b1', 'changed').delete('b3').execute())).rejects.toMatchObject(failed);
    expect(await cache.getMany(['b1', 'b3'])).toEqual(['one', 'three']);
  });

  it('atomic', async () => {
    await cache.set('a', 1);
    expect(await cache.atomic().check('a', 1).set('a', 2).set('a2', 'x').execute()).toBe(true);
    expect([await row('a'), await row('a2')]).toEqual([2, 'x']);
    await expect(storeDown(() => cache.atomic().check('a', 2).set('a', 3).delete('a2').execute())).rejects.toMatchObject(failed);
    // L2 was put back as it was before the refused operation.
    expect([await l2('a'), await l2('a2')]).toEqual([2, 'x']);
    expect(await cache.atomic().check('a', 3).set('a', 4).execute()).toBe(false);
    expect(await row('a')).toBe(2);
  });

  it('invalidateTag', async () => {
    await cache.set('t1', 1, { tags: ['team'] });
    await cache.set('t2', 2, { tags: ['team'] });
    await expect(storeDown(() => cache.invalidateTag('team'))).rejects.toMatchObject(failed);
    expect(await cache.getMany(['t1', 't2'])).toEqual([1, 2]);
    expect(await cache.invalidateTag('team')).toBe(2);
    expect([await row('t1'), await row('t2')]).toEqual([undefined, undefined]);
  });

  it('regions inherit the store under <region>: and clear only their own rows', async () => {
    const region = cache.region('orders');
    await region.set('o1', { total: 3 });
    await region.increment('count', 2);
    await region.batch().set('o2', 'two').execute();
    expect([await row('orders:o1'), await row('orders:count'), await row('orders:o2')]).toEqual([{ total: 3 }, 2, 'two']);
    await expect(storeDown(() => region.set('o1', 'lost'))).rejects.toMatchObject(failed);
    expect(await l2('o1', region)).toEqual({ total: 3 });
    await cache.set('outside', 1);
    await region.clear();
    expect([await row('orders:o1'), await row('orders:o2'), await row('outside')]).toEqual([undefined, undefined, 1]);
    expect(region.stats().store.failures).toBe(1);
  });

  it('clear', async () => {
    await cache.set('c1', 1);
    await cache.region('orders').set('o9', 9);
    await expect(storeDown(() => cache.clear())).rejects.toMatchObject(failed);
    expect(await l2('c1')).toBe(1);
    await cache.clear();
    expect(await rows()).toBe(0);
    expect(await cache.get('c1')).toBeUndefined();
    expect(await cache.region('orders').get('o9')).toBeUndefined();
  });
});
