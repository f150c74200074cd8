import { PatinoxError, type RecoveryStrategy } from '@patinox/errors';

/** An entry (value plus its size) is larger than `maxSizeBytes`: it was not stored. */
export const CACHE_ENTRY_TOO_LARGE = 'CACHE_ENTRY_TOO_LARGE';
/** A `getOrLoad` loader threw, rejected or resolved to `undefined`. */
export const CACHE_LOADER_FAILED = 'CACHE_LOADER_FAILED';
/** A `getOrLoad` caller's own `signal` aborted before the value arrived. */
export const CACHE_LOAD_ABORTED = 'CACHE_LOAD_ABORTED';
/** The cache was closed: no more writes or loads. */
export const CACHE_CLOSED = 'CACHE_CLOSED';
/** A `getOrLoad` waited `hardTimeoutMs` for its loader and gave up; the load may still finish and fill the cache. */
export const CACHE_LOAD_TIMEOUT = 'CACHE_LOAD_TIMEOUT';

/** A bulk call (`setMany`) named one key twice: nothing was stored. */
export const CACHE_DUPLICATE_KEY = 'CACHE_DUPLICATE_KEY';

/** Options shared by the cache error constructors. */
export interface CacheErrorOptions {
  context?: Record<string, unknown>;
  cause?: unknown;
  recovery?: RecoveryStrategy;
}

/** Base of every error `@patinox/cache` creates; recognise with `isPatinoxError(err, code)`. */
export class CacheError extends PatinoxError {
  constructor(message: string, code: string, options: CacheErrorOptions = {}) {
    super(message, { code, recovery: options.recovery ?? 'fail', context: options.context, cause: options.cause });
  }
}

/**
 * The entry was not admitted because its size alone exceeds `maxSizeBytes`. Returned (never thrown) to
 * `onReject`, counted in `stats().rejected`; no other entry was evicted to make room.
 */
export class CacheEntryTooLargeError extends CacheError {
  constructor(sizeBytes: number, maxSizeBytes: number, cause?: unknown) {
    super(`Entry of ${sizeBytes} bytes exceeds maxSizeBytes ${maxSizeBytes}`, CACHE_ENTRY_TOO_LARGE, {
      context: { sizeBytes, maxSizeBytes },
      cause,
    });
  }
}

/** A loader failed; every caller waiting on that load gets this same error, and nothing was cached. */
export class CacheLoaderError extends CacheError {
  constructor(message: string, context: Record<string, unknown>, cause: unknown) {
    super(message, CACHE_LOADER_FAILED, { context, cause, recovery: 'retry' });
  }
}

/** The caller's signal aborted; the shared load goes on for other callers. */
export class CacheLoadAbortedError extends CacheError {
  constructor(context: Record<string, unknown>, cause: unknown) {
    super('getOrLoad aborted by its caller', CACHE_LOAD_ABORTED, { context, cause });
  }
}

/**
 * A caller waited `hardTimeoutMs` for a load and no stale value could stand in: recovery `retry`. The
 * load itself is not cancelled; when it succeeds later it still fills the cache for the next caller.
 */
export class CacheLoadTimeoutError extends CacheError {
  constructor(context: { key?: unknown; hardTimeoutMs: number } & Record<string, unknown>) {
    super(`getOrLoad gave up after hardTimeoutMs ${context.hardTimeoutMs}: the loader had not finished`, CACHE_LOAD_TIMEOUT, {
      context,
      recovery: 'retry',
    });
  }
}

/**
 * `setMany` named a key twice (`context.index` is the second occurrence). A programmer mistake, recovery
 * `fail`; validation comes first, so nothing was stored.
 */
export class CacheDuplicateKeyError extends CacheError {
  constructor(context: Record<string, unknown>) {
    super(`setMany got the same key twice (entry ${String(context.index)})`, CACHE_DUPLICATE_KEY, { context });
  }
}

/** The cache (or its parent) was closed. */
export class CacheClosedError extends CacheError {
  constructor(name: string) {
    super(`Cache ${JSON.stringify(name)} is closed`, CACHE_CLOSED, { context: { cache: name } });
  }
}

// ---------------------------------------------------------------- distributed tier

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
  /**
   * Redis refused a command for this user (an ACL `NOPERM` reply): the server is up, so this never
   * trips the circuit breaker; grant the user `~<namespace>:*` and the bus channel (see the README).
   */
  PERMISSION_DENIED: 'CACHE_PERMISSION_DENIED',
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
  CACHE_PERMISSION_DENIED: 'fail',
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
