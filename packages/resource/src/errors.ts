import { PatinoxError, type PatinoxErrorOptions } from '@patinox/errors';

/** A cleanup attempt did not settle within its `timeoutMs`. */
export const CLEANUP_TIMEOUT = 'CLEANUP_TIMEOUT';
/** A cleanup threw or rejected (after its retries, if the failure was retryable). */
export const CLEANUP_FAILED = 'CLEANUP_FAILED';
/** `shutdown()` / `forceCleanupAll()` reached its deadline before this cleanup finished. */
export const CLEANUP_DEADLINE_EXCEEDED = 'CLEANUP_DEADLINE_EXCEEDED';
/** One or more members of a {@link ResourceScope} failed to clean up. */
export const SCOPE_CLEANUP_FAILED = 'SCOPE_CLEANUP_FAILED';
/** The resource was used after its cleanup started (or a closed scope was used). */
export const ALREADY_CLEANED_UP = 'ALREADY_CLEANED_UP';
/** The resource was used after `intoInner()` handed it back to the caller. */
export const RESOURCE_TAKEN = 'RESOURCE_TAKEN';
/** A resource was registered after `shutdown()` began. */
export const REGISTRY_SHUTTING_DOWN = 'REGISTRY_SHUTTING_DOWN';

/** Every error code of `@patinox/resource`; codes are public API, messages are not. */
export const RESOURCE_ERROR_CODES = Object.freeze({
  CLEANUP_TIMEOUT,
  CLEANUP_FAILED,
  CLEANUP_DEADLINE_EXCEEDED,
  SCOPE_CLEANUP_FAILED,
  ALREADY_CLEANED_UP,
  RESOURCE_TAKEN,
  REGISTRY_SHUTTING_DOWN,
} as const);

/** Codes carried by a {@link CleanupError}. */
export type CleanupErrorCode =
  | typeof CLEANUP_TIMEOUT
  | typeof CLEANUP_FAILED
  | typeof CLEANUP_DEADLINE_EXCEEDED
  | typeof SCOPE_CLEANUP_FAILED;

/** Codes carried by a {@link ResourceStateError}. */
export type ResourceStateErrorCode = typeof ALREADY_CLEANED_UP | typeof RESOURCE_TAKEN;

/**
 * A cleanup did not complete: it timed out, threw, rejected, missed a shutdown deadline, or (for a
 * scope) some members failed. The resource may still be held; `cause` carries the underlying failure.
 *
 * Recovery is `fail` for every code: a timed-out cleanup may still be running, so running it again
 * could release the resource twice (retryable failures were already retried by the registry).
 */
export class CleanupError extends PatinoxError {
  declare readonly code: CleanupErrorCode;

  constructor(message: string, options: Omit<PatinoxErrorOptions, 'code'> & { code: CleanupErrorCode }) {
    super(message, { recovery: 'fail', ...options });
  }
}

/** A guard or scope was used after its resource was cleaned up or handed back: a programming mistake. */
export class ResourceStateError extends PatinoxError {
  declare readonly code: ResourceStateErrorCode;

  constructor(message: string, options: Omit<PatinoxErrorOptions, 'code'> & { code: ResourceStateErrorCode }) {
    super(message, { recovery: 'fail', ...options });
  }
}

/**
 * The registry is shutting down and takes no new resources. Ownership never moved: the caller still
 * holds the resource and must release it.
 */
export class RegistryShutdownError extends PatinoxError {
  declare readonly code: typeof REGISTRY_SHUTTING_DOWN;

  constructor(message: string, options: Omit<PatinoxErrorOptions, 'code' | 'recovery'> = {}) {
    super(message, { ...options, code: REGISTRY_SHUTTING_DOWN, recovery: 'fail' });
  }
}
