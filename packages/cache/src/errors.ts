import { PatinoxError, type RecoveryStrategy } from '@patinox/errors';

/** An entry (value plus its size) is larger than `maxSizeBytes`: it was not stored. */
export const CACHE_ENTRY_TOO_LARGE = 'CACHE_ENTRY_TOO_LARGE';
/** A `getOrLoad` loader threw, rejected or resolved to `undefined`. */
export const CACHE_LOADER_FAILED = 'CACHE_LOADER_FAILED';
/** A `getOrLoad` caller's own `signal` aborted before the value arrived. */
export const CACHE_LOAD_ABORTED = 'CACHE_LOAD_ABORTED';
/** The cache was closed: no more writes or loads. */
export const CACHE_CLOSED = 'CACHE_CLOSED';

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

/** The cache (or its parent) was closed. */
export class CacheClosedError extends CacheError {
  constructor(name: string) {
    super(`Cache ${JSON.stringify(name)} is closed`, CACHE_CLOSED, { context: { cache: name } });
  }
}
