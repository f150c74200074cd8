import { defineEvents, type EventName } from '@patinox/monitor';

/**
 * Every event the in-process {@link Cache} reports to its `monitor`; names are public API. None is
 * emitted per `get` or `set`: only on failures, sweeps that removed something, `clear` and `close`.
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
} as const);

/** One of {@link CACHE_EVENTS}. */
export type CacheEventName = EventName<typeof CACHE_EVENTS>;
