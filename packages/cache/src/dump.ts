import { CacheDumpInvalidError } from './errors.js';

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
    entries.push({ key: key as K, value: value as V, ttlMs, staleMs, tags: [...(tags as string[])], sizeBytes });
  }
  return { format: DUMP_FORMAT, version: DUMP_VERSION, dumpedAt, entries };
}
