import { Cache, type CacheOptions, type EvictionPolicyName, type EvictionReason, type EvictionStrategy } from '../index.js';
import type { TestFramework } from './framework.js';

/** An eviction policy for the L1 `Cache`: a built-in name or a custom strategy. */
export type PolicyTarget = EvictionPolicyName | EvictionStrategy<string, number>;

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The behaviour every eviction policy must keep in the in-process `Cache` (the L1 of a tier). */
export function policySuite(t: TestFramework, name: string, evictionPolicy: PolicyTarget): void {
  const { describe, it, expect } = t;
  describe(`Cache conformance (${name})`, () => {
    const make = (options: Partial<CacheOptions<string, number>> = {}): Cache<string, number> =>
      new Cache<string, number>({ maxEntries: 50, evictionPolicy, cleanupIntervalMs: 0, ...options });

    it('never holds more than maxEntries and returns only values that were set', () => {
      const cache = make();
      const truth = new Map<string, number>();
      const random = rng(7);
      for (let i = 0; i < 5_000; i += 1) {
        const key = `k${Math.floor(random() ** 2 * 300)}`;
        const op = random();
        if (op < 0.5) {
          const v = cache.get(key);
          if (v !== undefined) expect(v).toBe(truth.get(key));
        } else if (op < 0.95) {
          cache.set(key, i);
          truth.set(key, i);
        } else {
          cache.delete(key);
          truth.delete(key);
          expect(cache.has(key)).toBe(false);
        }
        expect(cache.size).toBeLessThanOrEqual(50);
      }
      expect([...cache.keys()].length).toBe(cache.size);
    });

    it('keeps a value readable right after set', () => {
      const cache = make({ maxEntries: 3 });
      for (let i = 0; i < 20; i += 1) {
        cache.set(`k${i}`, i);
        expect(cache.get(`k${i}`)).toBe(i);
      }
    });

    it('honours TTLs with an injected clock, lazily and in the sweep', () => {
      const c = clock();
      const cache = make({ clock: c.now, defaultTtlMs: 100 });
      cache.set('a', 1);
      cache.set('b', 2, { ttlMs: 300 });
      cache.set('c', 3, { ttlMs: 0 });
      c.advance(99);
      expect(cache.get('a')).toBe(1);
      c.advance(1);
      expect(cache.get('a')).toBeUndefined();
      expect(cache.has('b')).toBe(true);
      expect([...cache.keys()].sort()).toEqual(['b', 'c']);
      c.advance(200);
      expect(cache.peek('b')).toBeUndefined();
      expect(cache.purgeExpired()).toBe(1);
      expect(cache.size).toBe(1);
      expect(cache.get('c')).toBe(3);
      expect(cache.stats().expired).toBe(2);
    });

    it('reports every removal reason to onEvict', () => {
      const c = clock();
      const seen: [string, number, EvictionReason][] = [];
      const cache = make({ maxEntries: 2, clock: c.now, onEvict: (k, v, r) => seen.push([k, v, r]) });
      cache.set('a', 1);
      cache.set('a', 2);
      cache.delete('a');
      cache.set('t', 9, { ttlMs: 10 });
      c.advance(10);
      cache.get('t');
      cache.set('x', 1);
      cache.set('y', 2);
      cache.get('x');
      cache.get('y');
      cache.set('z', 3);
      cache.clear();
      const reasons = seen.map((s) => s[2]);
      expect(seen.slice(0, 4)).toEqual([
        ['a', 1, 'replaced'],
        ['a', 2, 'deleted'],
        ['t', 9, 'expired'],
        expect.arrayContaining([expect.any(String), expect.any(Number), 'evicted']),
      ]);
      expect(reasons.filter((r) => r === 'cleared')).toHaveLength(2);
      expect(cache.size).toBe(0);
    });

    it('keeps stats consistent with what happened', () => {
      const cache = make({ maxEntries: 10 });
      const random = rng(3);
      let gets = 0;
      for (let i = 0; i < 2_000; i += 1) {
        const key = `k${Math.floor(random() * 40)}`;
        if (random() < 0.6) {
          gets += 1;
          cache.get(key);
        } else cache.set(key, i);
      }
      const s = cache.stats();
      expect(s.hits + s.misses).toBe(gets);
      expect(s.hitRate).toBeCloseTo(s.hits / gets, 10);
      expect(s.size).toBe(cache.size);
      expect(s.inserts - (s.removals - s.evictions.replaced)).toBe(s.size);
      expect(s.removals).toBe(Object.values(s.evictions).reduce((a, b) => a + b, 0));
    });

    it('ranks live keys for hottest(n) and coldest(n): distinct, held, expired ones skipped', () => {
      const c = clock();
      const cache = make({ maxEntries: 20, clock: c.now });
      const random = rng(5);
      for (let i = 0; i < 500; i += 1) {
        const key = `k${Math.floor(random() ** 2 * 40)}`;
        if (random() < 0.5) cache.get(key);
        else cache.set(key, i);
      }
      cache.set('short', 1, { ttlMs: 5 });
      const live = new Set(cache.keys());
      for (const ranked of [cache.hottest(cache.size), cache.coldest(cache.size)]) {
        expect(new Set(ranked)).toEqual(live);
        expect(ranked).toHaveLength(live.size);
      }
      expect(cache.hottest(3)).toHaveLength(3);
      expect(cache.coldest(0)).toEqual([]);
      c.advance(5);
      expect(cache.hottest(cache.size).includes('short')).toBe(false);
      expect(cache.coldest(cache.size).includes('short')).toBe(false);
      expect(cache.coldest(cache.size)).toHaveLength(live.size - 1);
    });

    it('never holds more than maxSizeBytes', () => {
      const cache = make({ maxEntries: 100, maxSizeBytes: 1_000, sizeOf: (v) => v });
      const random = rng(11);
      for (let i = 0; i < 2_000; i += 1) {
        const size = Math.floor(random() * 300);
        cache.set(`k${Math.floor(random() * 80)}`, size);
        expect(cache.bytes).toBeLessThanOrEqual(1_000);
        expect(cache.bytes).toBe([...cache.entries()].reduce((a, [, v]) => a + v, 0));
      }
    });
  });
}
