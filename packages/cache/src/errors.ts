import { PatinoxError, type RecoveryStrategy } from '@patinox/errors';

/**
 * Every code `@patinox/cache` gives its errors, in-process cache, distributed tier and Keyv adapter alike:
 * recognise one with `isPatinoxError(err, CACHE_ERROR_CODES.CACHE_CLOSED)`. Codes are public API;
 * messages are for people and may change.
 */
export const CACHE_ERROR_CODES = Object.freeze({
  /** An entry (value plus its size) is larger than `maxSizeBytes`: it was not stored. */
  CACHE_ENTRY_TOO_LARGE: 'CACHE_ENTRY_TOO_LARGE',
  /** A `getOrLoad` loader threw, rejected or resolved to `undefined`. */
  CACHE_LOADER_FAILED: 'CACHE_LOADER_FAILED',
  /** A `getOrLoad` caller's own `signal` aborted before the value arrived. */
  CACHE_LOAD_ABORTED: 'CACHE_LOAD_ABORTED',
  /** The cache (in-process or tiered) was closed: no more writes or loads. */
  CACHE_CLOSED: 'CACHE_CLOSED',
  /** A `getOrLoad` waited `hardTimeoutMs` for its loader and gave up; the load may still finish and fill the cache. */
  CACHE_LOAD_TIMEOUT: 'CACHE_LOAD_TIMEOUT',
  /** `cache.load(dump)` got something that is not a dump this version can read: nothing was loaded. */
  CACHE_DUMP_INVALID: 'CACHE_DUMP_INVALID',
  /** A bulk call (`setMany`) named one key twice: nothing was stored. */
  CACHE_DUPLICATE_KEY: 'CACHE_DUPLICATE_KEY',
  /** L2 (Redis) did not answer in time, refused the connection, or the circuit breaker is open. */
  CACHE_BACKEND_UNAVAILABLE: 'CACHE_BACKEND_UNAVAILABLE',
  /** A value could not be encoded (a function, a symbol, a cycle, a BigInt for JSON). */
  CACHE_SERIALIZATION_FAILED: 'CACHE_SERIALIZATION_FAILED',
  /** Bytes under a key are not a value this serializer can read (garbage, foreign or another codec). */
  CACHE_DECODE_FAILED: 'CACHE_DECODE_FAILED',
  /** `getOrLoad` waited longer than `lockWaitTimeoutMs` for another instance's loader. */
  CACHE_LOCK_TIMEOUT: 'CACHE_LOCK_TIMEOUT',
  /** The write-through store rejected a write; the cache was left untouched. */
  CACHE_STORE_WRITE_FAILED: 'CACHE_STORE_WRITE_FAILED',
  /** An atomic operation spans several Redis Cluster slots; use a hash tag such as `{order:1}`. */
  CACHE_CROSS_SLOT: 'CACHE_CROSS_SLOT',
  /** A snapshot file is missing, unreadable, truncated or not a snapshot. */
  CACHE_SNAPSHOT_INVALID: 'CACHE_SNAPSHOT_INVALID',
  /** `exportSnapshot` could not write its file (no such directory, no permission, a directory at the path, disk full). */
  CACHE_SNAPSHOT_WRITE_FAILED: 'CACHE_SNAPSHOT_WRITE_FAILED',
  /** A key holds a value that is not a counter (for `increment`). */
  CACHE_NOT_A_COUNTER: 'CACHE_NOT_A_COUNTER',
  /** An `increment` whose result would leave ±`Number.MAX_SAFE_INTEGER`: refused, the counter left as it was. */
  CACHE_COUNTER_OUT_OF_RANGE: 'CACHE_COUNTER_OUT_OF_RANGE',
  /**
   * Redis refused a command for this user (an ACL `NOPERM` reply): the server is up, so this never
   * trips the circuit breaker; grant the user `~<namespace>:*` and the bus channel (see the README).
   */
  CACHE_PERMISSION_DENIED: 'CACHE_PERMISSION_DENIED',
  /** A Keyv namespace the `KeyvStore` cannot use as a key prefix. */
  CACHE_KEYV_INVALID_NAMESPACE: 'CACHE_KEYV_INVALID_NAMESPACE',
} as const);

/** One of {@link CACHE_ERROR_CODES}. */
export type CacheErrorCode = (typeof CACHE_ERROR_CODES)[keyof typeof CACHE_ERROR_CODES];

export const {
  CACHE_ENTRY_TOO_LARGE,
  CACHE_LOADER_FAILED,
  CACHE_LOAD_ABORTED,
  CACHE_CLOSED,
  CACHE_LOAD_TIMEOUT,
  CACHE_DUMP_INVALID,
  CACHE_DUPLICATE_KEY,
  CACHE_KEYV_INVALID_NAMESPACE,
} = CACHE_ERROR_CODES;

/** Options shared by the cache error constructors. */
export interface CacheErrorOptions {
  context?: Record<string, unknown>;
  cause?: unknown;
  recovery?: RecoveryStrategy;
}

/** Base of every error `@patinox/cache` creates (the tier's too); recognise with `isPatinoxError(err, code)`. */
export class CacheError extends PatinoxError {
  declare readonly code: CacheErrorCode;

  constructor(message: string, code: CacheErrorCode, options: CacheErrorOptions = {}) {
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
 * `cache.load(dump)` refused a dump: an unknown `format` or `version`, or a malformed entry (`context.index`
 * names it). Validation comes first, so nothing was loaded.
 */
export class CacheDumpInvalidError extends CacheError {
  constructor(reason: string, context: Record<string, unknown> = {}) {
    super(`Invalid cache dump: ${reason}`, CACHE_DUMP_INVALID, { context });
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

/** The codes a {@link TieredCacheError} carries (a subset of {@link CACHE_ERROR_CODES}). */
export type TieredCacheErrorCode =
  | typeof CACHE_ERROR_CODES.CACHE_BACKEND_UNAVAILABLE
  | typeof CACHE_ERROR_CODES.CACHE_SERIALIZATION_FAILED
  | typeof CACHE_ERROR_CODES.CACHE_DECODE_FAILED
  | typeof CACHE_ERROR_CODES.CACHE_LOCK_TIMEOUT
  | typeof CACHE_ERROR_CODES.CACHE_STORE_WRITE_FAILED
  | typeof CACHE_ERROR_CODES.CACHE_CROSS_SLOT
  | typeof CACHE_ERROR_CODES.CACHE_CLOSED
  | typeof CACHE_ERROR_CODES.CACHE_SNAPSHOT_INVALID
  | typeof CACHE_ERROR_CODES.CACHE_SNAPSHOT_WRITE_FAILED
  | typeof CACHE_ERROR_CODES.CACHE_NOT_A_COUNTER
  | typeof CACHE_ERROR_CODES.CACHE_COUNTER_OUT_OF_RANGE
  | typeof CACHE_ERROR_CODES.CACHE_PERMISSION_DENIED;

const RECOVERY: Record<TieredCacheErrorCode, RecoveryStrategy> = {
  CACHE_BACKEND_UNAVAILABLE: 'retry',
  CACHE_SERIALIZATION_FAILED: 'fail',
  CACHE_DECODE_FAILED: 'fallback',
  CACHE_LOCK_TIMEOUT: 'retry',
  CACHE_STORE_WRITE_FAILED: 'retry',
  CACHE_CROSS_SLOT: 'fail',
  CACHE_CLOSED: 'fail',
  CACHE_SNAPSHOT_INVALID: 'fail',
  CACHE_SNAPSHOT_WRITE_FAILED: 'fail',
  CACHE_NOT_A_COUNTER: 'fail',
  CACHE_COUNTER_OUT_OF_RANGE: 'fail',
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
export class TieredCacheError extends CacheError {
  declare readonly code: TieredCacheErrorCode;

  constructor(message: string, code: TieredCacheErrorCode, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, code, { recovery: RECOVERY[code], context, cause });
  }
}

/** L2 could not serve a request: `CACHE_BACKEND_UNAVAILABLE`, recovery `retry` (or read from L1). */
export class CacheBackendError extends TieredCacheError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, 'CACHE_BACKEND_UNAVAILABLE', context, cause);
  }
}
