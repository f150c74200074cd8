import { describe, it, expect, afterAll, afterEach, beforeAll, beforeEach, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { isPatinoxError } from '@patinox/errors';
import { MemoryMonitor, type MonitorEvent } from '@patinox/monitor';
import { deferred, redisUrl } from '@patinox/test-servers';
import { RedisBackend, RedisBus } from '../src/backends/redis.js';
import { MemoryBackend, TieredCache, type TieredCacheOptions, type TieredLoaderContext } from '../src/tiered/index.js';

/** getOrLoad's timeouts, grace copies, failure backoff, loader context and refresh ahead, on real Redis. */
describe('TieredCache loading on Redis', () => {
  const open: TieredCache<unknown>[] = [];
  const clock = { now: 0 };
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  let raw: Redis;
  let ns = '';

  beforeAll(() => {
    raw = new Redis(redisUrl());
    process.on('unhandledRejection', onUnhandled);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map(async (c) => {
      await c.clear().catch(() => undefined);
      await c.close();
    }));
    expect(unhandled).toEqual([]);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await raw.quit();
  });

  /** A cache on its own connection and bus; instances made in one test share the namespace and the clock. */
  async function make<V>(options: Partial<TieredCacheOptions<V>> = {}, fresh = false): Promise<TieredCache<V>> {
    if (fresh || ns === '') ns = `load-${randomUUID().slice(0, 8)}`;
    const l2 = new RedisBackend({ url: redisUrl() });
    const bus = new RedisBus({ client: l2.client });
    await bus.ready;
    const cache = new TieredCache<V>({ l2, bus, namespace: ns, clock: () => clock.now, ...options });
    open.push(cache as TieredCache<unknown>);
    return cache;
  }
  const fresh = <V>(options: Partial<TieredCacheOptions<V>> = {}): Promise<TieredCache<V>> => make<V>(options, true);

  /** Makes `key`'s value expire now in Redis (the grace copy stays), without waiting for its TTL. */
  const expire = async (key: string): Promise<void> => {
    await raw.del(`${ns}:v:${key}`);
  };

  /** Resolves once `cache` announced a change of `key` (a write it made, e.g. a background load). */
  async function changed(cache: TieredCache<unknown>, key: string, during: () => unknown): Promise<void> {
    const events = cache.subscribeInvalidation();
    const seen = (async () => {
      for await (const event of events) if (event.keys.includes(key)) return;
    })();
    during();
    await seen;
    await events.return?.();
  }

  beforeEach(() => {
    clock.now = 0;
  });

  describe('softTimeoutMs', () => {
    it('answers with the grace copy when the loader is slower, and the load still fills the cache', async () => {
      const cache = await fresh<number>({ l1: false, graceMs: 60_000 });
      await cache.getOrLoad('k', () => 1, { ttlMs: 60_000 });
      await expire('k');
      const slow = deferred<number>();
      await expect(cache.getOrLoad('k', () => slow.promise, { ttlMs: 60_000, softTimeoutMs: 20 })).resolves.toBe(1);
      expect(cache.stats().staleServed).toBe(1);
      await changed(cache as TieredCache<unknown>, 'k', () => slow.resolve(2));
      expect(await cache.get('k')).toBe(2);
    });

    it('keeps waiting for the loader when there is no stale value', async () => {
      const cache = await fresh<number>({ l1: false });
      const slow = deferred<number>();
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'hrtime', 'performance', 'Date'] });
      let result: Promise<number>;
      try {
        result = cache.getOrLoad('k', () => slow.promise, { softTimeoutMs: 5 });
        // Past the soft timeout on the fake timers: with no stale value the caller keeps waiting.
        await jest.advanceTimersByTimeAsync(15);
      } finally {
        jest.useRealTimers();
      }
      slow.resolve(3);
      await expect(result).resolves.toBe(3);
      expect(cache.stats().staleServed).toBe(0);
    });
  });

  describe('hardTimeoutMs', () => {
    it('rejects with CACHE_LOAD_TIMEOUT (retry), and the load goes on and fills the cache', async () => {
      const cache = await fresh<number>({ l1: false, hardTimeoutMs: 10 });
      const slow = deferred<number>();
      const err = await cache.getOrLoad('k', () => slow.promise).catch((e: unknown) => e);
      expect(isPatinoxError(err, 'CACHE_LOAD_TIMEOUT')).toBe(true);
      expect(err).toMatchObject({ recovery: 'retry', context: { key: 'k', hardTimeoutMs: 10 } });
      await changed(cache as TieredCache<unknown>, 'k', () => slow.resolve(4));
      expect(await cache.get('k')).toBe(4);
    });

    it('does not turn a late loader failure into an unhandled rejection', async () => {
      const cache = await fresh<number>({ l1: false });
      const slow = deferred<number>();
      await expect(cache.getOrLoad('k', () => slow.promise, { hardTimeoutMs: 5 })).rejects.toMatchObject({ code: 'CACHE_LOAD_TIMEOUT' });
      // Another caller joins the load still running; the one that gave up is no longer listening.
      const joined = cache.getOrLoad('k', () => 5);
      slow.reject(new Error('late'));
      await expect(joined).rejects.toThrow('late');
      await expect(cache.getOrLoad('k', () => 5)).resolves.toBe(5);
      expect(cache.stats().loadFailures).toBe(1);
    });
  });

  describe('graceMs', () => {
    it('serves the grace copy when the reload fails, and the error without one', async () => {
      const cache = await fresh<number>({ l1: false });
      await cache.getOrLoad('k', () => 1, { ttlMs: 60_000, graceMs: 60_000 });
      await expire('k');
      const boom = new Error('db down');
      await expect(cache.getOrLoad('k', () => Promise.reject(boom), { graceMs: 60_000 })).resolves.toBe(1);
      expect(cache.stats()).toMatchObject({ staleServed: 1, loads: 2, loadFailures: 1 });
      await expect(cache.getOrLoad('other', () => Promise.reject(boom), { graceMs: 60_000 })).rejects.toBe(boom);
    });

    it('keeps grace copies for set() with a cache-level graceMs, and delete() removes them', async () => {
      const cache = await fresh<number>({ l1: false, graceMs: 60_000 });
      await cache.set('a', 1, { ttlMs: 60_000 });
      await cache.set('b', 2, { ttlMs: 60_000 });
      expect(await raw.pttl(`${ns}:g:a`)).toBeGreaterThan(60_000);
      await expire('a');
      await expect(cache.getOrLoad('a', () => Promise.reject(new Error('x')))).resolves.toBe(1);
      await cache.delete('b');
      expect(await raw.exists(`${ns}:g:b`)).toBe(0);
      await expect(cache.getOrLoad('b', () => Promise.reject(new Error('gone')))).rejects.toThrow('gone');
    });

    it('hands the grace copy to the loader as context.stale', async () => {
      const cache = await fresh<{ n: number }>({ l1: false, graceMs: 60_000 });
      await cache.getOrLoad('k', () => ({ n: 1 }), { ttlMs: 60_000 });
      await expire('k');
      let stale: unknown = 'unset';
      await cache.getOrLoad('k', (_key, context) => {
        stale = context.stale;
        return { n: 2 };
      });
      expect(stale).toEqual({ n: 1 });
    });
  });

  describe('failureBackoffMs', () => {
    it('calls a failing loader again only after the backoff, doubling it, and a success resets it', async () => {
      const cache = await fresh<number>({ l1: false, failureBackoffMs: 100, maxFailureBackoffMs: 150 });
      let calls = 0;
      let fail = true;
      const loader = (): number => {
        calls += 1;
        if (fail) throw new Error(`failure ${calls}`);
        return calls;
      };
      await expect(cache.getOrLoad('k', loader)).rejects.toThrow('failure 1');
      // Within the backoff: the last failure, without a loader call.
      await expect(cache.getOrLoad('k', loader)).rejects.toThrow('failure 1');
      clock.now = 99;
      await expect(cache.getOrLoad('k', loader)).rejects.toThrow('failure 1');
      expect(calls).toBe(1);
      clock.now = 100;
      await expect(cache.getOrLoad('k', loader)).rejects.toThrow('failure 2');
      // Second failure: min(150, 100 × 2) = 150 ms.
      clock.now = 249;
      await expect(cache.getOrLoad('k', loader)).rejects.toThrow('failure 2');
      clock.now = 250;
      fail = false;
      await expect(cache.getOrLoad('k', loader)).resolves.toBe(3);
      await cache.delete('k');
      fail = true;
      await expect(cache.getOrLoad('k', loader)).rejects.toThrow('failure 4');
      clock.now = 350;
      await expect(cache.getOrLoad('k', loader)).rejects.toThrow('failure 5');
      expect(calls).toBe(5);
      // clear() forgets backoffs, in regions too.
      const region = cache.region('r');
      await expect(region.getOrLoad('k', loader)).rejects.toThrow('failure 6');
      await expect(region.getOrLoad('k', loader)).rejects.toThrow('failure 6');
      await cache.clear();
      await expect(cache.getOrLoad('k', loader)).rejects.toThrow('failure 7');
      await expect(region.getOrLoad('k', loader)).rejects.toThrow('failure 8');
    });

    it('serves the grace copy while the backoff holds the loader back', async () => {
      const cache = await fresh<number>({ l1: false, failureBackoffMs: 1000, graceMs: 60_000 });
      await cache.getOrLoad('k', () => 1, { ttlMs: 60_000 });
      await expire('k');
      let calls = 0;
      const failing = (): number => {
        calls += 1;
        throw new Error('down');
      };
      await expect(cache.getOrLoad('k', failing)).resolves.toBe(1);
      await expect(cache.getOrLoad('k', failing)).resolves.toBe(1);
      expect(calls).toBe(1);
      expect(cache.stats().staleServed).toBe(2);
    });
  });

  describe('loader context', () => {
    it('lets the loader set the TTL and tags, or not cache at all', async () => {
      const cache = await fresh<string>({ l1: false });
      await cache.getOrLoad('ttl', (_k, context) => {
        context.setTtl(5_000);
        context.setTags(['team:1']);
        return 'v';
      }, { ttlMs: 60_000 });
      const left = await cache.remainingTtl('ttl');
      expect(left).toBeGreaterThan(4_000);
      expect(left).toBeLessThanOrEqual(5_000);
      expect(await cache.invalidateTag('team:1')).toBe(1);
      expect(await cache.get('ttl')).toBeUndefined();
      await expect(cache.getOrLoad('skip', (_k, context) => {
        context.doNotCache();
        return 'once';
      })).resolves.toBe('once');
      expect(await cache.get('skip')).toBeUndefined();
      expect(await raw.exists(`${ns}:v:skip`)).toBe(0);
    });

    it('rejects an invalid setTtl at once, naming the value, and caches nothing', async () => {
      const cache = await fresh<string>({ l1: false });
      const bad = [-1, Number.NaN, Infinity, '5' as unknown as number];
      for (const ttl of bad) {
        const attempt = cache.getOrLoad('k', (_k, context: TieredLoaderContext<string>) => {
          context.setTtl(ttl);
          return 'v';
        });
        await expect(attempt).rejects.toThrow(/Expected `ttlMs` to be a non-negative finite number/);
      }
      await expect(cache.getOrLoad('k', (_k, context) => {
        context.setTags([''] as string[]);
        return 'v';
      })).rejects.toThrow('Expected `tags` to be an array of non-empty well-formed strings');
      expect(await cache.get('k')).toBeUndefined();
      expect(cache.stats().loadFailures).toBe(bad.length + 1);
    });
  });

  describe('refreshAfterMs', () => {
    it('returns the old value at once and runs one background refresh across instances', async () => {
      const a = await fresh<string>({ refreshAfterMs: 1_000 });
      const b = await make<string>({ refreshAfterMs: 1_000 });
      let calls = 0;
      const refreshed = deferred<void>();
      const loader = async (_key: string, context: TieredLoaderContext<string>): Promise<string> => {
        calls += 1;
        expect(context.isRefresh).toBe(calls > 1);
        if (calls > 1) {
          expect(context.stale).toBe('v1');
          refreshed.resolve();
        }
        return `v${calls}`;
      };
      expect(await a.getOrLoad('k', loader, { ttlMs: 60_000 })).toBe('v1');
      expect(await b.getOrLoad('k', loader, { ttlMs: 60_000 })).toBe('v1');
      expect(await a.getOrLoad('k', loader, { ttlMs: 60_000 })).toBe('v1');
      expect(calls).toBe(1);
      clock.now = 1_500;
      const arrived = changed(b as TieredCache<unknown>, 'k', () => undefined);
      const results = await Promise.all([a.getOrLoad('k', loader, { ttlMs: 60_000 }), b.getOrLoad('k', loader, { ttlMs: 60_000 }), a.getOrLoad('k', loader, { ttlMs: 60_000 })]);
      expect(results).toEqual(['v1', 'v1', 'v1']);
      await refreshed.promise;
      await arrived;
      expect(await b.getOrLoad('k', loader, { ttlMs: 60_000 })).toBe('v2');
      expect(await a.getOrLoad('k', loader, { ttlMs: 60_000 })).toBe('v2');
      // Every refresh either instance started (a skipped one included) has ended before counting.
      await Promise.all([a.settled(), b.settled()]);
      expect(calls).toBe(2);
    });
  });

  describe('close() during a background refresh', () => {
    it('aborts the refresh loader, lets go of the lock, writes nothing and reports no failure', async () => {
      const monitor = new MemoryMonitor();
      const cache = await fresh<string>({ refreshAfterMs: 1_000, monitor });
      expect(await cache.getOrLoad('k', () => 'v1', { ttlMs: 60_000 })).toBe('v1');
      clock.now = 1_500;
      const started = deferred<AbortSignal>();
      const release = deferred<void>();
      expect(await cache.getOrLoad('k', async (_key, context) => {
        started.resolve(context.signal);
        await release.promise;
        return 'after-close';
      })).toBe('v1');
      const signal = await started.promise;
      expect(await raw.exists(`${ns}:l:k`)).toBe(1);
      const closing = cache.close();
      expect(signal.aborted).toBe(true);
      // The loader ignores its signal and answers after close began: close waits for it (within its bound).
      release.resolve();
      await closing;
      expect(await raw.exists(`${ns}:l:k`)).toBe(0);
      const copy = await make<string>({ l1: false });
      expect(await copy.get('k')).toBe('v1');
      expect(monitor.events('cache.tiered.refresh.failed')).toEqual([]);
    });

    it('does not wait past operationTimeoutMs for a loader that never answers', async () => {
      const cache = await fresh<string>({ refreshAfterMs: 1_000, operationTimeoutMs: 200 });
      expect(await cache.getOrLoad('k', () => 'v1', { ttlMs: 60_000 })).toBe('v1');
      clock.now = 1_500;
      const started = deferred<void>();
      expect(await cache.getOrLoad('k', () => {
        started.resolve();
        return new Promise<string>(() => undefined);
      })).toBe('v1');
      await started.promise;
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'hrtime', 'performance', 'Date'] });
      try {
        let closed = false;
        const closing = cache.close().then(() => (closed = true));
        await jest.advanceTimersByTimeAsync(199);
        expect(closed).toBe(false);
        await jest.advanceTimersByTimeAsync(1);
        await closing;
        expect(closed).toBe(true);
      } finally {
        jest.useRealTimers();
      }
    });
  });

  describe('refreshAfterMs without a recorded write time', () => {
    it('ages an entry written by set() from first sight, and keeps it when the refresh fails', async () => {
      const monitor = new MemoryMonitor();
      const failureReported = deferred<void>();
      const watching = {
        record: (event: MonitorEvent): void => {
          monitor.record(event);
          if (event.type === 'cache.tiered.refresh.failed') failureReported.resolve();
        },
      };
      const cache = await fresh<string>({ refreshAfterMs: 1_000, monitor: watching });
      await cache.set('k', 'set', { ttlMs: 60_000 });
      let calls = 0;
      const called = deferred<void>();
      const failing = (): string => {
        calls += 1;
        called.resolve();
        throw new Error('refresh failed');
      };
      expect(await cache.getOrLoad('k', failing)).toBe('set');
      // The first hit only learns the age (none recorded: from now on).
      await cache.settled();
      expect(calls).toBe(0);
      clock.now = 1_000;
      expect(await cache.getOrLoad('k', failing)).toBe('set');
      await called.promise;
      await new Promise((r) => setImmediate(r));
      expect(calls).toBe(1);
      expect(cache.stats().loadFailures).toBe(1);
      expect(await cache.get('k')).toBe('set');
      // Once the failed refresh has let go of the key (it reports the failure, then lets go), the next hit refreshes again.
      await failureReported.promise;
      await new Promise((r) => setImmediate(r));
      const refreshedAgain = deferred<void>();
      expect(await cache.getOrLoad('k', () => {
        refreshedAgain.resolve();
        return 'refreshed';
      })).toBe('set');
      await refreshedAgain.promise;
      expect(monitor.events('cache.tiered.refresh.failed').map((e) => e.data)).toEqual([{ namespace: ns, key: 'k', error: 'refresh failed' }]);
    });
  });

  describe('bad input', () => {
    it('refuses negative, non-finite and too large times with the option name', async () => {
      const cache = await fresh<number>({ l1: false });
      for (const name of ['softTimeoutMs', 'hardTimeoutMs', 'graceMs', 'failureBackoffMs', 'maxFailureBackoffMs', 'refreshAfterMs']) {
        for (const value of [-1, Number.NaN, Infinity, 2 ** 31]) {
          await expect(cache.getOrLoad('k', () => 1, { [name]: value })).rejects.toThrow(`Expected \`${name}\` to be a non-negative number of ms at most 2147483647`);
          expect(() => new TieredCache({ l2: new MemoryBackend(), namespace: 'x', [name]: value })).toThrow(`Expected \`${name}\``);
        }
      }
      await expect(cache.getOrLoad('k', () => 1, { sliding: 'yes' as never })).rejects.toThrow('Expected `sliding` to be a boolean');
    });

    it('ignores a loader that resolves after close: no write, callers see CACHE_CLOSED', async () => {
      // close() waits operationTimeoutMs for the loader, then goes on without it.
      const cache = await fresh<number>({ l1: false, operationTimeoutMs: 300 });
      const late = deferred<number>();
      const started = deferred<void>();
      const pending = cache.getOrLoad('k', () => {
        started.resolve();
        return late.promise;
      });
      await started.promise;
      await cache.close();
      late.resolve(9);
      await expect(pending).rejects.toMatchObject({ code: 'CACHE_CLOSED' });
      expect(await raw.exists(`${ns}:v:k`)).toBe(0);
    });
  });
});
