import { describe, expect, it, jest } from '@jest/globals';
import { checkHealth, MemoryMonitor, MetricsRegistry } from '@patinox/monitor';
import { Cache } from '../src/index.js';

describe('Cache monitoring', () => {
  it('exposes counters through collectMetrics for a MetricsRegistry', () => {
    const cache = new Cache<string, number>({ maxEntries: 2, name: 'users' });
    cache.set('a', 1);
    cache.get('a');
    cache.get('zz');
    cache.set('b', 2);
    cache.set('c', 3);
    const registry = new MetricsRegistry();
    registry.addCollector(() => cache.collectMetrics());
    const snap = registry.collect();
    const value = (name: string, labels: Record<string, string> = { cache: 'users' }): number | undefined => {
      const m = snap.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels));
      return m !== undefined && m.type !== 'histogram' ? m.value : undefined;
    };
    expect(value('patinox_cache_hits_total')).toBe(1);
    expect(value('patinox_cache_misses_total')).toBe(1);
    expect(value('patinox_cache_entries')).toBe(2);
    expect(value('patinox_cache_removals_total', { cache: 'users', reason: 'evicted' })).toBe(1);
    expect(value('patinox_cache_hit_ratio')).toBe(0.5);
  });

  it('reports health up while open and down once closed', async () => {
    const cache = new Cache<string, number>({ maxEntries: 2 });
    expect((await checkHealth([cache.healthCheck()])).status).toBe('up');
    await cache[Symbol.asyncDispose]();
    expect((await checkHealth([cache.healthCheck()])).status).toBe('down');
  });

  it('sweeps expired entries on an unref-ed timer that close stops', () => {
    jest.useFakeTimers();
    try {
      let now = 0;
      const monitor = new MemoryMonitor();
      const cache = new Cache<string, number>({ maxEntries: 10, clock: () => now, cleanupIntervalMs: 1_000, monitor });
      expect(jest.getTimerCount()).toBe(0);
      cache.set('a', 1, { ttlMs: 500 });
      cache.set('b', 2);
      expect(jest.getTimerCount()).toBe(1);
      now = 600;
      jest.advanceTimersByTime(1_000);
      expect(cache.size).toBe(1);
      expect(monitor.events('cache.swept')[0]?.data).toEqual({ expired: 1, size: 1 });
      cache.close();
      expect(jest.getTimerCount()).toBe(0);
      expect(monitor.events('cache.closed')).toHaveLength(1);
      expect(monitor.events('cache.cleared')).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('counts hits, misses and peek/has without touching stats', () => {
    const cache = new Cache<string, number>({ maxEntries: 2 });
    cache.set('a', 1);
    expect(cache.peek('a')).toBe(1);
    expect(cache.has('a')).toBe(true);
    expect(cache.peek('b')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 0, hitRate: 0, inserts: 1, size: 1 });
    expect([...cache]).toEqual([['a', 1]]);
    expect(cache.delete('zz')).toBe(false);
  });
});
