import { describe, expect, it } from '@jest/globals';
import { clock } from '@patinox/test-servers';
import { Cache, type EvictionStrategy } from '../src/index.js';

describe('Cache.stats load figures, evictions by cause and reset', () => {
  it('counts evictions by cause: size, expired, strategy', () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 2, clock: c.now, evictionPolicy: 'lru' });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    cache.set('t', 4, { ttlMs: 5 });
    c.advance(5);
    cache.get('t');
    cache.delete('c');
    const vetoing: EvictionStrategy<string, number> = {
      shouldEvict: (e) => e.value < 0,
      onAccess: () => undefined,
      onInsert: () => undefined,
      evictionPriority: () => 0,
    };
    const custom = new Cache<string, number>({ maxEntries: 5, evictionPolicy: vetoing });
    custom.set('neg', -1);
    custom.get('neg');
    expect(cache.stats().evictionsByCause).toEqual({ size: 2, expired: 1, strategy: 0 });
    expect(custom.stats().evictionsByCause).toEqual({ size: 0, expired: 0, strategy: 1 });
    expect(custom.stats().evictions.evicted).toBe(1);
  });

  it('reset: true returns the figures, then zeroes counters but not gauges', async () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now });
    cache.set('a', 1);
    cache.get('a');
    cache.get('x');
    await cache.getOrLoad('l', () => {
      c.advance(40);
      return 2;
    });
    await cache.getOrLoad('f', () => Promise.reject(new Error('no'))).catch(() => undefined);
    const first = cache.stats({ reset: true });
    expect(first).toMatchObject({ hits: 1, misses: 3, inserts: 2, loads: 2, loadFailures: 1, loadTimeTotalMs: 40, loadTimeP99Ms: 40, size: 2 });
    const after = cache.stats();
    expect(after).toMatchObject({ hits: 0, misses: 0, inserts: 0, loads: 0, loadFailures: 0, loadTimeTotalMs: 0, loadTimeP99Ms: 0, staleServed: 0, size: 2, hitRate: 0 });
    expect(after.evictionsByCause).toEqual({ size: 0, expired: 0, strategy: 0 });
    expect(() => cache.stats({ reset: 'yes' as never })).toThrow(TypeError);
    expect(() => cache.stats(null as never)).toThrow(TypeError);
  });

  it('exports the load figures and evictions by cause as metrics', async () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 1, clock: c.now, name: 'm', graceMs: 100 });
    await cache.getOrLoad('a', () => {
      c.advance(12);
      return 1;
    }, { ttlMs: 5 });
    c.advance(10);
    await cache.getOrLoad('a', () => Promise.reject(new Error('down')));
    cache.set('b', 2);
    const metrics = cache.collectMetrics();
    const value = (name: string, labels: Record<string, string> = {}): unknown =>
      (metrics.find((m) => m.name === name && Object.entries(labels).every(([k, v]) => m.labels[k] === v)) as { value?: unknown } | undefined)?.value;
    expect(value('patinox_cache_loads_total')).toBe(2);
    expect(value('patinox_cache_load_failures_total')).toBe(1);
    expect(value('patinox_cache_load_time_ms_total')).toBe(12);
    expect(value('patinox_cache_load_time_p99_ms')).toBe(12);
    expect(value('patinox_cache_stale_served_total')).toBe(1);
    expect(value('patinox_cache_evictions_total', { cause: 'size' })).toBe(1);
    expect(value('patinox_cache_evictions_total', { cause: 'expired' })).toBe(0);
    expect(metrics.find((m) => m.name === 'patinox_cache_load_time_p99_ms')?.type).toBe('gauge');
  });
});
