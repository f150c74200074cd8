import { describe, expect, it } from '@jest/globals';
import { ZipfSampler, createRandom, productIds } from '../src/zipf.js';

describe('ZipfSampler', () => {
  it('draws ranks from 1 to n, the most popular most often, about 1/k as often for rank k', () => {
    const n = 1_000;
    const zipf = new ZipfSampler(n, 1, createRandom(7));
    const counts = new Array<number>(n + 1).fill(0);
    for (let i = 0; i < 200_000; i += 1) {
      const k = zipf.next();
      expect(Number.isInteger(k) && k >= 1 && k <= n).toBe(true);
      counts[k]! += 1;
    }
    expect(counts[1]).toBeGreaterThan(counts[2]!);
    expect(counts[2]).toBeGreaterThan(counts[10]!);
    // P(1)/P(10) = 10 for exponent 1; allow for sampling noise.
    expect(counts[1]! / counts[10]!).toBeGreaterThan(8);
    expect(counts[1]! / counts[10]!).toBeLessThan(12);
  });
});

describe('productIds', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = [...productIds(1_000, 50_000, 42)];
    expect([...productIds(1_000, 50_000, 42)]).toEqual(a);
    expect([...productIds(1_000, 50_000, 43)]).not.toEqual(a);
    expect(a.every((id) => Number.isInteger(id) && id >= 0 && id < 50_000)).toBe(true);
  });
});
