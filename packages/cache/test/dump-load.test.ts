import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import { Cache, CACHE_CLOSED, CACHE_DUMP_INVALID, type CacheDump } from '../src/index.js';

// Date.now (dumpedAt) and the cache clock both come from jest's fake clock.
beforeEach(() => {
  jest.useFakeTimers({ now: 5_000_000 });
});
afterEach(() => {
  jest.useRealTimers();
});

function makeCache(options: { maxEntries?: number; maxSizeBytes?: number } = {}): Cache<string, { n: number }> {
  return new Cache<string, { n: number }>({ maxEntries: 10, clock: () => Date.now(), cleanupIntervalMs: 0, ...options });
}

describe('Cache.dump / load', () => {
  it('round-trips entries, remaining TTLs, stale windows and tags, aged by the time between dump and load', async () => {
    const a = makeCache();
    a.set('forever', { n: 1 }, { tags: ['t1', 't2'] });
    a.set('ttl', { n: 2 }, { ttlMs: 1_000 });
    a.set('gone', { n: 3 }, { ttlMs: 10 });
    await a.getOrLoad('stale', () => ({ n: 4 }), { ttlMs: 500, staleWhileRevalidateMs: 200 });
    jest.advanceTimersByTime(100);
    const dump = JSON.parse(JSON.stringify(a.dump())) as CacheDump<string, { n: number }>;
    expect(dump).toMatchObject({ format: 'patinox-cache-dump', version: 1, dumpedAt: 5_000_100 });
    expect(dump.entries.map((e) => e.key).sort()).toEqual(['forever', 'stale', 'ttl']);
    expect(dump.entries.find((e) => e.key === 'ttl')).toEqual({ key: 'ttl', value: { n: 2 }, ttlMs: 900, staleMs: 0, tags: [], sizeBytes: 0 });
    expect(dump.entries.find((e) => e.key === 'forever')).toMatchObject({ ttlMs: null, tags: ['t1', 't2'] });
    expect(dump.entries.find((e) => e.key === 'stale')).toMatchObject({ ttlMs: 400, staleMs: 200 });

    jest.advanceTimersByTime(300);
    const b = makeCache();
    expect(b.load(dump)).toBe(3);
    expect(b.remainingTtl('ttl')).toBe(600);
    expect(b.remainingTtl('stale')).toBe(100);
    expect(b.remainingTtl('forever')).toBe(Infinity);
    expect(b.invalidateTag('t2')).toBe(1);
    jest.advanceTimersByTime(150);
    expect(b.peek('stale', { allowStale: true })).toEqual({ n: 4 });
    // An entry whose TTL ran out between dump and load is skipped.
    jest.advanceTimersByTime(1_000);
    expect(makeCache().load(dump)).toBe(1);
  });

  it('dumps coldest first, so a smaller cache that loads it keeps the hottest', () => {
    const a = new Cache<string, { n: number }>({ maxEntries: 4, evictionPolicy: 'lru' });
    for (let i = 0; i < 4; i += 1) a.set(`k${i}`, { n: i });
    a.get('k0');
    a.get('k1');
    const b = new Cache<string, { n: number }>({ maxEntries: 2, evictionPolicy: 'lru' });
    b.load(a.dump());
    expect([...b.keys()].sort()).toEqual(['k0', 'k1']);
  });

  it.each(['clock-tinylfu', 'tinylfu', 'lru', 's3fifo'] as const)('loads only the hottest entries that fit into a smaller %s cache (W-TinyLFU kept the coldest)', (evictionPolicy) => {
    const a = new Cache<string, { n: number }>({ maxEntries: 150, evictionPolicy: 'lru' });
    for (let i = 0; i < 150; i += 1) a.set(`k${i}`, { n: i });
    const hottest = Array.from({ length: 100 }, (_, i) => `k${i + 50}`).sort();
    const b = new Cache<string, { n: number }>({ maxEntries: 100, evictionPolicy });
    expect(b.load(a.dump())).toBe(100);
    expect([...b.keys()].sort()).toEqual(hottest);
    expect(b.stats().evictions.evicted).toBe(0);
    // By bytes: each entry weighs its n, so the hottest that fit in 300 bytes are k149 and k148 (297).
    const sized = new Cache<string, { n: number }>({ maxEntries: 100, maxSizeBytes: 300, sizeOf: (v) => v.n, evictionPolicy });
    expect(sized.load(a.dump())).toBe(2);
    expect([...sized.keys()].sort()).toEqual(['k148', 'k149']);
  });

  it('refuses an incompatible or malformed dump with CACHE_DUMP_INVALID and loads nothing', () => {
    const good = { format: 'patinox-cache-dump', version: 1, dumpedAt: Date.now(), entries: [{ key: 'a', value: { n: 1 }, ttlMs: null, staleMs: 0, tags: [], sizeBytes: 0 }] };
    const bad: [unknown, string][] = [
      [null, 'not an object'],
      [{ ...good, format: 'lru-cache' }, 'unknown format'],
      [{ ...good, version: 2 }, 'version 2'],
      [{ ...good, dumpedAt: -1 }, 'dumpedAt'],
      [{ ...good, entries: {} }, 'entries'],
      [{ ...good, entries: [...good.entries, { ...good.entries[0], key: 'b', ttlMs: -5 }] }, 'entry 1'],
      [{ ...good, entries: [...good.entries, { ...good.entries[0], key: 'b', value: undefined }] }, 'entry 1'],
      [{ ...good, entries: [...good.entries, { ...good.entries[0], key: 'b', tags: [1] }] }, 'entry 1'],
      [{ ...good, entries: [...good.entries, { ...good.entries[0], key: 'b', staleMs: Number.NaN }] }, 'entry 1'],
      [{ ...good, entries: [...good.entries, { ...good.entries[0], key: 'b', sizeBytes: 'x' }] }, 'entry 1'],
      [{ ...good, entries: [...good.entries, { ...good.entries[0] }] }, 'appears earlier'],
      [{ ...good, entries: [...good.entries, 7] }, 'entry 1'],
    ];
    const cache = makeCache();
    for (const [dump, message] of bad) {
      let err: unknown;
      try {
        cache.load(dump as never);
      } catch (e) {
        err = e;
      }
      expect(isPatinoxError(err, CACHE_DUMP_INVALID)).toBe(true);
      expect((err as Error).message).toContain(message);
      expect(cache.size).toBe(0);
    }
    expect(cache.load(good as never)).toBe(1);
    cache.close();
    expect(() => cache.load(good as never)).toThrow(expect.objectContaining({ code: CACHE_CLOSED }));
  });

  it('keeps sizes, and measures entries dumped without one', () => {
    const sized = new Cache<string, { n: number }>({ maxEntries: 10, maxSizeBytes: 100, sizeOf: (v) => v.n });
    sized.set('a', { n: 30 });
    const plain = makeCache();
    plain.set('b', { n: 20 });
    const target = new Cache<string, { n: number }>({ maxEntries: 10, maxSizeBytes: 100, sizeOf: (v) => v.n * 2 });
    target.load(sized.dump());
    target.load(plain.dump());
    expect(target.bytes).toBe(30 + 40);
  });

  it('carries per-entry sliding TTLs: a loaded sliding entry keeps sliding by its own TTL', () => {
    const a = makeCache();
    a.set('session', { n: 1 }, { ttlMs: 1_000, sliding: true });
    a.set('fixed', { n: 2 }, { ttlMs: 1_000 });
    jest.advanceTimersByTime(400);
    const dump = JSON.parse(JSON.stringify(a.dump())) as CacheDump<string, { n: number }>;
    expect(dump.version).toBe(1);
    expect(dump.entries.find((e) => e.key === 'session')).toMatchObject({ ttlMs: 600, slidingTtlMs: 1_000 });
    expect(dump.entries.find((e) => e.key === 'fixed')).not.toHaveProperty('slidingTtlMs');

    jest.advanceTimersByTime(100);
    const b = makeCache();
    expect(b.load(dump)).toBe(2);
    // Loaded with the 500 ms it has left, then a read after part of it renews the whole 1 s window.
    expect(b.remainingTtl('session')).toBe(500);
    jest.advanceTimersByTime(300);
    expect(b.get('session')).toEqual({ n: 1 });
    expect(b.remainingTtl('session')).toBe(1_000);
    expect(b.get('fixed')).toEqual({ n: 2 });
    expect(b.remainingTtl('fixed')).toBe(200);
    jest.advanceTimersByTime(900);
    expect(b.get('session')).toEqual({ n: 1 });
    expect(b.get('fixed')).toBeUndefined();
  });

  it('loads a dump written without slidingTtlMs, and refuses a malformed one', () => {
    const old = { format: 'patinox-cache-dump', version: 1, dumpedAt: Date.now(), entries: [{ key: 'a', value: { n: 1 }, ttlMs: 500, staleMs: 0, tags: [], sizeBytes: 0 }] };
    const b = makeCache();
    expect(b.load(old as never)).toBe(1);
    jest.advanceTimersByTime(300);
    b.get('a');
    expect(b.remainingTtl('a')).toBe(200);
    for (const slidingTtlMs of [-1, Number.NaN, 'x', Infinity]) {
      let err: unknown;
      try {
        makeCache().load({ ...old, entries: [{ ...old.entries[0], slidingTtlMs }] } as never);
      } catch (e) {
        err = e;
      }
      expect(isPatinoxError(err, CACHE_DUMP_INVALID)).toBe(true);
      expect((err as Error).message).toContain('slidingTtlMs');
    }
    expect(() => makeCache().load({ ...old, entries: [{ ...old.entries[0], ttlMs: null, slidingTtlMs: 500 }] } as never)).toThrow(/without a TTL/);
  });
});
