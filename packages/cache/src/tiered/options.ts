import type { Monitor, TraceHook } from '@patinox/monitor';
import type { CacheOptions } from '../options.js';
import type { Codec, Compressor } from '../serialization/codec.js';
import type { Serializer, SerializerOptions } from '../serialization/serializer.js';
import type { CacheBackend } from './backend.js';
import type { InvalidationBus } from './bus.js';
import type { CircuitBreakerOptions } from './circuit-breaker.js';
import type { Store } from './store.js';

/**
 * What a read may return relative to the last acknowledged write (see {@link TieredCacheOptions.consistency}).
 * - `'eventual'`: L1 hits are served without asking L2; another instance may serve the previous value
 *   until the invalidation reaches it (the bus lag, `stats().bus.lagMs`; p99 in the README).
 * - `'strong'`: every read is answered by L2, so no instance returns a value older than the last
 *   acknowledged write, also right after `setMany`, `batch` and `atomic`.
 */
export type TieredConsistency = 'eventual' | 'strong';

/**
 * Options of `TieredCache`; only `l2` and `namespace` are required. The {@link TieredLoadOptions} given
 * here are the cache-level defaults of every `getOrLoad`/`getMany` call.
 */
export interface TieredCacheOptions<V = unknown> extends TieredLoadOptions {
  /** The shared tier (`RedisBackend`, `MemoryBackend`, or your own `CacheBackend`). */
  l2: CacheBackend;
  /**
   * Prefix of every L2 key (`<namespace>:<key>`): letters, digits, `_`, `-` and `.`, so that no
   * namespace is a prefix of another's keys (`a` and `a.b` never clash).
   */
  namespace: string;
  /**
   * `'strong'`: `get`, `getMany`, `exists` and `getOrLoad` never answer from L1 (there is none), so no
   * instance returns a value older than the last acknowledged write; an unreachable L2 rejects instead of
   * serving a copy. Costs an L2 round trip per read (see the README's figures). Cannot be combined with
   * `degradeToL1` (a write kept in L1 only would not be seen); `l1` and `getOrLoad`'s
   * `staleWhileRevalidateMs` have no effect.
   * `'eventual'`: reads are served from L1 when it holds the key; another instance's write reaches this
   * L1 after the bus lag.
   * @default 'eventual'
   */
  consistency?: TieredConsistency;
  /** The in-process tier: `Cache` options, or `false` for none; no effect with `consistency: 'strong'`. @default { maxEntries: 10000 } */
  l1?: CacheOptions<string, V> | false;
  /** A `Serializer`, or options for one. @default MessagePack (msgpackr), JSON when given `{ codec: jsonCodec }` */
  serializer?: Serializer | SerializerOptions;
  /** Compress values of at least `compressionThresholdBytes`: `'lz4'` (lz4-napi) or a `Compressor`. @default false */
  compression?: 'lz4' | Compressor | false;
  /** Encoded size from which values are compressed, in bytes. @default 1024 */
  compressionThresholdBytes?: number;
  /** Time to live of values without `ttlMs`, in ms; 0 for none. @default 0 */
  defaultTtlMs?: number;
  /**
   * Carries invalidations to other instances' L1 (`RedisBus`, `MemoryBus`). Without a bus, L1 copies
   * of other instances stay stale until their L1 TTL. @default none
   */
  bus?: InvalidationBus | false;
  /** Write-through store: written before the cache, and the caller acknowledged only after it. @default none */
  store?: Store<V>;
  /** Deadline of every L2 call, in ms; a late call rejects with `CACHE_BACKEND_UNAVAILABLE`. @default 1000 */
  operationTimeoutMs?: number;
  /** L2 circuit breaker, or `false` to always try L2. @default { failureThreshold: 5, resetTimeoutMs: 2000 } */
  circuitBreaker?: CircuitBreakerOptions | false;
  /** When L2 is unavailable, writes go to L1 only and succeed, and reads miss instead of rejecting. @default false */
  degradeToL1?: boolean;
  /** Time to live of the distributed `getOrLoad` lock, in ms; keep it above the loader's run time. @default 10000 */
  lockTtlMs?: number;
  /** How long `getOrLoad` waits for another instance's loader before `CACHE_LOCK_TIMEOUT`, in ms. @default 10000 */
  lockWaitTimeoutMs?: number;
  /** Longest pause between lock checks while waiting (a bus message wakes waiters at once), in ms. @default 100 */
  lockPollIntervalMs?: number;
  /** Longest key, in UTF-8 bytes. @default 1024 */
  maxKeyBytes?: number;
  /** Receives lifecycle events (circuit, bus, flushes, lock timeouts). @default noopMonitor */
  monitor?: Monitor;
  /** Time source for the circuit breaker, in ms. @default Date.now */
  clock?: () => number;
  /**
   * Records a `cache.get`, `cache.getOrLoad` or `cache.set` span per call (attributes `cache.namespace`
   * and, on reads, `cache.l1.hit`), and under it a `cache.l2.<operation>` span around each L2 call
   * (`get`, `getMany`, `set`, `lock`, ...; failed on a backend error) and a `cache.load` span around each
   * loader run. An L1 hit makes no span unless `traceL1Hits`. @default undefined (no tracing)
   */
  tracer?: TraceHook;
  /** With a `tracer`, also record a span (`cache.l1.hit: true`) for reads answered by L1. @default false */
  traceL1Hits?: boolean;
  /**
   * Sliding expiry for every entry (Caffeine's `expireAfterAccess`): a read of a live entry pushes its
   * expiry to now + its TTL, in L1 and in L2 (one pipelined `PEXPIRE` per tick for the keys read). An
   * instance slides an entry by the TTL it wrote it with, and entries written elsewhere by `defaultTtlMs`.
   * No effect on entries without a TTL. @default false
   */
  slidingTtl?: boolean;
}

/**
 * How `getOrLoad` and `getMany(keys, loader)` treat slow and failing loaders; each is accepted per call
 * and as a cache-level default under the same name. Every value is in ms, at most 2³¹−1; 0 turns it off.
 */
export interface TieredLoadOptions {
  /**
   * When a stale value exists (a grace copy, see `graceMs`, or the live value being refreshed ahead)
   * and the load takes longer than this, the caller gets the stale value (`stats().staleServed`); the
   * load finishes in the background and fills the cache. No effect without a stale value. @default 0
   */
  softTimeoutMs?: number;
  /**
   * The caller gives up after this long with `CACHE_LOAD_TIMEOUT` (recovery `retry`); the load goes on
   * and may still fill the cache for the next caller. @default 0
   */
  hardTimeoutMs?: number;
  /**
   * After an entry's TTL, keep a grace copy in L2 (`<ns>:g:<key>`, expiring `graceMs` after the value)
   * as a fallback: when the load fails, or is held back by `failureBackoffMs`, the caller gets the grace
   * copy instead of the error. Needs a TTL. As a cache-level default, `set` and `setMany` keep grace
   * copies too. @default 0
   */
  graceMs?: number;
  /**
   * After a loader failure for a key, no new loader call for it (on this instance) before
   * `min(maxFailureBackoffMs, failureBackoffMs × 2^(failures−1))` has passed on `clock`; meanwhile
   * callers get the grace copy, else the last failure. A success resets the count. @default 0
   */
  failureBackoffMs?: number;
  /** Longest failure backoff. @default 30000 */
  maxFailureBackoffMs?: number;
  /**
   * An entry older than this (since written, on `clock`) is returned at once and refreshed by one
   * background load across all instances (under the `getOrLoad` lock), before it expires. Keep it below
   * the TTL. @default 0
   */
  refreshAfterMs?: number;
}

/** Options of `TieredCache.get`. */
export interface TieredGetOptions {
  /** Read L2 even when L1 holds the key (and refresh L1 with the answer). @default false */
  consistent?: boolean;
  /** Serve an L1 copy whose freshness is unverified (bus outage) without asking L2. @default false */
  allowStale?: boolean;
}

/** Options of `TieredCache.set`. */
export interface TieredSetOptions {
  /** Time to live in ms; 0 for none. @default the cache's defaultTtlMs */
  ttlMs?: number;
  /** Sliding expiry for this entry (see {@link TieredCacheOptions.slidingTtl}). @default the cache's slidingTtl */
  sliding?: boolean;
  /** Write only when the key does not exist in L2. @default false */
  nx?: boolean;
  /** Tags for `invalidateTag`. @default [] */
  tags?: readonly string[];
}

/** Options of `TieredCache.getOrLoad`. */
export interface TieredGetOrLoadOptions extends Omit<TieredSetOptions, 'nx'>, TieredLoadOptions {
  /** Ends this caller's wait (the shared load goes on for the others). */
  signal?: AbortSignal;
  /**
   * After `ttlMs`, serve the L1 value for this long while one refresh (from L2, or the loader under the
   * distributed lock) runs in the background; needs L1. In ms. @default 0
   */
  staleWhileRevalidateMs?: number;
}

/** Options of `TieredCache.getMany(keys, loader, options)`: the TTL and tags of every loaded entry, and the caller's deadline. */
export type TieredGetManyOptions = Pick<TieredGetOrLoadOptions, 'ttlMs' | 'tags' | 'sliding' | 'signal' | 'hardTimeoutMs'>;

/** What a `getOrLoad` (or `getMany`) loader receives. */
export interface TieredLoaderContext<V = unknown> {
  /** Aborts when the cache closes. */
  signal: AbortSignal;
  /** True when this load refreshes a live entry in the background (`refreshAfterMs`). */
  isRefresh: boolean;
  /** The stale value this load replaces (grace copy, or the live value refreshed ahead), if any. */
  stale: V | undefined;
  /**
   * Sets this entry's TTL in ms (0: none), instead of the call's `ttlMs`.
   * @throws TypeError / RangeError at once for a negative or non-finite value; nothing is applied.
   */
  setTtl(ttlMs: number): void;
  /** Sets this entry's tags, instead of the call's `tags`. @throws TypeError for a bad tag list. */
  setTags(tags: readonly string[]): void;
  /** The value goes to the callers but is not stored (no L2 write, no L1 copy). */
  doNotCache(): void;
}

/** One entry of `TieredCache.setMany`. */
export interface TieredEntry<V> {
  key: string;
  value: V;
  ttlMs?: number;
  tags?: readonly string[];
  sliding?: boolean;
}

/** Options of `TieredCache.peek`. */
export interface TieredPeekOptions {
  /** Also return an L1 copy whose freshness is unverified (bus outage). @default false */
  allowStale?: boolean;
}

/** Options of `TieredCache.scan`. */
export interface TieredScanOptions {
  /** SCAN COUNT hint. @default 1000 */
  batchSize?: number;
}

export type { Codec, Compressor };
