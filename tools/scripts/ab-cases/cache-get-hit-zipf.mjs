// bench-ab.mjs case: the in-process Cache's get-hit as cache.bench.ts measures it (100k entries, Zipf(1.0)
// reads spread over the key space), with both key shapes: `user:<n>:profile` and numeric strings.
const N = 100_000;
const SEQ = 1 << 20;

function zipf(n, length) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i += 1) cdf[i] = sum += 1 / (i + 1);
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

const ranks = zipf(N, SEQ);
const shapes = {
  'user:<n>:profile': (i) => `user:${i}:profile`,
  '<n>': (i) => String(i),
};

export const cases = Object.entries(shapes).map(([shape, keyOf]) => {
  const keys = Array.from({ length: N }, (_, i) => keyOf(i));
  const reads = Array.from(ranks, (i) => keys[i]);
  return {
    name: `Cache get-hit, Zipf, keys ${shape}`,
    ops: 1_000_000,
    warmup: 1_000_000,
    setup(pkg) {
      const cache = new pkg.Cache({ maxEntries: N, cleanupIntervalMs: 0 });
      for (let i = 0; i < N; i += 1) cache.set(keys[i], i);
      return { cache, cursor: 0, sink: 0 };
    },
    batch(s, n) {
      const { cache } = s;
      let cursor = s.cursor;
      let sink = 0;
      for (let i = 0; i < n; i += 1) sink += cache.get(reads[cursor++ & (SEQ - 1)]) ?? 0;
      s.cursor = cursor;
      s.sink += sink;
    },
    teardown: (s) => s.cache.close(),
  };
});
