import { expectBoolean, expectNonNegativeFinite, readKnownOptions } from '@patinox/errors';
import { CacheDuplicateKeyError } from './errors.js';
import { checkStorable, expectArray, keyContext } from './internal/cache-checks.js';
import { validateTags } from './internal/validate-tags.js';
import type { SetManyEntry } from './options.js';

const SET_MANY_KEYS = ['key', 'value', 'ttlMs', 'sizeBytes', 'tags', 'sliding'] as const satisfies readonly (keyof SetManyEntry<unknown, unknown>)[];

/** One `setMany` entry, checked. */
export interface CheckedEntry<K, V> {
  key: K;
  value: V;
  ttlMs: number | undefined;
  sizeBytes: number | undefined;
  tags: readonly string[] | undefined;
  sliding: boolean;
}

/**
 * Checks every `setMany` entry before any is stored: readable, a storable value, valid options, no
 * key twice. `measure` gives the size of an entry without `sizeBytes` (undefined when sizes are not
 * tracked) and may throw, which also happens before anything is stored.
 *
 * @throws CacheDuplicateKeyError; TypeError / RangeError naming the entry (`entries[3].ttlMs`).
 */
export function checkSetMany<K, V>(
  cache: string,
  entries: unknown,
  slidingDefault: boolean,
  measure: (key: K, value: V) => number | undefined,
): CheckedEntry<K, V>[] {
  const list = expectArray('entries', entries);
  const checked: CheckedEntry<K, V>[] = [];
  const seen = new Map<K, number>();
  for (let i = 0; i < list.length; i += 1) {
    const name = `entries[${i}]`;
    const e = readKnownOptions(name, list[i], SET_MANY_KEYS);
    const key = e.key as K;
    const value = e.value as V;
    checkStorable(value, `${name}.value`);
    const first = seen.get(key);
    if (first !== undefined) throw new CacheDuplicateKeyError({ cache, index: i, firstIndex: first, ...keyContext(key) });
    seen.set(key, i);
    checked.push({
      key,
      value,
      ttlMs: e.ttlMs === undefined ? undefined : expectNonNegativeFinite(`${name}.ttlMs`, e.ttlMs),
      sizeBytes: e.sizeBytes === undefined ? measure(key, value) : expectNonNegativeFinite(`${name}.sizeBytes`, e.sizeBytes),
      tags: e.tags === undefined ? undefined : validateTags(e.tags),
      sliding: e.sliding === undefined ? slidingDefault : expectBoolean(`${name}.sliding`, e.sliding),
    });
  }
  return checked;
}

/**
 * `getMany`'s lookups: `get` once per distinct key, answers in key order (a repeated key copies the
 * first answer); the keys that missed go to `missing` when given.
 */
export function lookupMany<K, V>(keys: readonly K[], get: (key: K) => V | undefined, missing: K[] | undefined): (V | undefined)[] {
  const out = new Array<V | undefined>(keys.length);
  const first = keys.length > 1 ? new Map<K, number>() : undefined;
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i] as K;
    if (first !== undefined) {
      const j = first.get(key);
      if (j !== undefined) {
        out[i] = out[j];
        continue;
      }
      first.set(key, i);
    }
    const value = get(key);
    out[i] = value;
    if (value === undefined && missing !== undefined) missing.push(key);
  }
  return out;
}
