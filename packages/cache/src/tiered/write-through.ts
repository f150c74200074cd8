import { describeThrown, describeValue } from '@patinox/errors';
import { createEvent, safeRecord, type Monitor } from '@patinox/monitor';
import { CACHE_EVENTS } from '../events.js';
import { TieredCacheError } from '../errors.js';
import type { Store } from './store.js';

/** One write for the store: a value (`value` defined) or a delete. */
export interface StoreWrite<V> {
  key: string;
  value?: V;
  ttlMs?: number;
}

/**
 * The write-through policy, one for every path: the store write is awaited and counted, and its failure
 * becomes `CACHE_STORE_WRITE_FAILED` (recovery `retry`) after a `cache.tiered.store.failed` event.
 * A region inherits its parent's store under the key prefix `<region>:`.
 */
export class WriteThrough<V> {
  readonly store: Store<V> | undefined;
  readonly #prefix: string;
  readonly #namespace: string;
  readonly #monitor: Monitor;
  #writes = 0;
  #failures = 0;

  constructor(store: Store<V> | undefined, prefix: string, namespace: string, monitor: Monitor) {
    if (store !== undefined) {
      const s = store as Partial<Store<V>>;
      if (typeof s !== 'object' || s === null || typeof s.set !== 'function' || typeof s.delete !== 'function') {
        throw new TypeError(`Expected \`store\` to be a Store ({ set, delete }), got ${describeValue(store)}`);
      }
    }
    this.store = store;
    this.#prefix = prefix;
    this.#namespace = namespace;
    this.#monitor = monitor;
  }

  get enabled(): boolean {
    return this.store !== undefined;
  }

  /** The key prefix a region of this one uses in the store. */
  regionPrefix(name: string): string {
    return `${this.#prefix}${name}:`;
  }

  /** Applies `writes` to the store (all of them, concurrently); rejects with `CACHE_STORE_WRITE_FAILED`. */
  async write(writes: readonly StoreWrite<V>[]): Promise<void> {
    const store = this.store;
    if (store === undefined || writes.length === 0) return;
    try {
      await Promise.all(
        writes.map((w) => (w.value === undefined ? store.delete(this.#prefix + w.key) : store.set(this.#prefix + w.key, w.value, w.ttlMs === 0 ? undefined : w.ttlMs))),
      );
      this.#writes += writes.length;
    } catch (err) {
      throw this.#failed(writes.map((w) => w.key), err);
    }
  }

  /** Deletes this cache's keys (a region's: those under its prefix) from the store. */
  async clear(): Promise<void> {
    const store = this.store;
    if (store === undefined) return;
    if (typeof store.clear !== 'function') {
      throw new TypeError('Expected the write-through `store` to implement clear(prefix) for clear(): without it the store would keep what the cache removed');
    }
    try {
      await store.clear(this.#prefix);
      this.#writes += 1;
    } catch (err) {
      throw this.#failed([], err);
    }
  }

  /** The stored value of `key`, when the store can read. */
  get(key: string): Promise<V | undefined> | undefined {
    return this.store?.get?.(this.#prefix + key);
  }

  #failed(keys: readonly string[], err: unknown): TieredCacheError {
    this.#failures += 1;
    const key = keys.length === 1 ? keys[0] : undefined;
    safeRecord(this.#monitor, createEvent(CACHE_EVENTS.tieredStoreFailed, 'cache.tiered', { namespace: this.#namespace, key, keys: keys.length, error: describeThrown(err) }));
    const what = keys.length === 1 ? `key ${JSON.stringify(keys[0])}` : keys.length === 0 ? 'clear()' : `${keys.length} keys`;
    return new TieredCacheError(`Write-through store failed for ${what}; the cache was left as it was`, 'CACHE_STORE_WRITE_FAILED', key === undefined ? { keys } : { key }, err);
  }

  stats(): { writes: number; failures: number } {
    return { writes: this.#writes, failures: this.#failures };
  }
}
