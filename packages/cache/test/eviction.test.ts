import { describe, expect, it } from '@jest/globals';
import { Cache, DEFAULT_EVICTION_POLICY, EVICTION_POLICIES, type EvictionPolicyName } from '../src/index.js';

function make(policy: EvictionPolicyName, maxEntries: number): Cache<number, number> {
  return new Cache<number, number>({ maxEntries, evictionPolicy: policy, cleanupIntervalMs: 0 });
}

function replay(cache: Cache<number, number>, keys: readonly number[]): number {
  let hits = 0;
  for (const k of keys) {
    if (cache.get(k) !== undefined) hits += 1;
    else cache.set(k, k);
  }
  return hits / keys.length;
}

describe('eviction policies', () => {
  it('lists every built-in policy and defaults to clock-tinylfu', () => {
    expect(EVICTION_POLICIES).toEqual(['lru', 'lfu', 'fifo', 'ttl', 'clock-tinylfu', 'tinylfu', 's3fifo', 'sieve']);
    expect(DEFAULT_EVICTION_POLICY).toBe('clock-tinylfu');
    expect(new Cache({ maxEntries: 1 }).evictionPolicy).toBe('clock-tinylfu');
  });

  it('lru evicts the least recently used entry', () => {
    const cache = make('lru', 2);
    cache.set(1, 1);
    cache.set(2, 2);
    cache.get(1);
    cache.set(3, 3);
    expect([...cache.keys()].sort()).toEqual([1, 3]);
  });

  it('fifo ignores reads; ttl renews an entry when its value is replaced', () => {
    const fifo = make('fifo', 2);
    fifo.set(1, 1);
    fifo.set(2, 2);
    fifo.get(1);
    fifo.set(1, 10);
    fifo.set(3, 3);
    expect(fifo.has(1)).toBe(false);
    const ttl = make('ttl', 2);
    ttl.set(1, 1);
    ttl.set(2, 2);
    ttl.set(1, 10);
    ttl.set(3, 3);
    expect(ttl.has(1)).toBe(true);
    expect(ttl.has(2)).toBe(false);
  });

  it('lfu evicts the least frequently used entry, the oldest among equals', () => {
    const cache = make('lfu', 3);
    cache.set(1, 1);
    cache.set(2, 2);
    cache.set(3, 3);
    cache.get(1);
    cache.get(1);
    cache.get(3);
    cache.set(4, 4);
    expect(cache.has(2)).toBe(false);
    cache.set(5, 5);
    expect(cache.has(4)).toBe(false);
    expect(cache.has(1) && cache.has(3) && cache.has(5)).toBe(true);
    cache.delete(3);
    cache.get(5);
    cache.get(5);
    cache.get(5);
    cache.set(6, 6);
    cache.set(7, 7);
    expect(cache.has(1) && cache.has(5) && cache.has(7)).toBe(true);
  });

  it('sieve spares visited entries and evicts the first unvisited one from the old end', () => {
    const cache = make('sieve', 3);
    cache.set(1, 1);
    cache.set(2, 2);
    cache.set(3, 3);
    cache.get(1);
    cache.set(4, 4);
    expect(cache.has(2)).toBe(false);
    expect(cache.has(1)).toBe(true);
    cache.delete(3);
    cache.set(5, 5);
    cache.set(6, 6);
    expect(cache.size).toBe(3);
  });

  it('s3fifo filters one-hit wonders and readmits a recently evicted key to main', () => {
    const cache = make('s3fifo', 10);
    for (let i = 0; i < 9; i += 1) {
      cache.set(i, i);
      cache.get(i);
    }
    for (let i = 100; i < 200; i += 1) cache.set(i, i);
    let kept = 0;
    for (let i = 0; i < 9; i += 1) if (cache.has(i)) kept += 1;
    expect(kept).toBeGreaterThanOrEqual(8);
    cache.set(150, 150);
    expect(cache.get(150)).toBe(150);
  });

  it.each(['clock-tinylfu', 'tinylfu'] as const)('%s keeps a frequently used working set through a one-time scan ten times its size', (policy) => {
    const cache = make(policy, 100);
    const hot = Array.from({ length: 50 }, (_, i) => i);
    for (let round = 0; round < 20; round += 1) for (const k of hot) if (cache.get(k) === undefined) cache.set(k, k);
    for (let k = 1_000; k < 2_000; k += 1) if (cache.get(k) === undefined) cache.set(k, k);
    const kept = hot.filter((k) => cache.has(k)).length;
    expect(kept).toBeGreaterThanOrEqual(45);
    const lru = make('lru', 100);
    for (let round = 0; round < 20; round += 1) for (const k of hot) if (lru.get(k) === undefined) lru.set(k, k);
    for (let k = 1_000; k < 2_000; k += 1) if (lru.get(k) === undefined) lru.set(k, k);
    expect(hot.filter((k) => lru.has(k)).length).toBe(0);
  });

  it.each(['clock-tinylfu', 'tinylfu'] as const)('%s gets hits on a loop larger than the cache, where lru gets none', (policy) => {
    const loop: number[] = [];
    for (let r = 0; r < 60; r += 1) for (let k = 0; k < 300; k += 1) loop.push(k);
    expect(replay(make('lru', 200), loop)).toBe(0);
    expect(replay(make(policy, 200), loop)).toBeGreaterThan(0.3);
  });

  it.each(['clock-tinylfu', 'tinylfu'] as const)('%s adapts its window: a recency-biased workload scores close to lru', (policy) => {
    // Keys are used in bursts and then never again: recency wins, frequency carries no signal.
    const keys: number[] = [];
    let next = 0;
    for (let burst = 0; burst < 3_000; burst += 1) {
      const base = next;
      next += 10;
      for (let r = 0; r < 4; r += 1) for (let k = 0; k < 10; k += 1) keys.push(base + k);
    }
    const lru = replay(make('lru', 100), keys);
    const tiny = replay(make(policy, 100), keys);
    expect(tiny).toBeGreaterThan(lru - 0.05);
  });

  it('every policy keeps working after clear', () => {
    for (const policy of EVICTION_POLICIES) {
      const cache = make(policy, 5);
      for (let i = 0; i < 20; i += 1) cache.set(i, i);
      cache.clear();
      expect(cache.size).toBe(0);
      for (let i = 0; i < 20; i += 1) {
        cache.set(i, i);
        cache.get(i);
      }
      expect(cache.size).toBe(5);
    }
  });

  it('lets onEvict use the cache (re-entrant calls see a consistent cache)', () => {
    for (const policy of EVICTION_POLICIES) {
      const log: number[] = [];
      const cache: Cache<number, number> = new Cache<number, number>({
        maxEntries: 3,
        evictionPolicy: policy,
        onEvict: (k, _v, reason) => {
          if (reason === 'evicted') {
            log.push(k);
            expect(cache.has(k)).toBe(false);
            if (k < 100) cache.set(k + 100, k);
          }
        },
      });
      for (let i = 0; i < 10; i += 1) cache.set(i, i);
      expect(cache.size).toBeLessThanOrEqual(3);
      expect(log.length).toBeGreaterThan(0);
      for (const [k, v] of cache.entries()) expect(k >= 100 ? v === k - 100 : v === k).toBe(true);
    }
  });
});
