import { describeThrown, toError } from '@patinox/errors';
import { CacheBackendError, TieredCacheError } from '../errors.js';

/**
 * The coded error for a failed Redis command: a reply that says something about the data or the user
 * (wrong type, not a counter, ACL refusal, keys across cluster slots) gets its own code, anything else
 * is `CACHE_BACKEND_UNAVAILABLE`. A {@link TieredCacheError} passes through unchanged.
 */
export function mapRedisError(err: unknown, operation: string): Error {
  if (err instanceof TieredCacheError) return err;
  const error = toError(err);
  const message = error.message;
  if (message.startsWith('WRONGTYPE')) {
    return new TieredCacheError(`Redis ${operation}: a key holds a value of another type`, 'CACHE_DECODE_FAILED', { operation, reason: 'wrong type' }, error);
  }
  if (message.includes('NOTCOUNTER')) return new TieredCacheError('The key does not hold a counter', 'CACHE_NOT_A_COUNTER', { operation }, error);
  if (message.includes('NOTSAFE')) {
    return new TieredCacheError('The counter would leave the safe integer range; it was left unchanged', 'CACHE_COUNTER_OUT_OF_RANGE', { operation }, error);
  }
  // An ACL refusal (also inside a script or a discarded MULTI) means the server is up: not an outage.
  const previous = (error as { previousErrors?: unknown }).previousErrors;
  if (message.includes('NOPERM') || (Array.isArray(previous) && previous.some((e) => describeThrown(e).includes('NOPERM')))) {
    return new TieredCacheError(`Redis ${operation}: permission denied for this user (${message})`, 'CACHE_PERMISSION_DENIED', { operation }, error);
  }
  if (message.startsWith('CROSSSLOT')) {
    return new TieredCacheError(`Redis ${operation}: keys span several cluster slots; use one hash tag`, 'CACHE_CROSS_SLOT', { operation }, error);
  }
  return new CacheBackendError(`Redis ${operation} failed: ${message}`, { operation }, error);
}

/** Throws the first failed command of a pipeline's or MULTI's `exec()` results, or an aborted transaction. */
export function checkExec(results: [error: Error | null, result: unknown][] | null): void {
  if (results === null) throw new CacheBackendError('Redis transaction was aborted', {});
  for (const [error] of results) if (error !== null) throw error;
}
