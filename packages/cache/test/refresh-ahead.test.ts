import { describe, expect, it } from '@jest/globals';
import { clock, deferred } from '@patinox/test-servers';
import { Cache } from '../src/index.js';

describe('Cache.getOrLoad refreshAfterMs (refresh ahead)', () => {
  it('answers at once and refreshes once in the background after refreshAfterMs, before expiry', async () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now, refreshAfterMs: 800, defaultTtlMs: 1_000 });
    await cache.getOrLoad('k', () => 1);
    let calls = 0;
    const d = deferred<number>();
    const loader = (_k: string, ctx: { isRefresh: boolean; stale: number | undefined }): Promise<number> => {
      calls += 1;
      expect(ctx).toMatchObject({ isRefresh: true, stale: 1 });
      return d.promise;
    };
    c.advance(799);
    await expect(cache.getOrLoad('k', loader)).resolves.toBe(1);
    expect(calls).toBe(0);
    c.advance(1);
    await expect(cache.getOrLoad('k', loader)).resolves.toBe(1);
    await expect(cache.getOrLoad('k', loader)).resolves.toBe(1);
    expect(calls).toBe(1);
    expect(cache.stats()).toMatchObject({ staleServed: 2, hits: 3 });
    d.resolve(2);
    await cache.settled();
    // The refreshed entry got a new TTL and write time.
    expect(cache.get('k')).toBe(2);
    expect(cache.remainingTtl('k')).toBe(1_000);
    c.advance(799);
    await expect(cache.getOrLoad('k', () => 3)).resolves.toBe(2);
    await cache.settled();
    expect(cache.get('k')).toBe(2);
  });

  it('applies per call, and not to entries without a TTL or written before it was in use', async () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now });
    cache.set('old', 1, { ttlMs: 10_000 });
    cache.set('forever', 1);
    await cache.getOrLoad('k', () => 1, { ttlMs: 10_000, refreshAfterMs: 100 });
    c.advance(100);
    let calls = 0;
    const loader = (): number => (calls += 1) + 10;
    for (const key of ['old', 'forever']) await cache.getOrLoad(key, loader, { refreshAfterMs: 100 });
    expect(calls).toBe(0);
    await expect(cache.getOrLoad('k', loader, { refreshAfterMs: 100 })).resolves.toBe(1);
    await cache.settled();
    expect(calls).toBe(1);
    expect(cache.get('k')).toBe(11);
    // Without the option the same hit refreshes nothing.
    c.advance(100);
    await cache.getOrLoad('k', loader);
    await cache.settled();
    expect(calls).toBe(1);
  });

  it('keeps the value when the refresh fails and reports it', async () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now, refreshAfterMs: 10, defaultTtlMs: 1_000 });
    await cache.getOrLoad('k', () => 1);
    c.advance(10);
    await expect(cache.getOrLoad('k', () => Promise.reject(new Error('down')))).resolves.toBe(1);
    await cache.settled();
    expect(cache.get('k')).toBe(1);
    expect(cache.stats().loadFailures).toBe(1);
  });
});

describe('Cache.settled()', () => {
  it('resolves only when every load has ended: foreground, background, regions, and loads started while waiting', async () => {
    const cache = new Cache<string, number>({ maxEntries: 10, defaultTtlMs: 1_000 });
    const region = cache.region<string, number>('r');
    const first = deferred<number>();
    const inRegion = deferred<number>();
    const later = deferred<number>();
    const failing = deferred<number>();
    void cache.getOrLoad('a', () => first.promise);
    void region.getOrLoad('b', () => inRegion.promise);
    cache.getOrLoad('c', () => failing.promise).catch(() => undefined);
    let settled = false;
    const waiting = cache.settled().then(() => (settled = true));
    await Promise.resolve();
    first.resolve(1);
    // A load that starts while settled() waits is waited for too.
    void cache.getOrLoad('d', () => later.promise);
    await first.promise;
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    failing.resolve(Promise.reject(new Error('down')) as unknown as number);
    inRegion.resolve(2);
    await inRegion.promise;
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    later.resolve(4);
    await waiting;
    expect([cache.get('a'), region.get('b'), cache.get('d')]).toEqual([1, 2, 4]);
    await expect(cache.settled()).resolves.toBeUndefined();
  });

  it('waits for a load whose caller gave up at hardTimeoutMs', async () => {
    const cache = new Cache<string, number>({ maxEntries: 10 });
    const slow = deferred<number>();
    await expect(cache.getOrLoad('k', () => slow.promise, { hardTimeoutMs: 1 })).rejects.toMatchObject({ code: 'CACHE_LOAD_TIMEOUT' });
    let settled = false;
    const waiting = cache.settled().then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    slow.resolve(5);
    await waiting;
    expect(cache.get('k')).toBe(5);
  });
});
