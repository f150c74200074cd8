import { defineEvents, type EventName } from '@patinox/monitor';

/**
 * Every event `@patinox/cache` reports to a `monitor`; names are public API. The in-process {@link Cache}
 * reports `cache.*` (its `name` is the source); a `TieredCache` reports `cache.tiered.*` (source
 * `cache.tiered`, data always has `namespace` unless noted). None is emitted per `get` or `set`: only on
 * failures, state changes, sweeps that removed something, `clear` and `close`.
 */
export const CACHE_EVENTS = defineEvents('cache', {
  /** `set` did not store an entry larger than `maxSizeBytes` (`CACHE_ENTRY_TOO_LARGE`). Data: `code`, `sizeBytes`, `maxSizeBytes`. */
  entryRejected: 'cache.entry.rejected',
  /** `onEvict` or `onReject` threw; the cache carried on. Data: `callback`, `error`. */
  callbackFailed: 'cache.callback.failed',
  /** A `getOrLoad` loader failed (`CACHE_LOADER_FAILED` to its callers); nothing was cached. Data: `key?`, `error`. */
  loadFailed: 'cache.load.failed',
  /**
   * A load of a key that still had a value failed (stale-while-revalidate, refresh ahead, or a load
   * in the grace window); the old value stays until its window ends. Data: `key?`, `error`.
   */
  refreshFailed: 'cache.refresh.failed',
  /** The periodic sweep removed expired entries. Data: `expired`, `size`. */
  swept: 'cache.swept',
  /** `resize()` changed `maxEntries`. Data: `from`, `to`, `evicted` (entries dropped by shrinking). */
  resized: 'cache.resized',
  /** `clear()` removed entries. Data: `entries`. */
  cleared: 'cache.cleared',
  /** `close()` ran. */
  closed: 'cache.closed',

  // ---------------------------------------------------------------- TieredCache
  /** L1 was emptied because it may be stale (bus reconnected, circuit closed). Data: `reason`, `entries`. */
  tieredL1Flushed: 'cache.tiered.l1.flushed',
  /** An invalidation could not be published; the write itself succeeded. Data: `error`. */
  tieredBusPublishFailed: 'cache.tiered.bus.publish.failed',
  /** The invalidation bus lost its connection; L1 is not trusted until it is back. No other data. */
  tieredBusDisconnected: 'cache.tiered.bus.disconnected',
  /** The invalidation bus is back (L1 was flushed). Data: `outageMs`. */
  tieredBusReconnected: 'cache.tiered.bus.reconnected',
  /** `getOrLoad` waited `lockWaitTimeoutMs` for another instance's loader (`CACHE_LOCK_TIMEOUT`). Data: `key`. */
  tieredLockTimeout: 'cache.tiered.lock.timeout',
  /** A refresh ahead failed; the live value stays. Data: `key`, `error`. */
  tieredRefreshFailed: 'cache.tiered.refresh.failed',
  /** A sliding-TTL `PEXPIRE` failed; those keys keep their previous expiry. Data: `keys` (a count), `error` (no `namespace`). */
  tieredTouchFailed: 'cache.tiered.touch.failed',
  /** The write-through store refused a write (`CACHE_STORE_WRITE_FAILED`). Data: `key?`, `keys` (a count), `error`. */
  tieredStoreFailed: 'cache.tiered.store.failed',
  /** The L2 circuit breaker opened: L2 calls fail fast with `CACHE_BACKEND_UNAVAILABLE`. */
  tieredCircuitOpen: 'cache.tiered.circuit.open',
  /** The L2 circuit breaker lets one probe call through. */
  tieredCircuitHalfOpen: 'cache.tiered.circuit.halfopen',
  /** The L2 circuit breaker closed again (L1 is flushed). */
  tieredCircuitClosed: 'cache.tiered.circuit.closed',
  /** `close()` ran. */
  tieredClosed: 'cache.tiered.closed',
} as const);

/** One of {@link CACHE_EVENTS}. */
export type CacheEventName = EventName<typeof CACHE_EVENTS>;
