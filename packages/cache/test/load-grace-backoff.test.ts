import { describe, expect, it, jest } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import { MemoryMonitor } from '@patinox/monitor';
import { clock } from '@patinox/test-servers';
import { Cache, CACHE_LOADER_FAILED } from '../src/index.js';

const failing = (): Promise<number> => Promise.reject(new Error('db down'));

describe('Cache.getOrLoad grace and failure backoff', () => {
  it('serves the grace value when the load fails, and a miss after graceMs', async () => {
    const c = clock();
    const monitor = new MemoryMonitor();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now, monitor, graceMs: 1_000, cleanupIntervalMs: 0 });
    await cache.getOrLoad('k', () => 1, { ttlMs: 100 });
    c.advance(150);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.peek('k')).toBeUndefined();
    expect(cache.peek('k', { allowStale: true })).toBe(1);
    await expect(cache.getOrLoad('k', failing)).resolves.toBe(1);
    expect(cache.stats()).toMatchObject({ staleServed: 1, loadFailures: 1 });
    // A load of a key that still has a value is a refresh (the loader's context says isRefresh).
    expect(monitor.events('cache.refresh.failed')).toHaveLength(1);
    expect(cache.purgeExpired()).toBe(0);
    c.advance(1_000);
    await expect(cache.getOrLoad('k', failing)).rejects.toMatchObject({ code: CACHE_LOADER_FAILED });
    expect(cache.peek('k', { allowStale: true })).toBeUndefined();
  });

  it('waits for the load when it succeeds within grace (grace is a fallback, not stale-while-revalidate)', async () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now, graceMs: 1_000 });
    await cache.getOrLoad('k', () => 1, { ttlMs: 100 });
    c.advance(150);
    await expect(cache.getOrLoad('k', (_k, ctx) => (ctx.stale ?? 0) + 1, { ttlMs: 100 })).resolves.toBe(2);
    expect(cache.get('k')).toBe(2);
    expect(cache.stats().staleServed).toBe(0);
  });

  it('does not call a failing loader again before the backoff has passed, then doubles it', async () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now, failureBackoffMs: 100, maxFailureBackoffMs: 250 });
    const loader = jest.fn(failing);
    const first = await cache.getOrLoad('k', loader).catch((e: unknown) => e);
    expect(isPatinoxError(first, CACHE_LOADER_FAILED)).toBe(true);
    // Within the backoff: the same error again, no loader call.
    c.advance(99);
    await expect(cache.getOrLoad('k', loader)).rejects.toBe(first);
    expect(loader).toHaveBeenCalledTimes(1);
    c.advance(1);
    await expect(cache.getOrLoad('k', loader)).rejects.toMatchObject({ code: CACHE_LOADER_FAILED });
    expect(loader).toHaveBeenCalledTimes(2);
    // Second failure: 200 ms; third: capped at 250 ms.
    c.advance(199);
    await expect(cache.getOrLoad('k', loader)).rejects.toMatchObject({ code: CACHE_LOADER_FAILED });
    expect(loader).toHaveBeenCalledTimes(2);
    c.advance(1);
    await expect(cache.getOrLoad('k', loader)).rejects.toMatchObject({ code: CACHE_LOADER_FAILED });
    expect(loader).toHaveBeenCalledTimes(3);
    c.advance(249);
    await expect(cache.getOrLoad('k', loader)).rejects.toMatchObject({ code: CACHE_LOADER_FAILED });
    expect(loader).toHaveBeenCalledTimes(3);
    c.advance(1);
    // A success resets the count: the next failure backs off 100 ms again.
    await expect(cache.getOrLoad('k', () => 5, { ttlMs: 10 })).resolves.toBe(5);
    c.advance(10);
    await expect(cache.getOrLoad('k', loader)).rejects.toMatchObject({ code: CACHE_LOADER_FAILED });
    c.advance(100);
    await expect(cache.getOrLoad('k', () => 6)).resolves.toBe(6);
  });

  it('serves the grace value while backing off, and other keys are not affected', async () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now, graceMs: 10_000, failureBackoffMs: 1_000 });
    await cache.getOrLoad('k', () => 1, { ttlMs: 10 });
    c.advance(20);
    const loader = jest.fn(failing);
    await expect(cache.getOrLoad('k', loader)).resolves.toBe(1);
    await expect(cache.getOrLoad('k', loader)).resolves.toBe(1);
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.stats().staleServed).toBe(2);
    await expect(cache.getOrLoad('other', () => 2)).resolves.toBe(2);
  });

  it('backs off stale-while-revalidate refreshes too: at most one failing refresh per backoff', async () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now, staleWhileRevalidateMs: 10_000, failureBackoffMs: 500 });
    await cache.getOrLoad('k', () => 1, { ttlMs: 10 });
    c.advance(20);
    const loader = jest.fn(failing);
    for (let i = 0; i < 5; i += 1) {
      await expect(cache.getOrLoad('k', loader)).resolves.toBe(1);
      await new Promise((r) => setImmediate(r));
    }
    expect(loader).toHaveBeenCalledTimes(1);
    c.advance(500);
    await expect(cache.getOrLoad('k', loader)).resolves.toBe(1);
    expect(loader).toHaveBeenCalledTimes(2);
  });

  it('remembers failures of at most maxEntries keys', async () => {
    const c = clock();
    const cache = new Cache<number, number>({ maxEntries: 3, clock: c.now, failureBackoffMs: 1_000 });
    for (let k = 0; k < 5; k += 1) await cache.getOrLoad(k, failing).catch(() => undefined);
    // Key 0 was forgotten (oldest of five over a limit of three): its loader runs again at once.
    await expect(cache.getOrLoad(0, () => 9)).resolves.toBe(9);
    await expect(cache.getOrLoad(4, () => 9)).rejects.toMatchObject({ code: CACHE_LOADER_FAILED });
  });
});
