// Replays a loaded trace through one cache implementation at one capacity and returns the hit ratio.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { belady, nextUses } from './belady.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
// lru-cache and mnemonist are dev dependencies of packages/cache: resolve them from there.
const requireFromCache = createRequire(join(HERE, '../../../packages/cache/package.json'));

async function loadCachePackage() {
  try {
    return await import('@patinox/cache');
  } catch {
    // Before `pnpm install` links the workspace package, fall back to its build output.
    return import(new URL('../../../packages/cache/dist/esm/index.js', import.meta.url).href);
  }
}

const { Cache, EVICTION_POLICIES, DEFAULT_EVICTION_POLICY } = await loadCachePackage();
const { LRUCache } = requireFromCache('lru-cache');
const mnemonist = requireFromCache('mnemonist');

export { EVICTION_POLICIES, DEFAULT_EVICTION_POLICY };

/** The offline optimum (Belady's MIN), replayed by ./belady.mjs. */
export const OPTIMUM = 'optimum';

/** Every implementation the simulator can run: the package's policies, then the peers, then the optimum. */
export const IMPLEMENTATIONS = [...EVICTION_POLICIES, 'lru-cache', 'mnemonist', OPTIMUM];

/**
 * The request stream as the keys each cache sees: the trace's own keys as strings (`'real'`, what a
 * service would store), or the dense ids 0…unique−1 as numbers (`'dense'`). Hashing policies
 * (W-TinyLFU's sketch) see different hashes for the two, so their hit ratios differ slightly.
 */
export function requestKeys(trace, mode = 'real') {
  if (mode === 'dense') return trace.ids;
  const { ids, names, requests } = trace;
  const keys = new Array(requests);
  for (let i = 0; i < requests; i += 1) keys[i] = names[ids[i]];
  return keys;
}

/**
 * Hit ratio of `impl` on `trace` with `capacity` entries (or bytes when `bySize`). A request is a
 * `get`; a miss is followed by a `set`. Objects larger than a byte capacity are never admitted.
 * Returns NaN when the implementation cannot bound bytes (mnemonist). `keys` is the request stream
 * (see requestKeys; default: the trace's own keys as strings).
 */
export function simulate(impl, trace, capacity, bySize = false, keys = requestKeys(trace)) {
  const { sizes, requests } = trace;
  if (impl === OPTIMUM) return belady(trace, capacity, bySize, trace.next ?? nextUses(trace));
  let hits = 0;
  if (impl === 'mnemonist') {
    if (bySize) return NaN;
    const cache = new mnemonist.LRUCache(capacity);
    for (let i = 0; i < requests; i += 1) {
      const k = keys[i];
      if (cache.get(k) !== undefined) hits += 1;
      else cache.set(k, 1);
    }
  } else if (impl === 'lru-cache') {
    const cache = bySize ? new LRUCache({ maxSize: capacity, sizeCalculation: (v) => v }) : new LRUCache({ max: capacity });
    for (let i = 0; i < requests; i += 1) {
      const k = keys[i];
      if (cache.get(k) !== undefined) hits += 1;
      else if (!bySize) cache.set(k, 1);
      else if (sizes[i] <= capacity && sizes[i] > 0) cache.set(k, sizes[i]);
    }
  } else {
    const maxEntries = bySize ? Math.max(1, trace.unique) : capacity;
    const cache = new Cache({ maxEntries, evictionPolicy: impl, cleanupIntervalMs: 0, ...(bySize ? { maxSizeBytes: capacity } : {}) });
    if (bySize) {
      const options = { sizeBytes: 0 };
      for (let i = 0; i < requests; i += 1) {
        const k = keys[i];
        if (cache.get(k) !== undefined) hits += 1;
        else {
          options.sizeBytes = sizes[i];
          cache.set(k, 1, options);
        }
      }
    } else {
      for (let i = 0; i < requests; i += 1) {
        const k = keys[i];
        if (cache.get(k) !== undefined) hits += 1;
        else cache.set(k, 1);
      }
    }
    cache.close();
  }
  return hits / requests;
}
