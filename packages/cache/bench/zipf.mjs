// The Zipf read sequence of the cache benchmarks, in plain JS so that cache.bench.ts (compiled by
// run-bench.mjs) and tools/scripts/ab-cases/cache-get-hit-zipf.mjs (plain JS) draw the same reads.

/**
 * `length` ranks in 0…n−1 drawn from Zipf(s) with a fixed LCG seed, spread over the key space so the
 * hot keys are not also the first inserted.
 * @param {number} n
 * @param {number} length
 * @param {number} [s]
 * @returns {Int32Array}
 */
export function zipfSequence(n, length, s = 1.0) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i += 1) cdf[i] = sum += 1 / (i + 1) ** s;
  for (let i = 0; i < n; i += 1) cdf[i] /= sum;
  const out = new Int32Array(length);
  let seed = 42;
  for (let i = 0; i < length; i += 1) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const u = seed / 2 ** 32;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    out[i] = (lo * 48271) % n;
  }
  return out;
}
