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

    it('holds on a fresh cache too, while the default codec is still loading for its first set', async () => {
      // A new cache per pair: its codec starts loading when it is built, so both writes meet it loading.
      const fresh = async (): Promise<TieredCache<number>> => {
        const cache = new TieredCache<number>({ l2: await backend(), namespace: `order-${randomUUID()}` });
        caches.push(cache);
        return cache;
      };
      const a = await fresh();
      await Promise.all([a.set('k', 1), a.delete('k')]);
      expect(await a.get('k', { consistent: true })).toBeUndefined();
      const b = await fresh();
      await Promise.all([b.set('k', 1), b.deleteMany(['k'])]);
      expect(await b.get('k', { consistent: true })).toBeUndefined();
      const c = await fresh();
      const [, counted] = await Promise.all([c.set('k', 1), c.increment('k').catch((err: { code?: string }) => err.code)]);
      expect(counted).toBe('CACHE_NOT_A_COUNTER');
      const d = await fresh();
      await Promise.all([d.set('k', 1, { tags: ['t'] }), d.invalidateTag('t')]);
      expect(await d.get('k', { consistent: true })).toBeUndefined();
      const e = await fresh();
      await Promise.all([e.set('k', 1), e.clear()]);
      expect(await e.get('k', { consistent: true })).toBeUndefined();
    });

    it('a tag invalidation issued after a tagged set, NX set or setMany removes the key', async () => {
      // On a cluster the tag set and the value live on different masters, and the tag write may be resent
      // (a script the server does not hold yet): the invalidation waits for this instance's tagged writes.
      const cache = await make();
      await Promise.all([cache.set('a', 1, { tags: ['ta'] }), cache.invalidateTag('ta')]);
      await Promise.all([cache.set('b', 1, { nx: true, tags: ['tb'] }), cache.invalidateTag('tb')]);
      await Promise.all([cache.setMany([{ key: 'c', value: 1, tags: ['tc'] }]), cache.invalidateTag('tc')]);
      expect(await Promise.all(['a', 'b', 'c'].map((k) => cache.get(k, { consistent: true })))).toEqual([undefined, undefined, undefined]);
      expect(await cache.getMany(['a', 'b', 'c'])).toEqual([undefined, undefined, undefined]);
    });

    it('a tag invalidation issued while a tagged write adds to the tag set waits for it, loads included', async () => {
      // The tag write is held until the invalidation has been issued (a resent script does the same).
      const invalidations: Promise<number>[] = [];
      const l2 = await backend();
      const addToSet = async (key: string, members: readonly string[], ttlMs: number): Promise<void> => {
        invalidations.push(cache.invalidateTag(key.slice(key.lastIndexOf(':') + 1)));
        await new Promise((resolve) => setImmediate(resolve));
        return l2.addToSet(key, members, ttlMs);
      };
      const held = new Proxy(l2, {
        get: (target, name): unknown => {
          if (name === 'addToSet') return addToSet;
          const member: unknown = Reflect.get(target, name, target);
          return typeof member === 'function' ? (member as (...args: unknown[]) => unknown).bind(target) : member;
        },
      });
      const cache = new TieredCache<number>({ l2: held, namespace: `order-${randomUUID()}` });
      caches.push(cache);
      await cache.set('a', 1, { tags: ['ta'] });
      await cache.setMany([{ key: 'b', value: 1, tags: ['tb'] }]);
      await cache.getOrLoad('c', async () => 1, { tags: ['tc'] });
      await cache.getMany(['d', 'e'], async (keys) => keys.map((k) => [k, 1] as [string, number]), { tags: ['td'] });
      // One tag write per entry: getMany's two entries issue two invalidations of 'td'.
      expect((await Promise.all(invalidations)).slice(0, 3)).toEqual([1, 1, 1]);
      expect(invalidations).toHaveLength(5);
      expect(await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => cache.get(k, { consistent: true })))).toEqual([undefined, undefined, undefined, undefined, undefined]);
      expect(await cache.getMany(['a', 'b', 'c', 'd', 'e'])).toEqual([undefined, undefined, undefined, undefined, undefined]);
    });

    it('a tag invalidation issued after a tagged set that waits for its write-through store removes the key', async () => {
      const rows = new Map<string, unknown>();
      const store = {
        set: async (key: string, value: unknown) => void rows.set(key, value),
        delete: async (key: string) => void rows.delete(key),
        clear: async () => rows.clear(),
      };
      const cache = new TieredCache<number>({ l2: await backend(), namespace: `order-${randomUUID()}`, store });
      caches.push(cache);
      await cache.set('warm', 0);
      await Promise.all([cache.set('k', 1, { tags: ['t'] }), cache.invalidateTag('t')]);
      expect(await cache.get('k', { consistent: true })).toBeUndefined();
      expect(rows.has('k')).toBe(false);
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
