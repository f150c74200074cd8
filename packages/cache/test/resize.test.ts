import { describe, expect, it } from '@jest/globals';
import { MemoryMonitor } from '@patinox/monitor';
import { clock } from '@patinox/test-servers';
import { Cache, CACHE_EVENTS, type EvictionReason } from '../src/index.js';

describe('Cache.resize(maxEntries)', () => {
  it('shrinks by evicting the coldest entries in policy order, told to onEvict and counted', () => {
    const evicted: [string, number, EvictionReason][] = [];
    const monitor = new MemoryMonitor();
    const cache = new Cache<string, number>({ maxEntries: 5, evictionPolicy: 'lru', monitor, onEvict: (k, v, r) => evicted.push([k, v, r]) });
    for (const [i, k] of ['a', 'b', 'c', 'd', 'e'].entries()) cache.set(k, i);
    cache.get('a');
    const before = cache.stats();
    cache.resize(3);
    expect(cache.maxEntries).toBe(3);
    expect(cache.size).toBe(3);
    expect(evicted).toEqual([
      ['b', 1, 'evicted'],
      ['c', 2, 'evicted'],
    ]);
    expect(cache.hottest(3)).toEqual(['a', 'e', 'd']);
    const after = cache.stats();
    expect(after.evictions.evicted - before.evictions.evicted).toBe(2);
    expect(after.evictionsByCause.size - before.evictionsByCause.size).toBe(2);
    expect(after.inserts).toBe(before.inserts);
    expect(monitor.events(CACHE_EVENTS.resized).map((e) => e.data)).toEqual([{ from: 5, to: 3, evicted: 2 }]);
    // The new limit holds: one more key evicts the coldest.
    cache.set('f', 5);
    expect(cache.size).toBe(3);
    expect(cache.has('d')).toBe(false);
  });

  it('grows without losing an entry, and then holds the larger number', () => {
    const cache = new Cache<string, number>({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.resize(4);
    expect([cache.get('a'), cache.get('b')]).toEqual([1, 2]);
    cache.set('c', 3);
    cache.set('d', 4);
    expect(cache.size).toBe(4);
    expect([...cache.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    cache.set('e', 5);
    expect(cache.size).toBe(4);
  });

  it('keeps per-entry sliding expiry, and fixed entries fixed, in a cache whose default slides', () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now, cleanupIntervalMs: 0, slidingTtl: true });
    cache.set('slides', 1, { ttlMs: 100 });
    cache.set('own', 2, { ttlMs: 300, sliding: true });
    cache.set('fixed', 3, { ttlMs: 100, sliding: false });
    c.advance(60);
    cache.resize(20);
    cache.resize(5);
    // 40 ms left after the resizes: a read within them renews the whole window, as before.
    c.advance(30);
    expect(cache.get('slides')).toBe(1);
    for (let i = 0; i < 3; i += 1) {
      c.advance(60);
      expect(cache.get('slides')).toBe(1);
      expect(cache.remainingTtl('slides')).toBe(100);
    }
    expect(cache.get('own')).toBe(2);
    expect(cache.remainingTtl('own')).toBe(300);
    expect(cache.get('fixed')).toBeUndefined();
    expect(cache.get('slides')).toBe(1);
  });

  it('keeps remaining TTLs, stale windows, tags and byte sizes', async () => {
    const c = clock();
    const cache = new Cache<string, string>({ maxEntries: 10, maxSizeBytes: 100, sizeOf: (v) => v.length, clock: c.now, cleanupIntervalMs: 0 });
    cache.set('short', 'xx', { ttlMs: 1_000, tags: ['t'] });
    cache.set('forever', 'yyyy', { tags: ['t', 'u'] });
    await cache.getOrLoad('swr', () => 'zzz', { ttlMs: 500, staleWhileRevalidateMs: 1_000 });
    c.advance(400);
    cache.resize(20);
    expect(cache.bytes).toBe(9);
    expect(cache.remainingTtl('short')).toBe(600);
    expect(cache.remainingTtl('forever')).toBe(Infinity);
    c.advance(200);
    // Expired, inside its stale window: served while a refresh runs.
    await expect(cache.getOrLoad('swr', () => 'new')).resolves.toBe('zzz');
    await cache.settled();
    expect(cache.get('swr')).toBe('new');
    c.advance(400);
    expect(cache.get('short')).toBeUndefined();
    expect(cache.invalidateTag('u')).toBe(1);
    expect(cache.get('forever')).toBeUndefined();
  });

  it('works for every built-in policy', () => {
    for (const evictionPolicy of ['clock-tinylfu', 'tinylfu', 'lru', 'fifo', 'lfu', 'sieve', 's3fifo', 'ttl'] as const) {
      const cache = new Cache<number, number>({ maxEntries: 100, evictionPolicy });
      for (let i = 0; i < 100; i += 1) cache.set(i, i);
      cache.resize(10);
      expect({ evictionPolicy, size: cache.size }).toEqual({ evictionPolicy, size: 10 });
      for (let i = 100; i < 300; i += 1) cache.set(i, i);
      expect({ evictionPolicy, size: cache.size }).toEqual({ evictionPolicy, size: 10 });
      for (const [k, v] of cache) expect(v).toBe(k);
      cache.resize(50);
      for (let i = 300; i < 400; i += 1) cache.set(i, i);
      expect({ evictionPolicy, size: cache.size }).toEqual({ evictionPolicy, size: 50 });
    }
  });

  it('refuses a size that is not a positive integer, and a closed cache, changing nothing', () => {
    const cache = new Cache<string, number>({ maxEntries: 3 });
    cache.set('a', 1);
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, '4' as unknown as number]) {
      expect(() => cache.resize(bad)).toThrow(/maxEntries/);
    }
    expect([cache.maxEntries, cache.get('a')]).toEqual([3, 1]);
    cache.close();
    expect(() => cache.resize(5)).toThrow(expect.objectContaining({ code: 'CACHE_CLOSED' }));
  });
});

describe('Cache.setDefaultTtl(ttlMs)', () => {
  it('applies to entries set from now on; entries held keep theirs', () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now, cleanupIntervalMs: 0 });
    cache.set('old', 1);
    cache.setDefaultTtl(1_000);
    expect(cache.defaultTtlMs).toBe(1_000);
    cache.set('new', 2);
    expect([cache.remainingTtl('old'), cache.remainingTtl('new')]).toEqual([Infinity, 1_000]);
    c.advance(1_000);
    expect([cache.get('old'), cache.get('new')]).toEqual([1, undefined]);
    cache.setDefaultTtl(0);
    cache.set('again', 3);
    expect(cache.remainingTtl('again')).toBe(Infinity);
  });

  it('refuses a negative or non-finite TTL, and a closed cache', () => {
    const cache = new Cache<string, number>({ maxEntries: 10, defaultTtlMs: 5 });
    for (const bad of [-1, Number.NaN, Infinity, '1' as unknown as number]) expect(() => cache.setDefaultTtl(bad)).toThrow(/ttlMs/);
    expect(cache.defaultTtlMs).toBe(5);
    cache.close();
    expect(() => cache.setDefaultTtl(1)).toThrow(expect.objectContaining({ code: 'CACHE_CLOSED' }));
  });
});
