import type { Monitor, TraceHook } from '@patinox/monitor';
import type { CacheEntryTooLargeError } from './errors.js';

/** Default values of the optional {@link CacheOptions}, in the options' units. */
export const CACHE_DEFAULTS = Object.freeze({
  maxSizeBytes: Infinity,
  defaultTtlMs: 0,
  cleanupIntervalMs: 60_000,
  staleWhileRevalidateMs: 0,
  softTimeoutMs: 0,
  hardTimeoutMs: 0,
  graceMs: 0,
  failureBackoffMs: 0,
  maxFailureBackoffMs: 30_000,
  refreshAfterMs: 0,
  slidingTtl: false,
  name: 'cache',
});

/** Names of the built-in eviction policies. */
export type EvictionPolicyName = 'lru' | 'lfu' | 'fifo' | 'ttl' | 'tinylfu' | 'clock-tinylfu' | 's3fifo' | 'sieve';

/** Why an entry left the cache, as passed to `onEvict`. */
export type EvictionReason = 'evicted' | 'expired' | 'deleted' | 'replaced' | 'cleared';

/**
 * What a custom {@link EvictionStrategy} sees of one entry. Times come from the cache's `clock`.
 * The strategy may keep its own data in `state`.
 */
export interface CacheEntry<K, V> {
  readonly key: K;
  readonly value: V;
  /** When the entry was stored (clock ms). */
  readonly insertedAt: number;
  /** Last `get` hit or store (clock ms). */
  lastAccessedAt: number;
  /** `get` hits since the entry was stored. */
  accessCount: number;
  /** Clock ms after which the entry is expired; `Infinity` when it never expires. */
  readonly expiresAt: number;
  /** The entry's size in bytes when sizes are tracked, otherwise 0. */
  readonly sizeBytes: number;
  /** Free slot for the strategy's own bookkeeping. */
  state: unknown;
}

/**
 * A user-defined eviction policy (the seed's `EvictionStrategy`). When the cache is full it evicts an
 * entry for which `shouldEvict` returns true, otherwise the one with the lowest `evictionPriority`
 * (ties: the oldest). Choosing a victim scans every entry (O(n)): fine for small caches, slow for
 * large ones.
 */
export interface EvictionStrategy<K = unknown, V = unknown> {
  /** True when this entry should go now: it is dropped on read (a miss) and evicted first when full. */
  shouldEvict(entry: CacheEntry<K, V>): boolean;
  /** Called on every `get` hit, after `lastAccessedAt` and `accessCount` were updated. */
  onAccess(entry: CacheEntry<K, V>): void;
  /** Called when an entry is stored (also when a key's value is replaced). */
  onInsert(entry: CacheEntry<K, V>): void;
  /** Lower numbers are evicted first. */
  evictionPriority(entry: CacheEntry<K, V>): number;
}

/**
 * Options of `new Cache(options)`. The {@link LoadTimingOptions} given here are the cache-wide defaults
 * of every `getOrLoad`/`getMany` call.
 */
export interface CacheOptions<K = unknown, V = unknown> extends LoadTimingOptions {
  /** Most entries held at once; a positive integer, at most 2^26 (67,108,864). Slots are allocated up front. Required. */
  maxEntries: number;
  /** Most bytes held at once, as measured by `sizeOf` or `set(..., { sizeBytes })`. @default Infinity (no byte limit) */
  maxSizeBytes?: number;
  /** Size of one entry in bytes; must return a non-negative finite number. @default () => 1 when `maxSizeBytes` is set */
  sizeOf?: (value: V, key: K) => number;
  /** TTL of entries stored without their own `ttlMs`, in ms; 0 means no expiry. @default 0 */
  defaultTtlMs?: number;
  /**
   * Which entry to drop when the cache is full: a built-in name or a custom {@link EvictionStrategy}.
   * @default 'clock-tinylfu' (W-TinyLFU with a one-byte hit path; hit ratios and speed in the README)
   */
  evictionPolicy?: EvictionPolicyName | EvictionStrategy<K, V>;
  /**
   * Period of the sweep that drops expired entries, in ms, at most `MAX_TIMER_MS` (2³¹−1, what a Node timer
   * honours); 0 disables it (expired entries still vanish on read). The timer is unref'd and `close()` stops it.
   * @default 60000
   */
  cleanupIntervalMs?: number;
  /** Time source in ms, for TTLs; inject for tests. @default performance.now */
  clock?: () => number;
  /** Called after an entry left the cache, with the reason. A throw is reported to `monitor`, never to the caller. @default undefined */
  onEvict?: (key: K, value: V, reason: EvictionReason) => void;
  /** Called when `set` did not store an entry (it was larger than `maxSizeBytes`). @default undefined */
  onReject?: (key: K, error: CacheEntryTooLargeError) => void;
  /** Default stale-while-revalidate window of `getOrLoad`, in ms. @default 0 */
  staleWhileRevalidateMs?: number;
  /**
   * Sliding expiry (Caffeine's `expireAfterAccess`, lru-cache's `updateAgeOnGet`): a `get`/`getOrLoad`/
   * `getMany` hit on a live entry pushes its expiry to now + its TTL (its stale and grace windows move
   * with it). `has` and `peek` do not. Only entries with a TTL slide; `set(..., { sliding })` overrides
   * this per entry. @default false
   */
  slidingTtl?: boolean;
  /** Name used as the event source and the `cache` metric label. @default 'cache' */
  name?: string;
  /** Receives lifecycle events (closed, load failures, rejections, sweeps). @default noopMonitor */
  monitor?: Monitor;
  /**
   * Records a `cache.load` span around each loader run of `getOrLoad` (attributes `cache.name`,
   * `cache.refresh`; failed when the loader throws), so hits cost nothing and only loads are traced.
   * Regions inherit it. @default undefined (no tracing)
   */
  tracer?: TraceHook;
}

/** Options of `cache.region(name, options)`: each one defaults to the parent's value (name: `parent/name`). */
export type RegionOptions<K = unknown, V = unknown> = Partial<Omit<CacheOptions<K, V>, 'name'>>;

/** Options of `cache.set(key, value, options)`. */
export interface SetOptions {
  /** TTL of this entry in ms; 0 means no expiry. @default the cache's `defaultTtlMs` */
  ttlMs?: number;
  /** Size of this entry in bytes, instead of calling `sizeOf`. @default sizeOf(value, key) */
  sizeBytes?: number;
  /** Tags for `invalidateTag`. @default none */
  tags?: readonly string[];
  /** Sliding expiry for this entry (see {@link CacheOptions.slidingTtl}); no effect without a TTL. @default the cache's `slidingTtl` */
  sliding?: boolean;
}

/** One entry of `cache.setMany(entries)`: a key, its value and the {@link SetOptions} of `set`. */
export interface SetManyEntry<K, V> extends SetOptions {
  key: K;
  value: V;
}

/** Options of `cache.peek(key, options)`. */
export interface PeekOptions {
  /** Also return a value past its TTL that is still inside its stale-while-revalidate or grace window. @default false */
  allowStale?: boolean;
}

/** Options of `cache.stats(options)`. */
export interface StatsOptions {
  /** Return the counters, then zero them (gauges such as `size` and `bytes` stay). @default false */
  reset?: boolean;
}

/**
 * Timing of loads: timeouts, grace, failure backoff and refresh ahead. Each is accepted per call by
 * `getOrLoad` (and `getMany` with a loader) and as a cache-wide default under the same name in
 * {@link CacheOptions}. Every time is in ms, 0 to 2³¹−1 (what a Node timer honours); 0 turns it off.
 */
export interface LoadTimingOptions {
  /**
   * When a stale value exists (inside its stale-while-revalidate or grace window) and the loader has
   * not answered after this long, the caller gets the stale value (`stats().staleServed`); the load
   * goes on in the background and fills the cache. No effect on a key without a stale value. @default 0 (off)
   */
  softTimeoutMs?: number;
  /**
   * The caller stops waiting after this long: with a stale value it gets that value, otherwise a
   * `CacheLoadTimeoutError` (`CACHE_LOAD_TIMEOUT`, recovery `retry`). The load is not cancelled
   * and still fills the cache when it succeeds; it counts as a failure in `stats().loadFailures`. @default 0 (off)
   */
  hardTimeoutMs?: number;
  /**
   * Keep an entry this long past its TTL as a fallback: while a load for it runs, callers wait, and
   * when that load fails (or a timeout above fires) they get the old value instead of the error. A `get`
   * treats the entry as a miss. @default 0 (off)
   */
  graceMs?: number;
  /**
   * After a loader failure for a key, no new loader call for that key until
   * `min(maxFailureBackoffMs, failureBackoffMs × 2^(failures−1))` has passed (deterministic, no jitter);
   * meanwhile callers get the grace value if any, else the last failure (the same `CacheLoaderError`).
   * A success resets the count. @default 0 (off: a failing loader is called again on every miss)
   */
  failureBackoffMs?: number;
  /** Cap of the failure backoff; see `failureBackoffMs`. @default 30000 */
  maxFailureBackoffMs?: number;
  /**
   * Refresh ahead (Caffeine's `refreshAfterWrite`): a hit on an entry written longer ago than this is
   * answered at once, and one background load refreshes it before it expires. Applies to entries with a
   * TTL written by a load (`getOrLoad`, `getMany`) or a `set` while a `refreshAfterMs` was in use. @default 0 (off)
   */
  refreshAfterMs?: number;
}

/** Options of `cache.getOrLoad(key, loader, options)`; the {@link LoadTimingOptions} default to the cache's. */
export interface GetOrLoadOptions extends LoadTimingOptions {
  /** TTL of the loaded entry in ms. @default the cache's `defaultTtlMs` */
  ttlMs?: number;
  /** Size of the loaded entry in bytes. @default sizeOf(value, key) */
  sizeBytes?: number;
  /** Tags of the loaded entry. @default none */
  tags?: readonly string[];
  /** Stops this caller's wait (rejects with `CACHE_LOAD_ABORTED`); the shared load goes on. @default none */
  signal?: AbortSignal;
  /** After the TTL, serve the stale value this long while one background load refreshes it, in ms. @default the cache's `staleWhileRevalidateMs` */
  staleWhileRevalidateMs?: number;
}

/** Options of `cache.getMany(keys, loader, options)`: those of `getOrLoad` (each applies to every key loaded). */
export type GetManyOptions = GetOrLoadOptions;

/** What a loader receives. */
export interface LoaderContext<V = unknown> {
  /** Aborts when the cache is closed (not when one caller gives up). */
  signal: AbortSignal;
  /** True when this load refreshes a stale entry in the background. */
  isRefresh: boolean;
  /** The value this load replaces (past its TTL, or due for refresh ahead), if any; always `undefined` for `getMany`. */
  stale: V | undefined;
  /**
   * Sets the TTL of what this load stores, in ms (0: no expiry), instead of the call's `ttlMs`.
   * @throws RangeError / TypeError at once for a negative, non-finite or non-number value; nothing is changed.
   */
  setTtl(ms: number): void;
  /**
   * Sets the tags of what this load stores, instead of the call's `tags`.
   * @throws TypeError at once unless `tags` is an array of strings; nothing is changed.
   */
  setTags(tags: readonly string[]): void;
  /** The value goes to the callers but is not stored (an existing stale value stays as it was). */
  doNotCache(): void;
}
