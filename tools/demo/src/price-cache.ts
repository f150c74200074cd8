import { Cache, TieredCache } from '@patinox/cache';
import { RedisBackend } from '@patinox/cache/redis';
import { ServiceUnavailableError } from './service-unavailable.js';
import type { MetricSnapshot } from '@patinox/monitor';
import type { SharedMap } from '@patinox/shared';
import type { Quote } from './pricing.js';
import type { Resources } from './resources.js';

/** Hits and misses of one cache tier; `misses` is undefined where the tier does not count them once per request. */
export interface TierStats {
  name: string;
  hits: number;
  misses: number | undefined;
}

/** The one cache API the request handler needs, over an in-process `Cache` or an L1 + Redis `TieredCache`. */
export interface PriceCache {
  /** Says which tiers answer, for the output. */
  readonly description: string;
  getOrLoad(key: string, load: () => Promise<Quote>, tags: readonly string[]): Promise<Quote>;
  /** Drops every entry with `tag`; resolves with how many were dropped (in L1). */
  invalidateTag(tag: string): Promise<number>;
  /** Hits per tier, for the summary. */
  tierStats(): TierStats[];
  collectMetrics(): MetricSnapshot[];
}

/** Options of {@link createPriceCache}. */
export interface PriceCacheOptions {
  /** Entries of the in-process tier. */
  maxEntries: number;
  /** Redis URL of the shared tier; in-process only when undefined. */
  redisUrl: string | undefined;
  /** Owns the cache and, with Redis, the namespace's keys. */
  resources: Resources;
  /** `--cache shared-map`: this map is the cache; `filledByWorkers` when the pricing workers store each quote. */
  shared?: { map: SharedMap<Quote>; filledByWorkers: boolean };
}

/** An in-process `Cache` (W-TinyLFU) or, with `redisUrl`, the same cache as L1 of a Redis-backed `TieredCache`. */
export function createPriceCache(options: PriceCacheOptions): Promise<PriceCache> {
  if (options.shared !== undefined) return Promise.resolve(sharedMap(options.shared.map, options.shared.filledByWorkers));
  return options.redisUrl === undefined ? Promise.resolve(inProcess(options)) : tiered(options, options.redisUrl);
}

/**
 * A `SharedMap` as the price cache: the main thread reads it without a lock, the pricing workers write
 * each quote into it themselves (no copy back through the cache). It has no eviction: once full, new
 * products are priced every time. Concurrent misses for one key share one load, as with `Cache`.
 */
function sharedMap(map: SharedMap<Quote>, filledByWorkers: boolean): PriceCache {
  let hits = 0;
  let misses = 0;
  const loading = new Map<string, Promise<Quote>>();
  return {
    description: `SharedMap in shared memory, ${map.capacity.toLocaleString('en-US')} entries (@patinox/shared),\n          ${filledByWorkers ? 'filled by the pricing workers' : 'filled by the main thread'}`,
    getOrLoad: (key, load) => {
      const quote = map.get(key);
      if (quote !== undefined) {
        hits += 1;
        return Promise.resolve(quote);
      }
      misses += 1;
      const pending = loading.get(key);
      if (pending !== undefined) return pending;
      const loaded = load().then((q) => {
        if (!filledByWorkers && map.size < map.capacity) map.set(key, q);
        return q;
      });
      loading.set(key, loaded);
      const done = (): void => void loading.delete(key);
      loaded.then(done, done);
      return loaded;
    },
    // Keys are `v<rules version>:<id>` and tags `rules-v<version>`: drop the keys of that version.
    invalidateTag: (tag) => {
      const prefix = `${tag.replace(/^rules-/, '')}:`;
      let dropped = 0;
      for (const key of map.keys()) if (key.startsWith(prefix) && map.delete(key)) dropped += 1;
      return Promise.resolve(dropped);
    },
    tierStats: () => [{ name: 'SharedMap', hits, misses }],
    collectMetrics: () => [{ type: 'gauge', name: 'demo_shared_prices_entries', help: 'Entries in the shared price map', labels: {}, value: map.size }],
  };
}

function inProcess({ maxEntries, resources }: PriceCacheOptions): PriceCache {
  const cache = new Cache<string, Quote>({ maxEntries, name: 'prices' });
  resources.adopt(cache, { name: `price cache (${maxEntries.toLocaleString('en-US')} entries)` });
  return {
    description: `in-process Cache, ${maxEntries.toLocaleString('en-US')} entries, ${cache.evictionPolicy} (@patinox/cache)`,
    getOrLoad: (key, load, tags) => cache.getOrLoad(key, load, { tags }),
    invalidateTag: (tag) => Promise.resolve(cache.invalidateTag(tag)),
    tierStats: () => {
      const { hits, misses } = cache.stats();
      return [{ name: 'in-process', hits, misses }];
    },
    collectMetrics: () => cache.collectMetrics(),
  };
}

async function tiered({ maxEntries, resources }: PriceCacheOptions, url: string): Promise<PriceCache> {
  const namespace = `patinox-demo.${process.pid}.${Date.now().toString(36)}`;
  const l1Entries = Math.max(100, Math.round(maxEntries / 5));
  const cache = new TieredCache<Quote>({
    l2: new RedisBackend({ url }),
    namespace,
    // A smaller L1 than the in-process-only cache: Redis holds the rest, shared by every instance.
    l1: { maxEntries: l1Entries, name: 'prices-l1' },
    // Keys outlive a crashed demo by at most this long.
    defaultTtlMs: 10 * 60_000,
  });
  resources.guard(
    cache,
    async (c) => {
      try {
        // Unreachable Redis: nothing to delete here; the keys' TTL removes them.
        if ((await c.health(1_000)).status !== 'down') await c.clear();
      } finally {
        await c.close(); // also when Redis is gone, or its client would keep the process alive reconnecting
      }
    },
    { name: `redis namespace ${namespace}` },
  );
  const health = await cache.health(1_000);
  if (health.status === 'down') {
    const why = typeof health.details?.reason === 'string' ? health.details.reason : 'no answer to PING';
    throw new ServiceUnavailableError(`Redis at ${redact(url)} does not answer (${why}): check it, or unset REDIS_URL to run without it`);
  }
  return {
    description: `TieredCache: in-process L1 (${l1Entries.toLocaleString('en-US')} entries) + Redis L2 (@patinox/cache)\n          at ${redact(url)}, namespace ${namespace}`,
    getOrLoad: (key, load, tags) => cache.getOrLoad(key, load, { tags }),
    invalidateTag: (tag) => cache.invalidateTag(tag),
    tierStats: () => {
      const { l1, l2 } = cache.stats();
      return [
        // A getOrLoad that misses L1 looks at it twice (before and after joining a load), so its L1
        // misses are not one per request; L2 misses are.
        { name: 'L1 in-process', hits: l1?.hits ?? 0, misses: undefined },
        { name: 'L2 Redis', hits: l2.hits, misses: l2.misses },
      ];
    },
    collectMetrics: () => cache.collectMetrics(),
  };
}

/** The URL without its password, for printing. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
