import { describeThrown, isPatinoxError } from '@patinox/errors';

/** The `code` and `error` fields of an event about a failure; never throws, whatever was thrown. */
export function describeError(error: unknown): { code: string | undefined; error: string } {
  return { code: isPatinoxError(error) ? error.code : undefined, error: describeThrown(error) };
}
