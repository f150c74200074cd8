/**
 * The system of record behind a write-through `TieredCache`: `set`/`delete` reach the store first, and
 * the cache changes only after the store acknowledged. A store failure rejects the call with
 * `CACHE_STORE_WRITE_FAILED` and leaves every tier untouched.
 */
export interface Store<V = unknown> {
  /** Writes `value` under `key` (`ttlMs` is informative; stores may keep values for ever). */
  set(key: string, value: V, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Reads the value, or undefined; `getOrLoad` falls back to it before calling the loader. */
  get?(key: string): Promise<V | undefined>;
}
