// bench-ab.mjs case: the in-process Cache's plain hot path, default options (default policy, no TTL):
// get-hit over 100k entries with skewed reads, and set with eviction (keys cycling over 4× capacity).
import { cycleSetsCase } from './cycle-sets.mjs';

const N = 100_000;
const keys = Array.from({ length: 4 * N }, (_, i) => `user:${i}:profile`);
// Skewed reads (a cheap Zipf-like draw, fixed seed): most reads hit a small hot set.
let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) >>> 0;
  return seed / 2 ** 32;
};
const reads = Array.from({ length: 1 << 16 }, () => keys[Math.floor(N * random() ** 3)]);

export const cases = [
  {
    name: 'Cache get-hit, default options',
    ops: 1_000_000,
    warmup: 1_000_000,
    setup(pkg) {
      const cache = new pkg.Cache({ maxEntries: N });
      for (let i = 0; i < N; i += 1) cache.set(keys[i], i);
      return { cache, sink: 0 };
    },
    batch(s, n) {
      const { cache } = s;
      let sink = 0;
      for (let i = 0; i < n; i += 1) sink += cache.get(reads[i & 0xffff]) ?? 0;
      s.sink += sink;
    },
    teardown: (s) => s.cache.close(),
  },
  cycleSetsCase({ name: 'Cache set-evict, default options', keys, entries: N, ops: 300_000, warmup: 300_000 }),
];
