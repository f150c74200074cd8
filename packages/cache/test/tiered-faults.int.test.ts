import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { MemoryMonitor } from '@patinox/monitor';
import { eventually, disposeRedis, startRedis, type RedisServerHandle } from '@patinox/test-servers';
import { RedisBackend, RedisBus } from '../src/backends/redis.js';
import { TieredCache, type TieredCacheOptions } from '../src/tiered/index.js';

/** Settles every promise, failing if any is still pending after `ms` (a hung caller). */
async function settleWithin<T>(promises: Promise<T>[], ms: number): Promise<PromiseSettledResult<T>[]> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`callers still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.allSettled(promises), hung]);
  } finally {
    clearTimeout(timer);
  }
}

describe('TieredCache against a redis-server that dies and comes back', () => {
  let server: RedisServerHandle;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  const caches: TieredCache<unknown>[] = [];

  const make = async <V>(options: Partial<TieredCacheOptions<V>> = {}): Promise<TieredCache<V>> => {
    const l2 = new RedisBackend({ url: server.url });
    const bus = new RedisBus({ client: l2.client });
    await bus.ready;
    const cache = new TieredCache<V>({
      l2,
      bus,
      namespace: 'faults',
      operationTimeoutMs: 300,
      circuitBreaker: { failureThreshold: 3, resetTimeoutMs: 100 },
      ...options,
    });
    caches.push(cache as TieredCache<unknown>);
    return cache;
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    server = await startRedis();
  });

  afterAll(async () => {
    await Promise.all(caches.map((c) => c.close()));
    await disposeRedis(server);
    process.off('unhandledRejection', onUnhandled);
  });

  it('survives a kill mid-load, keeps serving L1, opens the circuit, and recovers with no stale L1', async () => {
    const monitor = new MemoryMonitor();
    const a = await make<number>({ monitor });
    const b = await make<number>();
    await a.set('stable', 1);
    await a.set('other', 1);
    expect(await b.get('stable')).toBe(1);
    expect(await b.get('other')).toBe(1);

    // Load from both instances while the server is killed underneath.
    let stop = false;
    let issued = 0;
    const load = (async () => {
      const inflight: Promise<unknown>[] = [];
      for (let i = 0; !stop; i += 1, issued = i) {
        const cache = i % 2 === 0 ? a : b;
        inflight.push(cache.set(`load:${i % 50}`, i), cache.get(`load:${(i * 7) % 50}`));
        if (inflight.length >= 64) await Promise.allSettled(inflight.splice(0));
        await new Promise((r) => setImmediate(r));
      }
      return Promise.allSettled(inflight);
    })();
    // The kill lands mid-load: after some operations went through, and the load runs on until both
    // instances have seen the outage (a's circuit left closed, its bus went down).
    await eventually(() => issued >= 200);
    await server.kill();
    await eventually(() => a.stats().circuit.state !== 'closed' && a.stats().bus.state === 'disconnected');
    stop = true;
    await settleWithin([load], 2000);

    // Callers fail fast with the coded error; none hangs past the operation timeout.
    const during = await settleWithin<unknown>([a.set('stable', 2), a.get('never-cached'), b.getOrLoad('x', () => 1)], 1000);
    for (const result of during) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'CACHE_BACKEND_UNAVAILABLE' });
    }
    // L1 keeps serving what it has while Redis is gone.
    expect(await b.get('stable')).toBe(1);
    expect(b.stats().staleServed).toBeGreaterThan(0);
    expect(a.stats().circuit.state).not.toBe('closed');
    expect(a.stats().bus.state).toBe('disconnected');
    expect((await a.health()).status).toBe('down');

    await server.restart();
    // Nothing was persisted: once the bus is back, L1 copies from before the outage must be gone.
    await eventually(async () => {
      await a.get('probe').catch(() => undefined);
      await b.get('probe').catch(() => undefined);
      return a.stats().bus.state === 'connected' && b.stats().bus.state === 'connected' && a.stats().circuit.state === 'closed' && b.stats().circuit.state === 'closed';
    });
    expect(await b.get('stable')).toBeUndefined();
    expect(await b.get('other')).toBeUndefined();
    expect(b.stats().l1Flushes).toBeGreaterThan(0);
    // Coherence works again after recovery.
    await a.set('after', 1);
    expect(await b.get('after')).toBe(1);
    await a.set('after', 2);
    await eventually(async () => (await b.get('after')) === 2);
    expect(monitor.events('cache.tiered.circuit.open').length).toBeGreaterThan(0);
    expect(monitor.events('cache.tiered.bus.reconnected').length).toBeGreaterThan(0);
    expect(unhandled).toEqual([]);
  });

  it('degrades to L1-only writes during an outage when configured', async () => {
    const cache = await make<number>({ degradeToL1: true, namespace: 'faults-degrade' });
    await cache.set('k', 1);
    await server.stop();
    const results = await settleWithin([cache.set('k', 2), cache.set('j', 3)], 1000);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(await cache.get('k', { allowStale: true })).toBe(2);
    expect(await cache.get('missing')).toBeUndefined();
    expect(cache.stats().degradedWrites).toBe(2);
    await server.restart();
    await eventually(async () => {
      await cache.get('probe').catch(() => undefined);
      return cache.stats().bus.state === 'connected' && cache.stats().circuit.state === 'closed';
    });
    // L1-only writes are dropped on recovery rather than served as if Redis had them.
    expect(await cache.get('k')).toBeUndefined();
    expect(unhandled).toEqual([]);
  });
});
