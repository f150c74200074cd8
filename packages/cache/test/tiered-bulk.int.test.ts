import { describe, it, expect, afterAll, afterEach, beforeAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { isPatinoxError } from '@patinox/errors';
import { MetricsRegistry } from '@patinox/monitor';
import { redisUrl } from '@patinox/test-servers';
import { RedisBackend, RedisBus } from '../src/backends/redis.js';
import { TieredCache, type TieredCacheOptions } from '../src/tiered/index.js';

/** getMany with a loader, setMany, deleteMany, remainingTtl, peek, sliding expiry and load stats, on real Redis. */
describe('TieredCache bulk, TTL and stats on Redis', () => {
  const open: TieredCache<unknown>[] = [];
  let raw: Redis;
  let ns = '';

  beforeAll(() => {
    raw = new Redis(redisUrl());
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map(async (c) => {
      await c.clear().catch(() => undefined);
      await c.close();
    }));
  });

  afterAll(async () => {
    await raw.quit();
  });

  /** A cache on its own connection and bus; `fresh` starts a new namespace, else it joins the last one. */
  async function make<V>(options: Partial<TieredCacheOptions<V>> = {}, fresh = true): Promise<TieredCache<V>> {
    if (fresh) ns = `bulk-${randomUUID().slice(0, 8)}`;
    const l2 = new RedisBackend({ url: redisUrl() });
    const bus = new RedisBus({ client: l2.client });
    await bus.ready;
    const cache = new TieredCache<V>({ l2, bus, namespace: ns, ...options });
    open.push(cache as TieredCache<unknown>);
    return cache;
  }

  /** Lets the tick's batched PEXPIRE go out; later commands on the connection run after it. */
  const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

  describe('getMany(keys, loader)', () => {
    it('calls the loader once for the distinct keys missing from L1 and L2, in key order', async () => {
      const cache = await make<string>();
      const other = await make<string>({}, false);
      await cache.set('l1', 'from-l1');
      await other.set('l2', 'from-l2');
      const calls: string[][] = [];
      const result = await cache.getMany(['a', 'l1', 'b', 'a', 'l2', 'none'], async (keys) => {
        calls.push(keys);
        return new Map(keys.filter((k) => k !== 'none').map((k) => [k, `loaded:${k}`]));
      });
      expect(result).toEqual(['loaded:a', 'from-l1', 'loaded:b', 'loaded:a', 'from-l2', undefined]);
      expect(calls).toEqual([['a', 'b', 'none']]);
      // Cached for every instance; a key the loader left out is not.
      expect(await other.getMany(['a', 'b', 'none'])).toEqual(['loaded:a', 'loaded:b', undefined]);
      expect(cache.stats()).toMatchObject({ loads: 1, loadFailures: 0 });
      await expect(cache.getMany(['a', 'b'], () => Promise.reject(new Error('not called')))).resolves.toEqual(['loaded:a', 'loaded:b']);
    });

    it('takes iterables of pairs, the call TTL or the context one, and doNotCache', async () => {
      const cache = await make<number>({ l1: false });
      await cache.getMany(['x', 'y'], (keys) => keys.map((k, i) => [k, i] as const), { ttlMs: 60_000 });
      expect(await cache.remainingTtl('x')).toBeGreaterThan(59_000);
      await cache.getMany(['z'], (keys, context) => {
        context.setTtl(5_000);
        return [[keys[0]!, 1]];
      }, { ttlMs: 60_000 });
      expect(await cache.remainingTtl('z')).toBeLessThanOrEqual(5_000);
      await expect(cache.getMany(['w'], (keys, context) => {
        context.doNotCache();
        return [[keys[0]!, 7]];
      })).resolves.toEqual([7]);
      expect(await cache.get('w')).toBeUndefined();
    });

    it('rejects bad loader results and bad options, counting the failure', async () => {
      const cache = await make<number>({ l1: false });
      await expect(cache.getMany(['a'], () => 5 as never)).rejects.toThrow('Expected the getMany loader to return a Map or an iterable of [key, value] pairs, got 5 (number)');
      await expect(cache.getMany(['a'], () => [5] as never)).rejects.toThrow('Expected the getMany loader to return [key, value] pairs, got 5 (number)');
      expect(cache.stats().loadFailures).toBe(2);
      await expect(cache.getMany(['a'], () => new Map(), { ttlMs: -1 })).rejects.toThrow('Expected `ttlMs` to be a non-negative finite number, got -1 (number)');
      await expect(cache.getMany(['a'], () => new Map(), { hardTimeoutMs: 2 ** 31 })).rejects.toThrow('Expected `hardTimeoutMs`');
      await expect(cache.getMany(['a'], 'nope' as never)).rejects.toThrow('Expected `loader` to be a function');
    });

    it('gives up after hardTimeoutMs while the load goes on and fills the cache', async () => {
      const cache = await make<number>({ l1: false });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const err = await cache.getMany(['a'], async (keys) => {
        await gate;
        return [[keys[0]!, 1]];
      }, { hardTimeoutMs: 5 }).catch((e: unknown) => e);
      expect(isPatinoxError(err, 'CACHE_LOAD_TIMEOUT')).toBe(true);
      const events = cache.subscribeInvalidation();
      release();
      for await (const event of events) if (event.keys.includes('a')) break;
      expect(await cache.get('a')).toBe(1);
    });
  });

  describe('setMany and deleteMany', () => {
    it('refuses duplicate keys with CACHE_DUPLICATE_KEY and writes nothing', async () => {
      const cache = await make<number>();
      const err = await cache.setMany([{ key: 'a', value: 1 }, { key: 'b', value: 2 }, { key: 'a', value: 3 }]).catch((e: unknown) => e);
      expect(isPatinoxError(err, 'CACHE_DUPLICATE_KEY')).toBe(true);
      expect(err).toMatchObject({ context: { key: 'a', index: 2 } });
      expect(await raw.exists(`${ns}:v:a`, `${ns}:v:b`)).toBe(0);
      expect(await cache.getMany(['a', 'b'])).toEqual([undefined, undefined]);
    });

    it('stores tags with setMany, and deleteMany counts the distinct keys removed on every instance', async () => {
      const cache = await make<number>();
      const other = await make<number>({}, false);
      await cache.setMany([{ key: 'a', value: 1, tags: ['t'] }, { key: 'b', value: 2 }, { key: 'c', value: 3, tags: ['t'] }]);
      expect(await other.getMany(['a', 'b', 'c'])).toEqual([1, 2, 3]);
      const events = other.subscribeInvalidation();
      expect(await cache.deleteMany(['a', 'b', 'a', 'missing'])).toBe(2);
      for await (const event of events) if (event.keys.includes('b')) break;
      expect(await other.getMany(['a', 'b', 'c'])).toEqual([undefined, undefined, 3]);
      expect(await cache.invalidateTag('t')).toBe(1);
      expect(await cache.deleteMany([])).toBe(0);
      await expect(cache.deleteMany('a' as never)).rejects.toThrow('Expected `keys` to be an array, got "a" (string)');
    });
  });

  describe('remainingTtl and peek', () => {
    it('reports the L2 time left, Infinity without a TTL, undefined when absent', async () => {
      const cache = await make<number>();
      await cache.set('ttl', 1, { ttlMs: 60_000 });
      await cache.set('forever', 2);
      const left = await cache.remainingTtl('ttl');
      expect(left).toBeGreaterThan(59_000);
      expect(left).toBeLessThanOrEqual(60_000);
      expect(await cache.remainingTtl('forever')).toBe(Infinity);
      expect(await cache.remainingTtl('absent')).toBeUndefined();
    });

    it('peeks at the L1 copy without counting a hit or asking L2', async () => {
      const cache = await make<number>();
      const other = await make<number>({}, false);
      await cache.set('k', 1);
      const before = cache.stats().l1!.hits;
      expect(cache.peek('k')).toBe(1);
      expect(cache.peek('k', { allowStale: true })).toBe(1);
      expect(cache.stats().l1!.hits).toBe(before);
      // Only in L2 for the other instance: peek does not read it.
      expect(other.peek('k')).toBeUndefined();
      expect(other.stats().l2.hits + other.stats().l2.misses).toBe(0);
      expect(() => cache.peek('k', { allowStale: 1 as never })).toThrow('Expected `allowStale` to be a boolean, got 1 (number)');
    });

    it('peeks with allowStale at an expired L1 copy still in its stale window, and not past it', async () => {
      const l1Clock = { now: 0 };
      const cache = await make<number>({ l1: { maxEntries: 100, clock: () => l1Clock.now } });
      await cache.getOrLoad('k', () => 1, { ttlMs: 10_000, staleWhileRevalidateMs: 5_000 });
      l1Clock.now = 12_000;
      expect(cache.peek('k')).toBeUndefined();
      expect(cache.peek('k', { allowStale: true })).toBe(1);
      l1Clock.now = 16_000;
      expect(cache.peek('k', { allowStale: true })).toBeUndefined();
    });
  });

  describe('hottest and coldest', () => {
    it("lists L1's keys as its policy ranks them, and nothing without L1", async () => {
      const cache = await make<number>({ l1: { maxEntries: 100, evictionPolicy: 'lru' } });
      for (const key of ['a', 'b', 'c']) await cache.set(key, 1);
      expect(await cache.get('a')).toBe(1);
      expect(cache.hottest(2)).toEqual(['a', 'c']);
      expect(cache.coldest(3)).toEqual(['b', 'c', 'a']);
      const remoteOnly = await make<number>({ l1: false });
      await remoteOnly.set('x', 1);
      expect(remoteOnly.hottest(5)).toEqual([]);
      expect(() => remoteOnly.coldest(-1)).toThrow(/n/);
      expect(() => cache.hottest(1.5)).toThrow(/n/);
    });
  });

  describe('sliding expiry', () => {
    it('pushes the expiry of a sliding entry in L1 and in Redis on every read', async () => {
      const l1Clock = { now: 0 };
      const cache = await make<number>({ l1: { maxEntries: 100, clock: () => l1Clock.now } });
      await cache.set('s', 1, { ttlMs: 10_000, sliding: true });
      await cache.set('fixed', 2, { ttlMs: 10_000 });
      await raw.pexpire(`${ns}:v:s`, 500);
      await raw.pexpire(`${ns}:v:fixed`, 500);
      l1Clock.now = 8_000;
      expect(await cache.get('s')).toBe(1);
      expect(await cache.get('fixed')).toBe(2);
      await nextTurn();
      expect(await cache.remainingTtl('s')).toBeGreaterThan(9_000);
      expect(await cache.remainingTtl('fixed')).toBeLessThanOrEqual(500);
      // In L1 the sliding entry now lives until 18 000; the fixed one expired at 10 000.
      l1Clock.now = 15_000;
      expect(cache.peek('s')).toBe(1);
      expect(cache.peek('fixed')).toBeUndefined();
    });

    it('keeps the tag sets of sliding entries without expiry, so invalidateTag still finds them', async () => {
      const cache = await make<number>({ l1: false });
      await cache.set('s', 1, { ttlMs: 10_000, tags: ['slide'], sliding: true });
      await cache.setMany([{ key: 'm', value: 2, ttlMs: 10_000, tags: ['slide'], sliding: true }]);
      await cache.getOrLoad('g', () => 3, { ttlMs: 10_000, tags: ['slide'], sliding: true });
      await cache.set('fixed', 4, { ttlMs: 10_000, tags: ['fixed'] });
      expect(await raw.pttl(`${ns}:t:slide`)).toBe(-1);
      expect(await raw.pttl(`${ns}:t:fixed`)).toBeGreaterThan(0);
      expect(await cache.invalidateTag('slide')).toBe(3);
    });

    it('slides every entry with slidingTtl, by defaultTtlMs for entries written elsewhere', async () => {
      const writer = await make<number>({ defaultTtlMs: 20_000 });
      const reader = await make<number>({ slidingTtl: true, defaultTtlMs: 20_000, l1: false }, false);
      await writer.set('k', 1);
      await raw.pexpire(`${ns}:v:k`, 500);
      expect(await reader.get('k')).toBe(1);
      await nextTurn();
      expect(await reader.remainingTtl('k')).toBeGreaterThan(19_000);
      expect(await reader.getMany(['k'])).toEqual([1]);
      await expect(reader.set('x', 1, { sliding: 'no' as never })).rejects.toThrow('Expected `sliding` to be a boolean, got "no" (string)');
    });
  });

  describe('stats', () => {
    it('counts loads, failures, load time and stale values, resets on request, and exports them as metrics', async () => {
      const cache = await make<number>({ l1: false, graceMs: 60_000 });
      await cache.getOrLoad('a', () => 1, { ttlMs: 60_000 });
      await raw.del(`${ns}:v:a`);
      await cache.getOrLoad('a', () => Promise.reject(new Error('x')));
      await expect(cache.getOrLoad('b', () => undefined as never)).rejects.toThrow('Expected the loader to return a value');
      const stats = cache.stats({ reset: true });
      expect(stats).toMatchObject({ loads: 3, loadFailures: 2, staleServed: 1 });
      expect(stats.loadTimeTotalMs).toBeGreaterThanOrEqual(0);
      expect(stats.loadTimeP99Ms).toBeGreaterThanOrEqual(0);
      expect(stats.loadTimeP99Ms).toBeLessThanOrEqual(stats.loadTimeTotalMs);
      expect(cache.stats()).toMatchObject({ loads: 0, loadFailures: 0, loadTimeTotalMs: 0, loadTimeP99Ms: 0, staleServed: 0 });
      await cache.getOrLoad('c', () => 3);
      const registry = new MetricsRegistry();
      registry.addCollector(() => cache.collectMetrics());
      const metrics = new Map(registry.collect().map((m) => [m.name, m]));
      expect(metrics.get('patinox_cache_loads_total')).toMatchObject({ type: 'counter', value: 1, labels: { namespace: ns } });
      expect(metrics.get('patinox_cache_load_failures_total')).toMatchObject({ type: 'counter', value: 0 });
      expect(metrics.get('patinox_cache_load_time_ms_total')).toMatchObject({ type: 'counter', value: cache.stats().loadTimeTotalMs });
      expect(metrics.get('patinox_cache_load_time_p99_ms')).toMatchObject({ type: 'gauge', value: cache.stats().loadTimeP99Ms });
      expect(metrics.get('patinox_cache_stale_served_total')).toMatchObject({ type: 'counter', value: 0 });
      expect(() => cache.stats({ reset: 'yes' as never })).toThrow('Expected `reset` to be a boolean, got "yes" (string)');
    });

    it("resets L1's own figures in the same call, after reporting them", async () => {
      const cache = await make<number>();
      await cache.set('k', 1);
      expect(await cache.get('k')).toBe(1);
      expect(await cache.get('absent')).toBeUndefined();
      const before = cache.stats({ reset: true });
      expect(before.l1).toMatchObject({ hits: 1, misses: 1 });
      expect(cache.stats().l1).toMatchObject({ hits: 0, misses: 0 });
      // The entries stay: only the counters start afresh.
      expect(cache.peek('k')).toBe(1);
    });
  });
});
