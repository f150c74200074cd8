/**
 * The system of record behind a write-through `TieredCache`. Every write of the cache reaches it
 * (`set`, `setMany`, `delete`, `increment`, `batch`, `atomic`, `clear`, `invalidateTag`, and the same
 * through regions); see the README's "Write-through" section for the order per path. A store failure
 * rejects the call with `CACHE_STORE_WRITE_FAILED` and leaves the cache as it was.
 */
export interface Store<V = unknown> {
  /** Writes `value` under `key` (`ttlMs` is informative; stores may keep values for ever). */
  set(key: string, value: V, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Reads the value, or undefined; `getOrLoad` falls back to it before calling the loader. */
  get?(key: string): Promise<V | undefined>;
  /**
   * Deletes every key starting with `prefix` (`''`: every key); needed by `clear()` (a region's keys
   * reach the store as `<region>:<key>`). Without it, `clear()` on a write-through cache throws a TypeError.
   */
  clear?(prefix: string): Promise<void>;
}
