import { describeValue, expectNonEmptyString } from '@patinox/errors';

/** Validates one key: a non-empty, well-formed string of at most `maxKeyBytes` UTF-8 bytes. */
export type KeyCheck = (key: unknown) => asserts key is string;

/**
 * The one key check every entry point (`get`, `set`, `setMany`, `batch`, `atomic`, `getOrLoad`, ...)
 * runs, so a key `set` refuses is refused everywhere.
 */
export function createKeyCheck(maxKeyBytes: number): KeyCheck {
  const fastChars = maxKeyBytes / 3;
  return (value: unknown): asserts value is string => {
    const key = expectNonEmptyString('key', value);
    // Lone surrogates would be replaced in UTF-8, so two different keys could share one Redis key.
    if ((key.length > fastChars && Buffer.byteLength(key) > maxKeyBytes) || !isWellFormed(key)) {
      throw new RangeError(`Expected \`key\` to be well-formed UTF-16 of at most ${maxKeyBytes} UTF-8 bytes, got a string of ${key.length} characters`);
    }
  };
}

/** Validates a `tags` option: an array of non-empty, well-formed strings (or undefined for none). */
export function checkTags(tags: unknown): readonly string[] {
  if (tags === undefined) return NO_TAGS;
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t.length === 0 || !isWellFormed(t))) {
    throw new TypeError(`Expected \`tags\` to be an array of non-empty well-formed strings, got ${describeValue(tags)}`);
  }
  return tags as readonly string[];
}

const NO_TAGS: readonly string[] = Object.freeze([]);

// Array.isArray narrows readonly arrays to any[]; this check does not narrow.
export function isList(value: unknown): boolean {
  return Array.isArray(value);
}

/** True when `text` has no lone surrogate (UTF-8 can carry it unchanged). */
export function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
