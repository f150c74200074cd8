import { describe, expect, it } from '@jest/globals';
import { Cache } from '../src/index.js';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((res) => (resolve = res));
  return { promise, resolve };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

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
    await tick();
    // The refreshed entry got a new TTL and write time.
    expect(cache.get('k')).toBe(2);
    expect(cache.remainingTtl('k')).toBe(1_000);
    c.advance(799);
    await expect(cache.getOrLoad('k', () => 3)).resolves.toBe(2);
    await tick();
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
    await tick();
    expect(calls).toBe(1);
    expect(cache.get('k')).toBe(11);
    // Without the option the same hit refreshes nothing.
    c.advance(100);
    await cache.getOrLoad('k', loader);
    await tick();
    expect(calls).toBe(1);
  });

  it('keeps the value when the refresh fails and reports it', async () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now, refreshAfterMs: 10, defaultTtlMs: 1_000 });
    await cache.getOrLoad('k', () => 1);
    c.advance(10);
    await expect(cache.getOrLoad('k', () => Promise.reject(new Error('down')))).resolves.toBe(1);
    await tick();
    expect(cache.get('k')).toBe(1);
    expect(cache.stats().loadFailures).toBe(1);
  });
});
