import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DEFAULT_EXPORT_BOUNDS, Histogram } from '../src/index.js';

function exactQuantile(sorted: number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

describe('Histogram', () => {
  it('reports percentiles within 1 % relative error for any data (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-6, max: 1e12, noNaN: true }), { minLength: 1, maxLength: 400 }),
        fc.constantFrom(0.5, 0.9, 0.95, 0.99, 0.999, 1),
        (values, q) => {
          const h = new Histogram();
          for (const v of values) h.record(v);
          const sorted = [...values].sort((a, b) => a - b);
          const exact = exactQuantile(sorted, q);
          const estimate = h.percentile(q);
          expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(0.01);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('tracks count, sum, min, max and mean exactly', () => {
    const h = new Histogram();
    expect(h.summary()).toMatchObject({ count: 0, min: 0, max: 0, mean: 0, p99: 0 });
    for (const v of [0, 1, 2, 3, 1000]) h.record(v);
    expect(h.count).toBe(5);
    expect(h.sum).toBe(1006);
    expect(h.min).toBe(0);
    expect(h.max).toBe(1000);
    expect(h.summary().mean).toBeCloseTo(201.2);
    expect(h.percentile(0.2)).toBe(0);
    expect(h.percentile(1)).toBe(1000);
  });

  it('ignores negative and NaN values but counts them as invalid', () => {
    const h = new Histogram();
    h.record(-1);
    h.record(Number.NaN);
    h.record(5);
    expect(h.count).toBe(1);
    expect(h.invalid).toBe(2);
  });

  it('clamps values beyond its range to its outermost buckets', () => {
    const h = new Histogram();
    h.record(1e-12);
    h.record(1e20);
    expect(h.count).toBe(2);
    expect(h.percentile(0.01)).toBe(1e-12);
    expect(h.percentile(1)).toBe(1e20);
  });

  it('counts Infinity and non-numbers as invalid, so sum and mean stay finite', () => {
    const h = new Histogram();
    h.record(4);
    h.record(Infinity);
    h.record('5' as unknown as number);
    h.record(new Proxy({}, { get: () => { throw new Error('trap'); } }) as unknown as number);
    expect({ count: h.count, invalid: h.invalid, sum: h.sum, max: h.max, mean: h.summary().mean }).toEqual({ count: 1, invalid: 3, sum: 4, max: 4, mean: 4 });
    expect(() => h.percentile('0.5' as unknown as number)).toThrow(TypeError);
  });

  it('merges two histograms as if all values were recorded in one', () => {
    const a = new Histogram();
    const b = new Histogram();
    const all = new Histogram();
    for (let i = 1; i <= 1000; i += 1) {
      (i % 2 === 0 ? a : b).record(i);
      all.record(i);
    }
    b.record(-3);
    a.merge(b);
    expect(a.summary()).toEqual(all.summary());
    expect(a.invalid).toBe(1);
    expect(a.merge(new Histogram()).count).toBe(1000);
  });

  it('gives cumulative counts at export bounds, ending at the total', () => {
    const h = new Histogram();
    for (const v of [0, 0.5, 1, 3, 7, 20_000]) h.record(v);
    const counts = h.cumulativeCounts([1, 5, 10]);
    expect(counts).toEqual([3, 4, 5]);
    const all = h.cumulativeCounts();
    expect(all).toHaveLength(DEFAULT_EXPORT_BOUNDS.length);
    expect(all.at(-1)).toBe(5);
    for (let i = 1; i < all.length; i += 1) expect(all[i]).toBeGreaterThanOrEqual(all[i - 1]!);
  });

  it('rejects a quantile outside 0..1 and resets', () => {
    const h = new Histogram();
    h.record(1);
    expect(() => h.percentile(2)).toThrow(RangeError);
    h.reset();
    expect(h.count).toBe(0);
    expect(h.percentile(0.5)).toBe(0);
  });
});
