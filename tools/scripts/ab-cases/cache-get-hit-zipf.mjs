// bench-ab.mjs case: the in-process Cache's get-hit as cache.bench.ts measures it (100k entries, Zipf(1.0)
// reads spread over the key space), with both key shapes: `user:<n>:profile` and numeric strings.
// The reads are the bench's own sequence (packages/cache/bench/zipf.mjs).
import { zipfSequence } from '../../../packages/cache/bench/zipf.mjs';

const N = 100_000;
const SEQ = 1 << 20;

const ranks = zipfSequence(N, SEQ);
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
