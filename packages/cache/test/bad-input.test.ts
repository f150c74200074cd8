import { describe, expect, it, jest } from '@jest/globals';
import { isPatinoxError, MAX_TIMER_MS } from '@patinox/errors';
import { MemoryMonitor } from '@patinox/monitor';
import { Cache, CACHE_CLOSED, CACHE_ENTRY_TOO_LARGE, CacheEntryTooLargeError, CacheError } from '../src/index.js';

describe('Cache bad input', () => {
  it.each([0, -1, NaN, 1.5, Infinity])('rejects maxEntries %p with the house message', (maxEntries) => {
    expect(() => new Cache({ maxEntries })).toThrow(RangeError);
    expect(() => new Cache({ maxEntries })).toThrow(/Expected `maxEntries` to be a positive integer, got/);
  });

  it('refuses a maxEntries whose slots could not be allocated (1e9 was a fatal out-of-memory crash), in the constructor and resize', () => {
    for (const maxEntries of [2 ** 26 + 1, 2e8, 1e9, Number.MAX_SAFE_INTEGER]) {
      expect(() => new Cache({ maxEntries })).toThrow(new RangeError(`Expected \`maxEntries\` to be at most 67108864 (slots are allocated up front), got ${maxEntries} (number)`));
    }
    const cache = new Cache<string, number>({ maxEntries: 4 });
    cache.set('a', 1);
    expect(() => cache.resize(1e9)).toThrow(RangeError);
    expect(cache.maxEntries).toBe(4);
    expect(cache.get('a')).toBe(1);
    cache.close();
  });

  it('rejects options of the wrong type', () => {
    expect(() => new Cache(undefined as never)).toThrow('Expected `options` to be an object, got undefined');
    expect(() => new Cache({ maxEntries: '5' as never })).toThrow(TypeError);
    expect(() => new Cache({ maxEntries: 5, defaultTtlMs: -1 })).toThrow('Expected `defaultTtlMs` to be a non-negative finite number, got -1 (number)');
    expect(() => new Cache({ maxEntries: 5, defaultTtlMs: Infinity })).toThrow(RangeError);
    expect(() => new Cache({ maxEntries: 5, maxSizeBytes: 0 })).toThrow(RangeError);
    expect(() => new Cache({ maxEntries: 5, evictionPolicy: 'mru' as never })).toThrow(/Expected `evictionPolicy` to be one of lru, lfu/);
    expect(() => new Cache({ maxEntries: 5, evictionPolicy: { shouldEvict: () => false } as never })).toThrow(
      'Expected `evictionPolicy.onAccess` to be a function',
    );
    expect(() => new Cache({ maxEntries: 5, onEvict: 1 as never })).toThrow('Expected `onEvict` to be a function, got 1 (number)');
    expect(() => new Cache({ maxEntries: 5, name: '' })).toThrow(TypeError);
    expect(() => new Cache({ maxEntries: 5, monitor: {} as never })).toThrow(/Expected `monitor` to be a Monitor/);
  });

  it.each([2 ** 31, MAX_TIMER_MS + 0.5, Infinity, -1, NaN])('rejects cleanupIntervalMs %p: no timer can honour it (Node turns anything over 2^31-1 ms into 1 ms)', (cleanupIntervalMs) => {
    expect(() => new Cache({ maxEntries: 5, cleanupIntervalMs })).toThrow(RangeError);
    expect(() => new Cache({ maxEntries: 5, cleanupIntervalMs })).toThrow(/Expected `cleanupIntervalMs` to be a non-negative number of ms at most 2147483647/);
    // A region inherits the parent's period or validates its own the same way.
    expect(() => new Cache({ maxEntries: 5 }).region('r', { cleanupIntervalMs })).toThrow(RangeError);
  });

  it('accepts the longest period a timer honours and never fires it early', () => {
    jest.useFakeTimers();
    try {
      const monitor = new MemoryMonitor();
      let now = 0;
      const cache = new Cache<string, number>({ maxEntries: 5, cleanupIntervalMs: MAX_TIMER_MS, defaultTtlMs: 1, clock: () => now, monitor });
      cache.set('k', 1);
      now = 10;
      jest.advanceTimersByTime(1000);
      expect(monitor.events('cache.swept')).toHaveLength(0);
      jest.advanceTimersByTime(MAX_TIMER_MS);
      expect(monitor.events('cache.swept')).toHaveLength(1);
      cache.close();
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('rejects undefined values and bad TTLs, sizes and tags per call', () => {
    const cache = new Cache<string, number>({ maxEntries: 5 });
    expect(() => cache.set('k', undefined as never)).toThrow(/undefined marks a miss/);
    expect(() => cache.set('k', 1, { ttlMs: -5 })).toThrow('Expected `ttlMs` to be a non-negative finite number, got -5 (number)');
    expect(() => cache.set('k', 1, { ttlMs: NaN })).toThrow(RangeError);
    expect(() => cache.set('k', 1, { sizeBytes: -1 })).toThrow(RangeError);
    expect(() => cache.set('k', 1, { tags: 'a' as never })).toThrow('Expected `tags` to be an array of strings, got "a" (string)');
    expect(() => cache.invalidateTag(1 as never)).toThrow(TypeError);
    expect(cache.size).toBe(0);
  });

  it('throws a TypeError when sizeOf returns a non-number, and stores nothing', () => {
    const cache = new Cache<string, string>({ maxEntries: 5, maxSizeBytes: 100, sizeOf: () => 'big' as never });
    expect(() => cache.set('k', 'v')).toThrow('Expected `sizeOf(value, key)` to return a non-negative finite number, got "big" (string)');
    expect(cache.size).toBe(0);
  });

  it('does not admit an entry larger than maxSizeBytes, counts it and keeps every other entry', () => {
    const monitor = new MemoryMonitor();
    const rejections: unknown[] = [];
    const evicted: string[] = [];
    const cache = new Cache<string, string>({
      maxEntries: 10,
      maxSizeBytes: 10,
      sizeOf: (v) => v.length,
      monitor,
      onReject: (_k, e) => rejections.push(e),
      onEvict: (k) => evicted.push(k),
    });
    expect(cache.set('a', 'xxxx')).toBe(true);
    expect(cache.set('b', 'yyyy')).toBe(true);
    expect(cache.set('huge', 'z'.repeat(11))).toBe(false);
    expect(cache.has('a') && cache.has('b')).toBe(true);
    expect(evicted).toEqual([]);
    expect(cache.stats().rejected).toBe(1);
    const error = rejections[0] as CacheEntryTooLargeError;
    expect(error).toBeInstanceOf(CacheError);
    expect(isPatinoxError(error, CACHE_ENTRY_TOO_LARGE)).toBe(true);
    expect(error.context).toEqual({ sizeBytes: 11, maxSizeBytes: 10 });
    expect(monitor.events('cache.entry.rejected')[0]?.data).toMatchObject({ code: CACHE_ENTRY_TOO_LARGE });
    // A too-large replacement removes the old value rather than keeping it stale.
    expect(cache.set('a', 'q'.repeat(20))).toBe(false);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.set('c', 'w', { sizeBytes: 50 })).toBe(false);
  });

  it('reports a throwing onEvict or onReject to the monitor and keeps working', () => {
    const monitor = new MemoryMonitor();
    const cache = new Cache<string, number>({
      maxEntries: 1,
      maxSizeBytes: 5,
      sizeOf: (v) => v,
      monitor,
      onEvict: () => {
        throw new Error('boom');
      },
      onReject: () => {
        throw new Error('bang');
      },
    });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 9);
    expect(cache.get('b')).toBe(2);
    expect(monitor.events('cache.callback.failed').map((e) => e.data.callback)).toEqual(['onEvict', 'onReject']);
  });

  it('throws CACHE_CLOSED on set after close; dispose closes', () => {
    const cache = new Cache<string, number>({ maxEntries: 2 });
    cache.set('a', 1);
    cache[Symbol.dispose]();
    expect(cache.closed).toBe(true);
    expect(cache.get('a')).toBeUndefined();
    expect(() => cache.set('a', 1)).toThrow(expect.objectContaining({ code: CACHE_CLOSED }));
    expect(() => cache.region('r')).toThrow(expect.objectContaining({ code: CACHE_CLOSED }));
    cache.close();
  });

  it('accepts any key type: numbers, NaN, objects, bigint, symbols', () => {
    for (const policy of ['lru', 'tinylfu', 's3fifo'] as const) {
      const cache = new Cache<unknown, number>({ maxEntries: 10, evictionPolicy: policy });
      const obj = {};
      const sym = Symbol('s');
      const keys: unknown[] = [1, 1.5, NaN, -0, obj, 10n, sym, null, true, 'x'];
      keys.forEach((k, i) => cache.set(k, i));
      keys.forEach((k, i) => expect(cache.get(k)).toBe(i === 3 ? 3 : i));
    }
  });
});
