import type { MetricSnapshot } from '@patinox/monitor';
import type { LoadStatsSnapshot } from './internal/load-stats.js';
import type { EvictionReason } from './options.js';

/** Counters of one cache (regions have their own). */
export interface CacheStats {
  /** `get`/`getOrLoad` calls that found a fresh value (stale values served by `getOrLoad` included). */
  hits: number;
  /** `get`/`getOrLoad` calls that found nothing usable. */
  misses: number;
  /** hits / (hits + misses), 0 before the first lookup. */
  hitRate: number;
  /** New keys stored. */
  inserts: number;
  /** Values replaced under an existing key. */
  updates: number;
  /** Entries that left the cache for any reason. */
  removals: number;
  /** Removals by reason. */
  evictions: Record<EvictionReason, number>;
  /** Entries dropped because their TTL passed (same as `evictions.expired`). */
  expired: number;
  /** `set` calls not stored because the entry alone exceeded `maxSizeBytes`. */
  rejected: number;
  /** Removals the cache decided on, by cause: `size` (room for a newcomer, by count or bytes), `expired` (TTL), `strategy` (a custom strategy's `shouldEvict`). */
  evictionsByCause: { size: number; expired: number; strategy: number };
  /** Loader calls (`getOrLoad`, `getMany`, refreshes) that settled; a `getMany` loader call counts once. */
  loads: number;
  /** Loads that failed: threw, rejected, resolved to `undefined`, or outlived a caller's `hardTimeoutMs`. */
  loadFailures: number;
  /** Sum of the load times, in ms of `clock`. */
  loadTimeTotalMs: number;
  /** 99th percentile of the last 1,024 load times, in ms (0 before the first load). */
  loadTimeP99Ms: number;
  /** Calls answered with a stale value: stale-while-revalidate, refresh ahead, grace after a failure, soft or hard timeout, failure backoff. */
  staleServed: number;
  /** Stale values served by stale-while-revalidate while a refresh ran (part of `staleServed`). */
  staleHits: number;
  /** Entries held now (expired ones not yet swept included). */
  size: number;
  /** Bytes held now (0 when sizes are not tracked). */
  bytes: number;
}

/** Lookup and write counters a `Cache` keeps in fields of its own (its hot paths bump them). */
export interface CacheCounters {
  hits: number;
  misses: number;
  inserts: number;
  updates: number;
  rejected: number;
  staleHits: number;
}

/** Removal counters a `Cache` keeps in fields of its own, by reason. */
export interface RemovalCounters {
  evicted: number;
  /** Part of `evicted`: entries a custom strategy's `shouldEvict` dropped on read. */
  vetoed: number;
  expired: number;
  deleted: number;
  replaced: number;
  cleared: number;
}

/** A cache's {@link CacheStats}, from its counters, its loads' counters (`LoadStats`) and its gauges. */
export function cacheStats(c: CacheCounters, r: RemovalCounters, load: LoadStatsSnapshot, size: number, bytes: number): CacheStats {
  const lookups = c.hits + c.misses;
  return {
    hits: c.hits,
    misses: c.misses,
    hitRate: lookups === 0 ? 0 : c.hits / lookups,
    inserts: c.inserts,
    updates: c.updates,
    removals: r.evicted + r.expired + r.deleted + r.replaced + r.cleared,
    evictions: { evicted: r.evicted, expired: r.expired, deleted: r.deleted, replaced: r.replaced, cleared: r.cleared },
    evictionsByCause: { size: r.evicted - r.vetoed, expired: r.expired, strategy: r.vetoed },
    expired: r.expired,
    rejected: c.rejected,
    loads: load.loads,
    loadFailures: load.loadFailures,
    loadTimeTotalMs: load.loadTimeTotalMs,
    loadTimeP99Ms: load.loadTimeP99Ms,
    staleServed: load.staleServed,
    staleHits: c.staleHits,
    size,
    bytes,
  };
}

/** Removal reasons, in the order of `CacheStats.evictions`. */
export const REMOVAL_REASONS: readonly EvictionReason[] = ['evicted', 'expired', 'deleted', 'replaced', 'cleared'];
const EVICTION_CAUSES = ['size', 'expired', 'strategy'] as const;

/** `stats` as `MetricSnapshot`s labelled `cache=<name>` (what `Cache.collectMetrics` returns for one cache). */
export function cacheMetrics(name: string, s: CacheStats): MetricSnapshot[] {
  const labels = { cache: name };
  const counter = (metric: string, help: string, value: number, extra?: Record<string, string>): MetricSnapshot => ({
    type: 'counter',
    name: metric,
    help,
    labels: extra === undefined ? labels : { ...labels, ...extra },
    value,
  });
  const gauge = (metric: string, help: string, value: number): MetricSnapshot => ({ type: 'gauge', name: metric, help, labels, value });
  return [
    counter('patinox_cache_hits_total', 'Lookups that found a value', s.hits),
    counter('patinox_cache_misses_total', 'Lookups that found nothing', s.misses),
    counter('patinox_cache_inserts_total', 'New keys stored', s.inserts),
    counter('patinox_cache_rejected_total', 'Entries not stored (too large)', s.rejected),
    counter('patinox_cache_loads_total', 'Loader calls', s.loads),
    counter('patinox_cache_load_failures_total', 'Loader calls that failed', s.loadFailures),
    counter('patinox_cache_load_time_ms_total', 'Time spent in loaders, in ms', s.loadTimeTotalMs),
    gauge('patinox_cache_load_time_p99_ms', '99th percentile load time of the last 1024 loads, in ms', s.loadTimeP99Ms),
    counter('patinox_cache_stale_served_total', 'Calls answered with a stale value', s.staleServed),
    ...REMOVAL_REASONS.map((reason) => counter('patinox_cache_removals_total', 'Entries removed, by reason', s.evictions[reason], { reason })),
    ...EVICTION_CAUSES.map((cause) => counter('patinox_cache_evictions_total', 'Entries the cache evicted, by cause', s.evictionsByCause[cause], { cause })),
    gauge('patinox_cache_entries', 'Entries held', s.size),
    gauge('patinox_cache_bytes', 'Bytes held', s.bytes),
    gauge('patinox_cache_hit_ratio', 'hits / lookups since creation', s.hitRate),
  ];
}
