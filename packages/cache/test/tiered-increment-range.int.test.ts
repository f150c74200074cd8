import { describe, it, expect, afterAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { isPatinoxError } from '@patinox/errors';
import { redisUrl, sharedRedisCluster } from '@patinox/test-servers';
import { RedisBackend } from '../src/backends/redis.js';
import { MemoryBackend, TieredCache, type CacheBackend } from '../src/tiered/index.js';

const MAX = Number.MAX_SAFE_INTEGER;

/** What `work` rejected with (fails the test when it resolves). */
async function rejection(work: Promise<unknown>): Promise<{ message: string; code?: string; context?: Record<string, unknown> }> {
  try {
    await work;
  } catch (err) {
    return err as { message: string };
  }
  throw new Error('expected a rejection');
}

const caches: TieredCache<number>[] = [];
const backends: RedisBackend[] = [];
afterAll(async () => {
  await Promise.all(caches.map(async (c) => (await c.clear(), await c.close())));
  await Promise.all(backends.map((b) => b.close()));
});

function incrementRange(name: string, backend: () => Promise<CacheBackend>): void {
  describe(`TieredCache.increment past the safe integer range on ${name}`, () => {
    const make = async (): Promise<TieredCache<number>> => {
      const cache = new TieredCache<number>({ l2: await backend(), namespace: `incr-${randomUUID()}` });
      caches.push(cache);
      return cache;
    };

    it('refuses a result past ±Number.MAX_SAFE_INTEGER with CACHE_COUNTER_OUT_OF_RANGE and keeps the acknowledged value', async () => {
      const cache = await make();
      expect(await cache.increment('up', MAX - 1)).toBe(MAX - 1);
      expect(await cache.increment('up', 1)).toBe(MAX);
      for (const delta of [1, 2, 3, MAX]) {
        const err = await rejection(cache.increment('up', delta));
        expect(isPatinoxError(err, 'CACHE_COUNTER_OUT_OF_RANGE')).toBe(true);
        expect(err.message).toContain('`delta`');
        expect(err.message).toContain(String(delta));
        expect(err.context).toMatchObject({ key: 'up', delta });
        expect(await cache.get('up', { consistent: true })).toBe(MAX);
      }
      // 2^53 - 2 + 3 is odd past 2^53: a double would have rounded it, and taking 3 back would not restore the count.
      expect(await cache.increment('odd', MAX - 1)).toBe(MAX - 1);
      expect(isPatinoxError(await rejection(cache.increment('odd', 3)), 'CACHE_COUNTER_OUT_OF_RANGE')).toBe(true);
      expect(await cache.increment('odd', 0)).toBe(MAX - 1);
      expect(await cache.increment('down', -MAX)).toBe(-MAX);
      expect(isPatinoxError(await rejection(cache.increment('down', -1)), 'CACHE_COUNTER_OUT_OF_RANGE')).toBe(true);
      expect(await cache.increment('down', 1)).toBe(-MAX + 1);
      // A refused increment of a missing key creates nothing.
      expect(await cache.increment('fresh', MAX)).toBe(MAX);
      expect(await cache.getMany(['up', 'odd', 'down', 'fresh'])).toEqual([MAX, MAX - 1, -MAX + 1, MAX]);
    });

    it('refuses to count on from a stored count no double holds exactly, leaving its bytes alone', async () => {
      const l2 = await backend();
      const cache = new TieredCache<number>({ l2, namespace: `incr-${randomUUID()}` });
      caches.push(cache);
      await cache.increment('small', 1);
      const header = (await l2.get(`${cache.namespace}:v:small`))![0]!;
      // Written by another client or an older release: 2^53 + 1 reads as 2^53, and minus 1 would look safe.
      const big = Buffer.concat([Buffer.from([header]), Buffer.from('9007199254740993')]);
      await l2.set(`${cache.namespace}:v:big`, big);
      expect(isPatinoxError(await rejection(cache.increment('big', -1)), 'CACHE_COUNTER_OUT_OF_RANGE')).toBe(true);
      expect(await l2.get(`${cache.namespace}:v:big`)).toEqual(big);
    });

    it('refuses a step outside the safe integer range before anything is written', async () => {
      const cache = await make();
      for (const delta of [2 ** 53, -(2 ** 53), 1.5, Number.NaN]) {
        await expect(cache.increment('k', delta)).rejects.toThrow(expect.objectContaining({ name: 'TypeError', message: expect.stringContaining('`delta`') }));
      }
      expect(await cache.get('k', { consistent: true })).toBeUndefined();
    });
  });
}

incrementRange('MemoryBackend', async () => new MemoryBackend());
incrementRange('standalone Redis', async () => {
  const b = new RedisBackend({ url: redisUrl() });
  backends.push(b);
  return b;
});
incrementRange('a 3-master Redis Cluster', async () => {
  const b = new RedisBackend({ cluster: await sharedRedisCluster() });
  backends.push(b);
  return b;
});

describe('TieredCache.increment on a backend that answers a count past the safe range', () => {
  it('rejects with CACHE_COUNTER_OUT_OF_RANGE instead of resolving a rounded number, and invalidates the key', async () => {
    const l2 = new MemoryBackend();
    const loose = new Proxy(l2, {
      get: (target, name): unknown => {
        if (name === 'increment') return async () => 2 ** 53 + 2;
        const member: unknown = Reflect.get(target, name, target);
        return typeof member === 'function' ? (member as (...args: unknown[]) => unknown).bind(target) : member;
      },
    });
    const cache = new TieredCache<number>({ l2: loose, namespace: `incr-${randomUUID()}` });
    caches.push(cache);
    const err = await rejection(cache.increment('k', 3));
    expect(isPatinoxError(err, 'CACHE_COUNTER_OUT_OF_RANGE')).toBe(true);
    expect(err.context).toMatchObject({ key: 'k', delta: 3, answered: 2 ** 53 + 2 });
  });
});
