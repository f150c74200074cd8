import { dumpCache, type CacheDumpEntry } from '../dump.js';
import type { SlotView } from './slot-view.js';

/** How {@link rebuild} empties and refills the cache it resizes. */
export interface RebuildTarget<K, V> {
  /** Empties the cache and builds fresh slot storage and a fresh policy for `slots` entries. */
  reset(slots: number): void;
  /**
   * Stores a kept entry again. `ttlMs` 0 means no expiry; `sizeBytes` is undefined when sizes are not
   * tracked; `slidingTtlMs` is the window of a sliding entry (undefined: a fixed one).
   */
  store(key: K, value: V, ttlMs: number, sizeBytes: number | undefined, tags: readonly string[] | undefined, staleMs: number, slidingTtlMs: number | undefined): void;
}

/**
 * Rebuilds the cache behind `view` for `slots` entries (`Cache.resize`): takes its live entries coldest
 * first, resets it, and stores them again in that order, so the policy's new history starts from their
 * hottest-to-coldest order. Returns the coldest entries that no longer fit, which were not stored again.
 */
export function rebuild<K, V>(view: SlotView<K, V>, mayExpire: boolean, slots: number, tracksSizes: boolean, target: RebuildTarget<K, V>): CacheDumpEntry<K, V>[] {
  const entries = dumpCache(view, mayExpire).entries;
  const dropped = entries.length > slots ? entries.splice(0, entries.length - slots) : [];
  target.reset(slots);
  for (const e of entries) {
    target.store(e.key, e.value, e.ttlMs ?? 0, tracksSizes ? e.sizeBytes : undefined, e.tags.length === 0 ? undefined : e.tags, e.staleMs, e.slidingTtlMs);
  }
  return dropped;
}
