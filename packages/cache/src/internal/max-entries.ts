import { describeValue, expectPositiveInteger } from '@patinox/errors';

/**
 * The most slots a cache may have: 2^26 (67,108,864). Slots are allocated up front, two JavaScript
 * arrays of them (keys, values) on V8's heap, 1 GB at this size before any entry is stored; much past
 * it the allocation itself exhausts the default heap, a fatal error no caller can catch (at 2^27 the
 * arrays cannot even be created: "Invalid array length").
 */
export const MAX_ENTRIES_LIMIT = 2 ** 26;

/** `maxEntries` (constructor or `resize`): a positive integer no larger than {@link MAX_ENTRIES_LIMIT}. */
export function expectMaxEntries(value: unknown): number {
  const max = expectPositiveInteger('maxEntries', value);
  if (max > MAX_ENTRIES_LIMIT) {
    throw new RangeError(`Expected \`maxEntries\` to be at most ${MAX_ENTRIES_LIMIT} (slots are allocated up front), got ${describeValue(value)}`);
  }
  return max;
}
