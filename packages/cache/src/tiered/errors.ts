import { PatinoxError, type RecoveryStrategy } from '@patinox/errors';

/** Error codes of the distributed tier. Codes are public API; messages may change. */
export const TIERED_CACHE_ERROR_CODES = Object.freeze({
  /** L2 (Redis) did not answer in time, refused the connection, or the circuit breaker is open. */
  BACKEND_UNAVAILABLE: 'CACHE_BACKEND_UNAVAILABLE',
  /** A value could not be encoded (a function, a symbol, a cycle, a BigInt for JSON). */
  SERIALIZATION_FAILED: 'CACHE_SERIALIZATION_FAILED',
  /** Bytes under a key are not a value this serializer can read (garbage, foreign or another codec). */
  DECODE_FAILED: 'CACHE_DECODE_FAILED',
  /** `getOrLoad` waited longer than `lockWaitTimeoutMs` for another instance's loader. */
  LOCK_TIMEOUT: 'CACHE_LOCK_TIMEOUT',
  /** The write-through store rejected a write; the cache was left untouched. */
  STORE_WRITE_FAILED: 'CACHE_STORE_WRITE_FAILED',
  /** An atomic operation spans several Redis Cluster slots; use a hash tag such as `{order:1}`. */
  CROSS_SLOT: 'CACHE_CROSS_SLOT',
  /** The cache was closed. */
  CLOSED: 'CACHE_CLOSED',
  /** A snapshot file is missing, truncated or not a snapshot. */
  SNAPSHOT_INVALID: 'CACHE_SNAPSHOT_INVALID',
  /** A key holds a value that is not a counter (for `increment`). */
  NOT_A_COUNTER: 'CACHE_NOT_A_COUNTER',
} as const);

/** One of {@link TIERED_CACHE_ERROR_CODES}. */
export type TieredCacheErrorCode = (typeof TIERED_CACHE_ERROR_CODES)[keyof typeof TIERED_CACHE_ERROR_CODES];

const RECOVERY: Record<TieredCacheErrorCode, RecoveryStrategy> = {
  CACHE_BACKEND_UNAVAILABLE: 'retry',
  CACHE_SERIALIZATION_FAILED: 'fail',
  CACHE_DECODE_FAILED: 'fallback',
  CACHE_LOCK_TIMEOUT: 'retry',
  CACHE_STORE_WRITE_FAILED: 'retry',
  CACHE_CROSS_SLOT: 'fail',
  CACHE_CLOSED: 'fail',
  CACHE_SNAPSHOT_INVALID: 'fail',
  CACHE_NOT_A_COUNTER: 'fail',
};

/**
 * A failure of the distributed tier (serialization, locks, stores, snapshots), with a stable `code`.
 *
 * @example
 * ```ts
 * if (isPatinoxError(err, 'CACHE_DECODE_FAILED')) await cache.delete(key);
 * ```
 */
export class TieredCacheError extends PatinoxError {
  constructor(message: string, code: TieredCacheErrorCode, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, { code, recovery: RECOVERY[code], context, cause });
  }
}

/** L2 could not serve a request: `CACHE_BACKEND_UNAVAILABLE`, recovery `retry` (or read from L1). */
export class CacheBackendError extends TieredCacheError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, 'CACHE_BACKEND_UNAVAILABLE', context, cause);
  }
}
