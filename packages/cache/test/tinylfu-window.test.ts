import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { PolicyDriver } from './fixtures/policy-driver.js';
import { TinyLfuPolicy } from '../src/policies/tinylfu.js';

/** TinyLfuPolicy driven the way the cache drives it. */
class Driver extends PolicyDriver<TinyLfuPolicy> {
  constructor(max: number) {
    super(new TinyLfuPolicy(max + 1, max), max);
  }
}

/** Every key is read twice, `gap` requests apart, and never again (the shape of the corda trace). */
function readTwice(n: number, gap: number, firstKey = 0): number[] {
  const keys: number[] = [];
  for (let i = 0; i < n; i += 1) {
    keys.push(firstKey + i);
    if (i >= gap) keys.push(firstKey + i - gap);
  }
  return keys;
}

/** A loop over `size` keys, repeated: LRU smaller than the loop never hits, a frequency filter does. */
function loop(size: number, rounds: number, firstKey = 0): number[] {
  const keys: number[] = [];
  for (let r = 0; r < rounds; r += 1) for (let k = 0; k < size; k += 1) keys.push(firstKey + k);
  return keys;
}

function lruHitRatio(max: number, keys: readonly number[]): number {
  const map = new Map<number, true>();
  let hits = 0;
  for (const k of keys) {
    if (map.delete(k)) hits += 1;
    map.set(k, true);
    if (map.size > max) map.delete(map.keys().next().value!);
  }
  return hits / keys.length;
}

describe('TinyLfuPolicy window adaptation (ghost tables)', () => {
  it('starts with a 1 % window', () => {
    expect(new Driver(1_000).policy.windowMax).toBe(10);
  });

  it('grows the window under a recency-biased workload until it matches LRU', () => {
    // Each key's second read comes 40 new keys (about 80 misses) later: a 1 % window (10 entries)
    // has turned it away by then, and the frequency filter never admits a key seen once.
    const keys = readTwice(20_000, 40);
    const d = new Driver(1_000);
    for (const k of keys) d.request(k);
    expect(d.policy.windowMax).toBeGreaterThan(80);
    expect(d.hits / d.requests).toBeGreaterThan(lruHitRatio(1_000, keys) - 0.02);
  });

  it('shrinks the window again when the workload turns frequency-biased', () => {
    const d = new Driver(1_000);
    for (const k of readTwice(20_000, 40)) d.request(k);
    const grown = d.policy.windowMax;
    expect(grown).toBeGreaterThan(80);
    // A loop 1.5 × the cache: an LRU (a large window) gets no hits, a small window with the
    // frequency filter keeps most of the loop in the main space.
    const phase = loop(1_500, 60, 1_000_000);
    const hitsBefore = d.hits;
    for (const k of phase) d.request(k);
    expect(d.policy.windowMax).toBeLessThan(grown / 4);
    expect(lruHitRatio(1_000, phase)).toBe(0);
    expect((d.hits - hitsBefore) / phase.length).toBeGreaterThan(0.4);
  });

  it('keeps a small window under a frequency-biased workload from the start', () => {
    const d = new Driver(500);
    for (const k of loop(800, 80)) d.request(k);
    expect(d.policy.windowMax).toBeLessThanOrEqual(25);
    expect(d.hits / d.requests).toBeGreaterThan(0.45);
  });

  it('bounds ghost memory by the cache size, not by the number of keys seen', () => {
    for (const max of [1, 10, 1_000, 100_000]) {
      const d = new Driver(max);
      const before = d.policy.ghostBytes;
      // Two Int32 tables of at most 4 × 10 % of maxEntries slots each (16 at least).
      expect(before).toBeLessThanOrEqual(2 * 4 * Math.max(16, 0.4 * max));
      if (max <= 1_000) {
        for (let k = 0; k < 50_000; k += 1) d.request(k % 3 === 0 ? k % 97 : k);
        expect(d.policy.ghostBytes).toBe(before);
      }
    }
  });

  it('keeps every limit under arbitrary workloads (property)', () => {
    const workload = fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant<'scan'>('scan'), size: fc.integer({ min: 1, max: 400 }), gap: fc.integer({ min: 1, max: 200 }) }),
        fc.record({ kind: fc.constant<'loop'>('loop'), size: fc.integer({ min: 1, max: 300 }), gap: fc.integer({ min: 1, max: 8 }) }),
        fc.record({ kind: fc.constant<'remove'>('remove'), size: fc.integer({ min: 0, max: 500 }), gap: fc.constant(0) }),
      ),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), workload, (max, phases) => {
        const d = new Driver(max);
        let base = 0;
        // Plain comparisons per request (expect() per request would make each run slow).
        const check = (previousWindow: number, wasOver: boolean): void => {
          const p = d.policy;
          const sizes = p.sizes;
          const broken =
            p.windowMax < 1 ||
            p.windowMax > Math.max(1, max - 1) ||
            sizes.protected > p.protectedMax ||
            sizes.window + sizes.probation + sizes.protected !== d.resident ||
            d.resident > max ||
            // A window over its limit (the limit just shrank) only shrinks until it is back within it.
            (wasOver && sizes.window > previousWindow);
          if (broken) throw new Error(`limits broken: max ${max}, windowMax ${p.windowMax}, protectedMax ${p.protectedMax}, sizes ${JSON.stringify(sizes)}, resident ${d.resident}`);
        };
        for (const phase of phases) {
          if (phase.kind === 'remove') {
            d.remove(phase.size);
            check(d.policy.sizes.window, false);
            continue;
          }
          const keys = phase.kind === 'scan' ? readTwice(phase.size, phase.gap, base) : loop(phase.size, phase.gap, base);
          base += 1_000;
          for (const k of keys) {
            const window = d.policy.sizes.window;
            const wasOver = window > d.policy.windowMax;
            d.request(k);
            check(window, wasOver);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
