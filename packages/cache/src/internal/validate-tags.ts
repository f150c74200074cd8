import { describeValue } from '@patinox/errors';

/** Throws a TypeError unless `tags` is an array of strings. */
export function validateTags(tags: unknown): readonly string[] {
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) {
    throw new TypeError(`Expected \`tags\` to be an array of strings, got ${describeValue(tags)}`);
  }
  return tags as readonly string[];
}
