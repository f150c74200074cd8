// bench-ab.mjs case: the in-process Cache under a read-mostly mix, where writes keep coming: 100k
// entries, Zipf(1.0) reads (the bench's sequence, packages/cache/bench/zipf.mjs) and one set of a new
// key (evicting) every 64 operations, with both key shapes. Reads between writes then never spend the
// default policy's promotion budget, so this measures the path where probation hits promote at once.
import { zipfSequence } from '../../../packages/cache/bench/zipf.mjs';

const N = 100_000;
const SEQ = 1 << 20;
const WRITE_EVERY = 64;

const ranks = zipfSequence(N, SEQ);
const shapes = {
  'user:<n>:profile': (i) => `user:${i}:profile`,
  '<n>': (i) => String(i),
};

export const cases = Object.entries(shapes).map(([shape, keyOf]) => {
  const keys = Array.from({ length: 4 * N }, (_, i) => keyOf(i));
  const reads = Array.from(ranks, (i) => keys[i]);
  return {
    name: `Cache read-mostly (1 set of a new key per ${WRITE_EVERY} ops), Zipf, keys ${shape}`,
    ops: 1_000_000,
    warmup: 1_000_000,
    setup(pkg) {
      const cache = new pkg.Cache({ maxEntries: N, cleanupIntervalMs: 0 });
      for (let i = 0; i < N; i += 1) cache.set(keys[i], i);
      return { cache, cursor: 0, next: N, sink: 0 };
    },
    batch(s, n) {
      const { cache } = s;
      let cursor = s.cursor;
      let next = s.next;
      let sink = 0;
      for (let i = 0; i < n; i += 1) {
        if ((cursor & (WRITE_EVERY - 1)) === 0) {
          cache.set(keys[next], next);
          next = next + 1 === 4 * N ? N : next + 1;
        } else sink += cache.get(reads[cursor & (SEQ - 1)]) ?? 0;
        cursor += 1;
      }
      s.cursor = cursor;
      s.next = next;
      s.sink += sink;
    },
    teardown: (s) => s.cache.close(),
  };
});
