import { describe, expect, it, jest } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import { clock, deferred } from '@patinox/test-servers';
import { Cache, CACHE_DUPLICATE_KEY, CACHE_LOAD_ABORTED, CACHE_LOADER_FAILED } from '../src/index.js';

describe('Cache bulk calls', () => {
  it('getMany(keys) answers in key order, one lookup per distinct key', () => {
    const cache = new Cache<string, number>({ maxEntries: 10 });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.getMany(['b', 'x', 'a', 'b', 'x'])).toEqual([2, undefined, 1, 2, undefined]);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1 });
    expect(cache.getMany([])).toEqual([]);
    expect(() => cache.getMany('ab' as never)).toThrow(TypeError);
  });

  it('getMany(keys, loader) calls the loader once with the distinct missing keys and stores what it returns', async () => {
    const cache = new Cache<string, number>({ maxEntries: 10 });
    cache.set('a', 1);
    const loader = jest.fn((keys: string[]) => new Map(keys.filter((k) => k !== 'nope').map((k) => [k, k.length * 10] as [string, number])));
    await expect(cache.getMany(['a', 'bb', 'ccc', 'bb', 'nope'], loader, { ttlMs: 1_000, tags: ['bulk'] })).resolves.toEqual([1, 20, 30, 20, undefined]);
    expect(loader).toHaveBeenCalledTimes(1);
    expect(loader.mock.calls[0]![0]).toEqual(['bb', 'ccc', 'nope']);
    expect(cache.has('nope')).toBe(false);
    expect(cache.remainingTtl('bb')).toBeGreaterThan(0);
    expect(cache.invalidateTag('bulk')).toBe(2);
    // Pairs work as well as a Map, sync or async; nothing missing means no loader call.
    await expect(cache.getMany(['p', 'q'], async (keys) => keys.map((k) => [k, 7] as const))).resolves.toEqual([7, 7]);
    await expect(cache.getMany(['p'], loader)).resolves.toEqual([7]);
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.stats().loads).toBe(2);
  });

  it('shares loads with getOrLoad both ways', async () => {
    const cache = new Cache<string, number>({ maxEntries: 10 });
    const single = deferred<number>();
    const one = cache.getOrLoad('a', () => single.promise);
    const bulkGate = deferred<void>();
    const loader = jest.fn(async (keys: string[]) => {
      await bulkGate.promise;
      return keys.map((k) => [k, 2] as [string, number]);
    });
    const many = cache.getMany(['a', 'b'], loader);
    expect(loader.mock.calls[0]![0]).toEqual(['b']);
    const joined = cache.getOrLoad('b', () => 99);
    single.resolve(1);
    bulkGate.resolve();
    await expect(many).resolves.toEqual([1, 2]);
    await expect(one).resolves.toBe(1);
    await expect(joined).resolves.toBe(2);
  });

  it('rejects every key with CACHE_LOADER_FAILED when the bulk loader fails or returns garbage, storing nothing', async () => {
    const cache = new Cache<string, number>({ maxEntries: 10 });
    await expect(cache.getMany(['a', 'b'], () => Promise.reject(new Error('down')))).rejects.toMatchObject({ code: CACHE_LOADER_FAILED });
    await expect(cache.getMany(['a'], () => 42 as never)).rejects.toMatchObject({ code: CACHE_LOADER_FAILED });
    await expect(cache.getMany(['a'], () => [['a']] as never)).rejects.toMatchObject({ code: CACHE_LOADER_FAILED });
    expect(cache.size).toBe(0);
    // A getOrLoad joining a key the bulk loader leaves out gets a coded error, not undefined.
    const gate = deferred<void>();
    const many = cache.getMany(['x', 'y'], async () => {
      await gate.promise;
      return new Map([['x', 1]]);
    });
    const y = cache.getOrLoad('y', () => 5);
    gate.resolve();
    await expect(many).resolves.toEqual([1, undefined]);
    await expect(y).rejects.toMatchObject({ code: CACHE_LOADER_FAILED });
    expect(cache.stats().loadFailures).toBe(3);
  });

  it('does not store what a bulk loader returns after close', async () => {
    const cache = new Cache<string, number>({ maxEntries: 10 });
    const gate = deferred<void>();
    const many = cache.getMany(['a', 'b'], async () => {
      await gate.promise;
      return new Map([['a', 1], ['b', 2]]);
    });
    cache.close();
    gate.resolve();
    await expect(many).resolves.toEqual([1, 2]);
    expect(cache.size).toBe(0);
  });

  it('honours signal and hardTimeoutMs in getMany', async () => {
    const cache = new Cache<string, number>({ maxEntries: 10 });
    const controller = new AbortController();
    const never = new Promise<Map<string, number>>(() => undefined);
    const p = cache.getMany(['a'], () => never, { signal: controller.signal });
    controller.abort();
    await expect(p).rejects.toMatchObject({ code: CACHE_LOAD_ABORTED });
    await expect(cache.getMany(['b'], () => new Map([['b', 1]]), { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: CACHE_LOAD_ABORTED });
    await expect(cache.getMany(['a'], 'x' as never)).rejects.toThrow(TypeError);
    await expect(cache.getMany(['a'], () => new Map(), { hardTimeoutMs: -1 })).rejects.toThrow(RangeError);
  });

  it('setMany checks every entry first: a duplicate key or a bad entry stores nothing', () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now, maxSizeBytes: 100, sizeOf: () => 1 });
    expect(cache.setMany([{ key: 'a', value: 1 }, { key: 'b', value: 2, ttlMs: 50, tags: ['t'] }, { key: 'c', value: 3, sizeBytes: 500 }])).toBe(2);
    expect(cache.stats().rejected).toBe(1);
    expect(cache.remainingTtl('b')).toBe(50);
    let err: unknown;
    try {
      cache.setMany([{ key: 'x', value: 1 }, { key: 'y', value: 2 }, { key: 'x', value: 3 }]);
    } catch (e) {
      err = e;
    }
    expect(isPatinoxError(err, CACHE_DUPLICATE_KEY)).toBe(true);
    expect(err).toMatchObject({ context: { index: 2, firstIndex: 0, key: 'x' } });
    expect(() => cache.setMany([{ key: 'x', value: 1 }, { key: 'y', value: undefined as never }])).toThrow('`entries[1].value`');
    expect(() => cache.setMany([{ key: 'x', value: 1 }, { key: 'y', value: 2, ttlMs: -1 }])).toThrow('`entries[1].ttlMs`');
    expect(() => cache.setMany([{ key: 'x', value: 1 }, null as never])).toThrow(TypeError);
    expect(() => cache.setMany({} as never)).toThrow(TypeError);
    expect(cache.has('x')).toBe(false);
    expect(cache.size).toBe(2);
  });

  it('deleteMany counts distinct keys removed; remainingTtl reports ms left, Infinity or undefined', () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now });
    cache.setMany([{ key: 'a', value: 1, ttlMs: 100 }, { key: 'b', value: 2 }, { key: 'c', value: 3 }]);
    c.advance(30);
    expect(cache.remainingTtl('a')).toBe(70);
    expect(cache.remainingTtl('b')).toBe(Infinity);
    expect(cache.remainingTtl('zz')).toBeUndefined();
    c.advance(70);
    expect(cache.remainingTtl('a')).toBeUndefined();
    expect(cache.deleteMany(['b', 'b', 'nope', 'c'])).toBe(2);
    expect(cache.size).toBe(1);
    expect(() => cache.deleteMany('b' as never)).toThrow(TypeError);
  });

  it('peek allowStale returns a stale value without counting a hit or changing recency', async () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 2, clock: c.now, evictionPolicy: 'lru' });
    await cache.getOrLoad('s', () => 1, { ttlMs: 10, staleWhileRevalidateMs: 100 });
    cache.set('other', 2);
    c.advance(20);
    const before = cache.stats();
    expect(cache.peek('s', { allowStale: true })).toBe(1);
    expect(cache.peek('s', { allowStale: false })).toBeUndefined();
    expect(cache.peek('s')).toBeUndefined();
    expect(cache.stats()).toEqual(before);
    expect(() => cache.peek('s', { allowStale: 1 as never })).toThrow(TypeError);
    expect(() => cache.peek('other', { allowStale: 'no' as never })).toThrow(TypeError);
    // Still the least recently used: the next insert evicts it.
    cache.set('new', 3);
    expect(cache.peek('s', { allowStale: true })).toBeUndefined();
    expect(cache.get('other')).toBe(2);
  });
});
