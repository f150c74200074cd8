import { describe, expect, it, jest } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import { MemoryMonitor } from '@patinox/monitor';
import { clock, deferred } from '@patinox/test-servers';
import { Cache, CACHE_CLOSED, CACHE_LOAD_ABORTED, CACHE_LOADER_FAILED } from '../src/index.js';

describe('Cache.getOrLoad', () => {
  it('shares one loader call between concurrent callers and caches the result', async () => {
    const cache = new Cache<string, number>({ maxEntries: 10 });
    const d = deferred<number>();
    const loader = jest.fn(() => d.promise);
    const a = cache.getOrLoad('k', loader);
    const b = cache.getOrLoad('k', loader);
    d.resolve(42);
    await expect(Promise.all([a, b])).resolves.toEqual([42, 42]);
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.get('k')).toBe(42);
    await expect(cache.getOrLoad('k', loader)).resolves.toBe(42);
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.stats().loads).toBe(1);
  });

  it('does not cache loader errors and gives every waiter the same coded error', async () => {
    const monitor = new MemoryMonitor();
    const cache = new Cache<string, number>({ maxEntries: 10, monitor });
    const d = deferred<number>();
    const a = cache.getOrLoad('k', () => d.promise);
    const b = cache.getOrLoad('k', () => Promise.resolve(1));
    d.reject(new Error('db down'));
    const [ea, eb] = await Promise.allSettled([a, b]);
    expect(ea.status).toBe('rejected');
    const reason = (ea as PromiseRejectedResult).reason as Error;
    expect(isPatinoxError(reason, CACHE_LOADER_FAILED)).toBe(true);
    expect(reason.cause).toEqual(new Error('db down'));
    expect((eb as PromiseRejectedResult).reason).toBe(reason);
    expect(cache.has('k')).toBe(false);
    await expect(cache.getOrLoad('k', () => 7)).resolves.toBe(7);
    expect(cache.stats().loadFailures).toBe(1);
    expect(monitor.events('cache.load.failed')).toHaveLength(1);
  });

  it('turns a synchronous throw and an undefined result into CACHE_LOADER_FAILED', async () => {
    const cache = new Cache<string, number>({ maxEntries: 10 });
    await expect(
      cache.getOrLoad('k', () => {
        throw new Error('sync');
      }),
    ).rejects.toMatchObject({ code: CACHE_LOADER_FAILED });
    await expect(cache.getOrLoad('k', () => undefined as unknown as number)).rejects.toMatchObject({ code: CACHE_LOADER_FAILED });
    expect(cache.size).toBe(0);
  });

  it('lets an aborted caller go without aborting the shared load', async () => {
    const cache = new Cache<string, number>({ maxEntries: 10 });
    const d = deferred<number>();
    let loaderSignal: AbortSignal | undefined;
    const controller = new AbortController();
    const a = cache.getOrLoad(
      'k',
      (_k, ctx) => {
        loaderSignal = ctx.signal;
        return d.promise;
      },
      { signal: controller.signal },
    );
    const b = cache.getOrLoad('k', () => 0);
    controller.abort(new Error('user left'));
    await expect(a).rejects.toMatchObject({ code: CACHE_LOAD_ABORTED });
    expect(loaderSignal?.aborted).toBe(false);
    d.resolve(5);
    await expect(b).resolves.toBe(5);
    expect(cache.get('k')).toBe(5);
    await expect(cache.getOrLoad('x', () => 1, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: CACHE_LOAD_ABORTED });
  });

  it('serves a stale value while exactly one background refresh runs', async () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now });
    let calls = 0;
    const d = deferred<number>();
    await cache.getOrLoad('k', () => 1, { ttlMs: 100, staleWhileRevalidateMs: 1_000 });
    c.advance(150);
    expect(cache.get('k')).toBeUndefined();
    const loader = (): Promise<number> => {
      calls += 1;
      return d.promise;
    };
    await expect(cache.getOrLoad('k', loader, { ttlMs: 100, staleWhileRevalidateMs: 1_000 })).resolves.toBe(1);
    await expect(cache.getOrLoad('k', loader, { ttlMs: 100, staleWhileRevalidateMs: 1_000 })).resolves.toBe(1);
    expect(calls).toBe(1);
    d.resolve(2);
    await d.promise;
    await Promise.resolve();
    expect(cache.get('k')).toBe(2);
    expect(cache.stats().staleHits).toBe(2);
  });

  it('keeps the stale value when a refresh fails, and reports it', async () => {
    const c = clock();
    const monitor = new MemoryMonitor();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now, monitor, staleWhileRevalidateMs: 500 });
    await cache.getOrLoad('k', () => 1, { ttlMs: 100 });
    c.advance(200);
    await expect(cache.getOrLoad('k', () => Promise.reject(new Error('no')))).resolves.toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(monitor.events('cache.refresh.failed')).toHaveLength(1);
    expect(cache.peek('k')).toBeUndefined();
    c.advance(1_000);
    await expect(cache.getOrLoad('k', () => 3)).resolves.toBe(3);
  });

  it('does not let a load overwrite a value set or deleted meanwhile', async () => {
    const cache = new Cache<string, number>({ maxEntries: 10 });
    const d = deferred<number>();
    const p = cache.getOrLoad('k', () => d.promise);
    cache.set('k', 99);
    d.resolve(1);
    await expect(p).resolves.toBe(1);
    expect(cache.get('k')).toBe(99);
  });

  it('rejects bad arguments and calls after close', async () => {
    const cache = new Cache<string, number>({ maxEntries: 10 });
    await expect(cache.getOrLoad('k', 'nope' as never)).rejects.toThrow('Expected `loader` to be a function');
    await expect(cache.getOrLoad('k', () => 1, { ttlMs: -1 })).rejects.toThrow(RangeError);
    await expect(cache.getOrLoad('k', () => 1, { signal: {} as never })).rejects.toThrow(TypeError);
    const d = deferred<number>();
    let signal: AbortSignal | undefined;
    const pending = cache.getOrLoad('slow', (_k, ctx) => {
      signal = ctx.signal;
      return d.promise;
    });
    cache.close();
    expect(signal?.aborted).toBe(true);
    d.resolve(1);
    await expect(pending).resolves.toBe(1);
    expect(cache.size).toBe(0);
    await expect(cache.getOrLoad('k', () => 1)).rejects.toMatchObject({ code: CACHE_CLOSED });
  });
});
