import { describeValue } from '@patinox/errors';
import { CacheDumpInvalidError } from './errors.js';
import type { SlotView } from './internal/slot-view.js';

/** The `format` of every {@link CacheDump}. */
export const DUMP_FORMAT = 'patinox-cache-dump';
/** The dump version this release writes and reads. */
export const DUMP_VERSION = 1;

/** One entry of a {@link CacheDump}. */
export interface CacheDumpEntry<K = unknown, V = unknown> {
  key: K;
  value: V;
  /** ms of TTL left at `dumpedAt`; `null` when the entry never expires. */
  ttlMs: number | null;
  /** The stale-while-revalidate window that follows the TTL, in ms (0 = none). */
  staleMs: number;
  tags: string[];
  /** The entry's size when the cache tracked sizes, otherwise 0 (the loading cache then measures it). */
  sizeBytes: number;
  /**
   * The TTL a read renews, in ms, for an entry with sliding expiry; absent for a fixed TTL. Optional, so
   * dumps written before it still load (their entries follow the loading cache's `slidingTtl`) and an
   * older release loading a newer dump ignores it.
   */
  slidingTtlMs?: number;
}

/** What `cache.dump()` returns and `cache.load(dump)` reads: plain data, for any serializer. */
export interface CacheDump<K = unknown, V = unknown> {
  format: typeof DUMP_FORMAT;
  version: typeof DUMP_VERSION;
  /** Wall-clock time of the dump (`Date.now()`), so `load` can age the TTLs. */
  dumpedAt: number;
  entries: CacheDumpEntry<K, V>[];
}

function read(value: unknown, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    throw new CacheDumpInvalidError(`reading \`${key}\` threw`);
  }
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * Checks a whole dump before anything is loaded and returns a copy of it; `checkValue` throws for a
 * value the cache refuses.
 *
 * @throws {@link CacheDumpInvalidError} for an unknown format or version, a malformed entry (with its
 *   `index`) or a key that appears twice.
 */
export function readDump<K, V>(dump: unknown, checkValue: (value: unknown) => void): CacheDump<K, V> {
  if (typeof dump !== 'object' || dump === null) throw new CacheDumpInvalidError('not an object');
  const format = read(dump, 'format');
  const version = read(dump, 'version');
  if (format !== DUMP_FORMAT) throw new CacheDumpInvalidError(`unknown format ${JSON.stringify(String(format))}`, { format: String(format) });
  if (version !== DUMP_VERSION) {
    throw new CacheDumpInvalidError(`version ${String(version)} is not ${DUMP_VERSION}, the one this release reads`, { version: String(version) });
  }
  const dumpedAt = read(dump, 'dumpedAt');
  if (!isNonNegative(dumpedAt)) throw new CacheDumpInvalidError('`dumpedAt` is not a wall-clock time in ms');
  const list = read(dump, 'entries');
  if (!Array.isArray(list)) throw new CacheDumpInvalidError('`entries` is not an array');
  const seen = new Set<unknown>();
  const entries: CacheDumpEntry<K, V>[] = [];
  for (let index = 0; index < list.length; index += 1) {
    const e: unknown = list[index];
    const bad = (what: string): CacheDumpInvalidError => new CacheDumpInvalidError(`entry ${index}: ${what}`, { index });
    if (typeof e !== 'object' || e === null) throw bad('not an object');
    const key = read(e, 'key');
    const value = read(e, 'value');
    const ttlMs = read(e, 'ttlMs');
    const staleMs = read(e, 'staleMs');
    const tags = read(e, 'tags');
    const sizeBytes = read(e, 'sizeBytes');
    const slidingTtlMs = read(e, 'slidingTtlMs');
    if (seen.has(key)) throw bad('its key appears earlier in the dump');
    seen.add(key);
    try {
      checkValue(value);
    } catch (err) {
      throw bad(`the value cannot be stored (${(err as Error).message})`);
    }
    if (ttlMs !== null && !isNonNegative(ttlMs)) throw bad('`ttlMs` is neither null nor a non-negative number');
    if (!isNonNegative(staleMs)) throw bad('`staleMs` is not a non-negative number');
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) throw bad('`tags` is not an array of strings');
    if (!isNonNegative(sizeBytes)) throw bad('`sizeBytes` is not a non-negative number');
    const entry: CacheDumpEntry<K, V> = { key: key as K, value: value as V, ttlMs, staleMs, tags: [...(tags as string[])], sizeBytes };
    if (slidingTtlMs !== undefined) {
      if (!isNonNegative(slidingTtlMs) || slidingTtlMs === 0) throw bad(`\`slidingTtlMs\` is neither absent nor a positive number of ms, got ${describeValue(slidingTtlMs)}`);
      if (ttlMs === null) throw bad('`slidingTtlMs` is set on an entry without a TTL (`ttlMs` null)');
      entry.slidingTtlMs = slidingTtlMs;
    }
    entries.push(entry);
  }
  return { format: DUMP_FORMAT, version: DUMP_VERSION, dumpedAt, entries };
}

/**
 * The live entries of the cache behind `view`, coldest first (so loading them in order leaves the
 * hottest most recently used).
 */
export function dumpCache<K, V>(view: SlotView<K, V>, mayExpire: boolean): CacheDump<K, V> {
  const now = view.now();
  const policy = view.policy();
  const slots = policy.ranked === undefined ? view.occupied() : policy.ranked(view.count(), false);
  const entries: CacheDumpEntry<K, V>[] = [];
  for (const slot of slots) {
    if (mayExpire && !view.live(slot)) continue;
    const e = view.expiresAt(slot);
    const staleUntil = view.staleUntil(slot);
    const tags = view.tags(slot);
    const entry: CacheDumpEntry<K, V> = {
      key: view.key(slot),
      value: view.value(slot),
      ttlMs: e === 0 ? null : e - now,
      staleMs: e !== 0 && staleUntil > e ? staleUntil - e : 0,
      tags: tags === undefined ? [] : [...tags],
      sizeBytes: view.sizeBytes(slot),
    };
    // Only sliding entries carry the field, so a dump of a cache that never slides is as before.
    const slidingTtlMs = e === 0 ? 0 : view.slidingTtlMs(slot);
    if (slidingTtlMs > 0) entry.slidingTtlMs = slidingTtlMs;
    entries.push(entry);
  }
  return { format: DUMP_FORMAT, version: DUMP_VERSION, dumpedAt: Date.now(), entries };
}

/** How `loadDump` stores into a cache. */
export interface DumpTarget<K, V> {
  /** Throws for a value the cache refuses. */
  checkValue(value: unknown): void;
  /** The size to store an entry with (undefined when sizes are not tracked); may throw (a `sizeOf` that does). */
  sizeOf(key: K, value: V, dumped: number): number | undefined;
  /** The cache's `maxEntries` and `maxSizeBytes`: a dump larger than that loads only its hottest entries. */
  readonly maxEntries: number;
  readonly maxSizeBytes: number;
  /**
   * Stores one entry; false when rejected (too large). `ttlMs` 0 means no expiry; `slidingTtlMs` is the
   * TTL a read renews (the entry slides), undefined when the dump does not say (the cache's default).
   */
  store(key: K, value: V, ttlMs: number, sizeBytes: number | undefined, tags: readonly string[] | undefined, staleMs: number, slidingTtlMs: number | undefined): boolean;
}

/**
 * Checks the whole `dump` (and measures every entry) before storing anything, then stores the entries
 * whose TTL is not over, aged by the wall-clock time since `dumpedAt`. Returns how many were stored.
 *
 * A dump holds its entries coldest first. When more of them are live than the cache holds (by count, or
 * by bytes when sizes are tracked), only the hottest that fit are stored, still coldest first: storing
 * them all would leave the cache's own policy to choose, and an admission policy (W-TinyLFU) keeps the
 * entries already in, so the coldest would stay and the hottest be turned away.
 */
export function loadDump<K, V>(dump: unknown, target: DumpTarget<K, V>): number {
  const valid = readDump<K, V>(dump, (value) => target.checkValue(value));
  const elapsed = Math.max(0, Date.now() - valid.dumpedAt);
  const sizes = valid.entries.map((e) => target.sizeOf(e.key, e.value, e.sizeBytes));
  // The entries kept, hottest first, with the TTL each has left (0: none).
  const keep: number[] = [];
  const ttls: number[] = [];
  let bytes = 0;
  for (let i = valid.entries.length - 1; i >= 0 && keep.length < target.maxEntries; i -= 1) {
    const e = valid.entries[i]!;
    const ttlMs = e.ttlMs === null ? 0 : e.ttlMs - elapsed;
    if (e.ttlMs !== null && ttlMs <= 0) continue;
    const size = sizes[i];
    // One larger than the whole cache is rejected by the store (and reported there); it takes no room.
    if (size !== undefined && size <= target.maxSizeBytes) {
      if (bytes + size > target.maxSizeBytes) break;
      bytes += size;
    }
    keep.push(i);
    ttls.push(ttlMs);
  }
  let loaded = 0;
  for (let k = keep.length - 1; k >= 0; k -= 1) {
    const i = keep[k]!;
    const e = valid.entries[i]!;
    if (target.store(e.key, e.value, ttls[k]!, sizes[i], e.tags.length === 0 ? undefined : e.tags, e.staleMs, e.slidingTtlMs)) loaded += 1;
  }
  return loaded;
}
