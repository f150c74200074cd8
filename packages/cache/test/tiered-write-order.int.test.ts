import { describe, it, expect, afterAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { redisUrl, sharedRedisCluster } from '@patinox/test-servers';
import { RedisBackend, type RedisBackendOptions } from '../src/backends/redis.js';
import { MemoryBackend, TieredCache, type CacheBackend } from '../src/tiered/index.js';

/**
 * Writes of one instance issued one after the other (without awaiting in between) land in call order,
 * as on MemoryBackend: plain sets batched for the tick must not be overtaken by a later delete, NX set,
 * increment, batch or compare-and-set.
 */
function writeOrder(name: string, backend: () => Promise<CacheBackend>): void {
  describe(`TieredCache write order on ${name}`, () => {
    const caches: TieredCache<number>[] = [];
    const make = async (): Promise<TieredCache<number>> => {
      const cache = new TieredCache<number>({ l2: await backend(), namespace: `order-${randomUUID()}` });
      caches.push(cache);
      // The first write waits for the lazily loaded codec; the order under test is the one after it.
      await cache.set('warm', 0);
      return cache;
    };
    afterAll(async () => {
      await Promise.all(caches.map(async (c) => (await c.clear(), await c.close())));
    });

    it('a delete, deleteMany or batch delete issued after a set wins over it', async () => {
      const cache = await make();
      await Promise.all([cache.set('a', 1), cache.delete('a')]);
      await Promise.all([cache.set('b', 1), cache.deleteMany(['b'])]);
      await Promise.all([cache.set('c', 1), cache.batch().delete('c').execute()]);
      expect(await Promise.all(['a', 'b', 'c'].map((k) => cache.get(k, { consistent: true })))).toEqual([undefined, undefined, undefined]);
      // The writer's L1 agrees, whichever reply came back first (on a cluster they travel on several connections).
      expect(await cache.getMany(['a', 'b', 'c'])).toEqual([undefined, undefined, undefined]);
    });

    it('an NX set, increment or compare-and-set issued after a set sees its value', async () => {
      const cache = await make();
      const [, nx] = await Promise.all([cache.set('a', 1), cache.set('a', 2, { nx: true })]);
      expect(nx).toBe(false);
      const counted = await Promise.all([cache.set('b', 1), cache.increment('b').catch((err: { code?: string }) => err.code)]);
      expect(counted[1]).toBe('CACHE_NOT_A_COUNTER');
      const [, swapped] = await Promise.all([cache.set('c', 1), cache.atomic().check('c', 1).set('c', 3).execute()]);
      expect(swapped).toBe(true);
      expect(await Promise.all(['a', 'b', 'c'].map((k) => cache.get(k, { consistent: true })))).toEqual([1, 1, 3]);
    });
  });
}

const backends: RedisBackend[] = [];
const redis = (options: () => Promise<RedisBackendOptions>) => async (): Promise<CacheBackend> => {
  const backend = new RedisBackend(await options());
  backends.push(backend);
  return backend;
};
afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
});

writeOrder('MemoryBackend (the reference)', async () => new MemoryBackend());
writeOrder('standalone Redis', redis(async () => ({ url: redisUrl() })));
writeOrder('a 3-master Redis Cluster', redis(async () => ({ cluster: await sharedRedisCluster() })));
