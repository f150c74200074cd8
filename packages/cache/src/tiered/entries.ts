import { describeValue, expectBoolean, optional } from '@patinox/errors';
import { CacheDuplicateKeyError } from '../errors.js';
import type { Serializer } from '../serialization/serializer.js';
import { checkTags, type KeyCheck } from './key-check.js';
import type { TieredEntry } from './options.js';
import type { EncodedEntry } from './writer.js';
import { expectTtlMs } from './ttl-check.js';

const UNDEFINED_VALUE = 'Expected `value` to be defined, got undefined: undefined marks a miss and cannot be stored';

/**
 * Checks and encodes every entry of a `setMany` before anything is written: a bad key, value, option or
 * a repeated key throws, so the batch is applied whole or not at all. `slides[i]` is entry i's `sliding`.
 *
 * @throws TypeError / RangeError naming the field; `CACHE_DUPLICATE_KEY` for a repeated key.
 */
export function encodeEntries<V>(
  entries: readonly TieredEntry<V>[],
  serializer: Serializer,
  checkKey: KeyCheck,
  defaultTtlMs: number,
): { encoded: EncodedEntry<V>[]; slides: (boolean | undefined)[] } {
  const seen = new Set<string>();
  const slides: (boolean | undefined)[] = [];
  const encoded = entries.map((entry, index): EncodedEntry<V> => {
    if (typeof entry !== 'object' || entry === null) throw new TypeError(`Expected \`entries[]\` to be { key, value, ttlMs?, tags?, sliding? }, got ${describeValue(entry)}`);
    checkKey(entry.key);
    if (seen.has(entry.key)) throw new CacheDuplicateKeyError({ key: entry.key, index });
    seen.add(entry.key);
    if (entry.value === undefined) throw new TypeError(UNDEFINED_VALUE);
    const ttlMs = optional('ttlMs', entry.ttlMs, expectTtlMs, defaultTtlMs);
    slides.push(entry.sliding === undefined ? undefined : expectBoolean('sliding', entry.sliding));
    const tags = entry.tags === undefined ? undefined : checkTags(entry.tags);
    return { key: entry.key, value: entry.value, bytes: serializer.serialize(entry.value), ttlMs, tags };
  });
  return { encoded, slides };
}
