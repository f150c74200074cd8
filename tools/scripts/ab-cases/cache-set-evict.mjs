// bench-ab.mjs case: the in-process Cache's set with eviction as cache.bench.ts measures it (100k
// entries, every set stores a key set 300k sets earlier, a cycle over 400k keys), for the default
// policy and 'lru', with both key shapes: `user:<n>:profile` and numeric strings.
import { cycleSetsCase } from './cycle-sets.mjs';

const N = 100_000;
const SPAN = 4 * N;
const shapes = {
  'user:<n>:profile': (i) => `user:${i}:profile`,
  '<n>': (i) => String(i),
};

export const cases = Object.entries(shapes).flatMap(([shape, keyOf]) => {
  const keys = Array.from({ length: SPAN }, (_, i) => keyOf(i));
  return [undefined, 'lru'].map((policy) =>
    cycleSetsCase({
      name: `Cache set-evict, ${policy ?? 'default policy'}, keys ${shape}`,
      keys,
      entries: N,
      options: { cleanupIntervalMs: 0, ...(policy === undefined ? {} : { evictionPolicy: policy }) },
      ops: 1_000_000,
      warmup: 400_000,
    }),
  );
});
