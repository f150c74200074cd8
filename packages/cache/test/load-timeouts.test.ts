import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import { deferred } from '@patinox/test-servers';
import { Cache, CACHE_LOAD_TIMEOUT, CACHE_LOADER_FAILED } from '../src/index.js';

// Timers and the cache's clock move together: jest's fake timers drive both setTimeout and Date.now.
beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  jest.useRealTimers();
});

function makeCache(options: Partial<ConstructorParameters<typeof Cache<string, number>>[0]> = {}): Cache<string, number> {
  return new Cache<string, number>({ maxEntries: 10, clock: () => Date.now(), cleanupIntervalMs: 0, ...options });
}

describe('Cache.getOrLoad soft and hard timeouts', () => {
  it('serves the grace value after softTimeoutMs and lets the load fill the cache later', async () => {
    const cache = makeCache({ graceMs: 60_000 });
    await cache.getOrLoad('k', () => 1, { ttlMs: 100 });
    jest.advanceTimersByTime(200);
    const slow = deferred<number>();
    const result = cache.getOrLoad('k', () => slow.promise, { ttlMs: 100, softTimeoutMs: 50 });
    await jest.advanceTimersByTimeAsync(49);
    let settled = false;
    void result.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe(1);
    expect(cache.stats().staleServed).toBe(1);
    slow.resolve(2);
    await jest.advanceTimersByTimeAsync(0);
    expect(cache.get('k')).toBe(2);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('ignores softTimeoutMs when there is no stale value', async () => {
    const cache = makeCache();
    const slow = deferred<number>();
    const result = cache.getOrLoad('k', () => slow.promise, { softTimeoutMs: 10 });
    await jest.advanceTimersByTimeAsync(1_000);
    slow.resolve(5);
    await expect(result).resolves.toBe(5);
    expect(cache.stats().staleServed).toBe(0);
  });

  it('gives up after hardTimeoutMs with CACHE_LOAD_TIMEOUT, and the late load still fills the cache', async () => {
    const cache = makeCache();
    const slow = deferred<number>();
    const loader = jest.fn(() => slow.promise);
    const result = cache.getOrLoad('k', loader, { hardTimeoutMs: 300 });
    const outcome = result.then(
      () => 'resolved',
      (err: unknown) => err,
    );
    await jest.advanceTimersByTimeAsync(299);
    await jest.advanceTimersByTimeAsync(1);
    const err = await outcome;
    expect(isPatinoxError(err, CACHE_LOAD_TIMEOUT)).toBe(true);
    expect(err).toMatchObject({ recovery: 'retry', context: { key: 'k', hardTimeoutMs: 300 } });
    // A caller meanwhile joins the same load instead of starting a second one.
    const second = cache.getOrLoad('k', loader);
    slow.resolve(7);
    await expect(second).resolves.toBe(7);
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.get('k')).toBe(7);
    const stats = cache.stats();
    expect(stats.loads).toBe(1);
    expect(stats.loadFailures).toBe(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('serves the grace value at the hard timeout when one exists', async () => {
    const cache = makeCache({ graceMs: 10_000, hardTimeoutMs: 100 });
    await cache.getOrLoad('k', () => 1, { ttlMs: 10 });
    jest.advanceTimersByTime(20);
    const result = cache.getOrLoad('k', () => new Promise<number>(() => undefined));
    await jest.advanceTimersByTimeAsync(100);
    await expect(result).resolves.toBe(1);
    expect(cache.stats().staleServed).toBe(1);
  });

  it('clears its timers when the load answers first', async () => {
    const cache = makeCache();
    await expect(cache.getOrLoad('k', () => Promise.resolve(3), { hardTimeoutMs: 1_000, softTimeoutMs: 500 })).resolves.toBe(3);
    expect(jest.getTimerCount()).toBe(0);
    await expect(cache.getOrLoad('x', () => Promise.reject(new Error('down')), { hardTimeoutMs: 1_000 })).rejects.toMatchObject({ code: CACHE_LOADER_FAILED });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('records load times from the clock: total and p99', async () => {
    const cache = makeCache();
    for (const ms of [10, 20, 30]) {
      const d = deferred<number>();
      const p = cache.getOrLoad(`k${ms}`, () => d.promise);
      jest.advanceTimersByTime(ms);
      d.resolve(ms);
      await p;
    }
    const stats = cache.stats();
    expect(stats.loadTimeTotalMs).toBe(60);
    expect(stats.loadTimeP99Ms).toBe(30);
  });

  it('refuses negative, non-finite and over-2^31-1 times, per call and per cache', async () => {
    const cache = makeCache();
    for (const name of ['softTimeoutMs', 'hardTimeoutMs', 'graceMs', 'failureBackoffMs', 'maxFailureBackoffMs', 'refreshAfterMs']) {
      for (const bad of [-1, Number.NaN, Infinity, 2 ** 31]) {
        await expect(cache.getOrLoad('k', () => 1, { [name]: bad })).rejects.toThrow(RangeError);
        expect(() => makeCache({ [name]: bad })).toThrow(new RegExp(`\`${name}\``));
      }
      await expect(cache.getOrLoad('k', () => 1, { [name]: '5' })).rejects.toThrow(TypeError);
    }
    expect(() => makeCache({ slidingTtl: 'yes' as never })).toThrow(TypeError);
    expect(cache.size).toBe(0);
  });
});
