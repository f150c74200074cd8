import type { Monitor, TraceHook } from '@patinox/monitor';
import type { CacheEntryTooLargeError } from './errors.js';

/** Default values of the optional {@link CacheOptions}, in the options' units. */
export const CACHE_DEFAULTS = Object.freeze({
  maxSizeBytes: Infinity,
  defaultTtlMs: 0,
  cleanupIntervalMs: 60_000,
  staleWhileRevalidateMs: 0,
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

/** Options of `new Cache(options)`. */
export interface CacheOptions<K = unknown, V = unknown> {
  /** Most entries held at once; a positive integer. Slots are allocated up front. Required. */
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
}

/** Options of `cache.getOrLoad(key, loader, options)`. */
export interface GetOrLoadOptions {
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

/** What a loader receives. */
export interface LoaderContext {
  /** Aborts when the cache is closed (not when one caller gives up). */
  signal: AbortSignal;
  /** True when this load refreshes a stale entry in the background. */
  isRefresh: boolean;
}
