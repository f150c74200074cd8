import { PatinoxError, type PatinoxErrorOptions } from '@patinox/errors';

/**
 * Every error code of `@patinox/resource`, in one table. Codes are public API (branch on them with
 * `isPatinoxError(err, RESOURCE_ERROR_CODES.RESOURCE_CLEANUP_FAILED)`); messages are for people.
 */
export const RESOURCE_ERROR_CODES = Object.freeze({
  /** A cleanup attempt did not settle within its `timeoutMs` (`CleanupError`). */
  RESOURCE_CLEANUP_TIMEOUT: 'RESOURCE_CLEANUP_TIMEOUT',
  /** A cleanup threw or rejected, with any value, after its retries if the failure was retryable (`CleanupError`). */
  RESOURCE_CLEANUP_FAILED: 'RESOURCE_CLEANUP_FAILED',
  /** `shutdown()` / `forceCleanupAll()` reached its deadline before this cleanup finished (`CleanupError`). */
  RESOURCE_CLEANUP_DEADLINE_EXCEEDED: 'RESOURCE_CLEANUP_DEADLINE_EXCEEDED',
  /** One or more members of a `ResourceScope` failed to clean up (`CleanupError`). */
  RESOURCE_SCOPE_CLEANUP_FAILED: 'RESOURCE_SCOPE_CLEANUP_FAILED',
  /** The resource was used after its cleanup started, or a closed scope was used (`ResourceStateError`). */
  RESOURCE_ALREADY_CLEANED_UP: 'RESOURCE_ALREADY_CLEANED_UP',
  /** The resource was used after `intoInner()` handed it back to the caller (`ResourceStateError`). */
  RESOURCE_TAKEN: 'RESOURCE_TAKEN',
  /** A resource was registered after `shutdown()` began (`RegistryShutdownError`). */
  RESOURCE_REGISTRY_SHUTTING_DOWN: 'RESOURCE_REGISTRY_SHUTTING_DOWN',
} as const);

/** Every code a {@link ResourceError} can carry. */
export type ResourceErrorCode = (typeof RESOURCE_ERROR_CODES)[keyof typeof RESOURCE_ERROR_CODES];

export const {
  RESOURCE_CLEANUP_TIMEOUT,
  RESOURCE_CLEANUP_FAILED,
  RESOURCE_CLEANUP_DEADLINE_EXCEEDED,
  RESOURCE_SCOPE_CLEANUP_FAILED,
  RESOURCE_ALREADY_CLEANED_UP,
  RESOURCE_TAKEN,
  RESOURCE_REGISTRY_SHUTTING_DOWN,
} = RESOURCE_ERROR_CODES;

/** Codes carried by a {@link CleanupError}. */
export type CleanupErrorCode =
  | typeof RESOURCE_CLEANUP_TIMEOUT
  | typeof RESOURCE_CLEANUP_FAILED
  | typeof RESOURCE_CLEANUP_DEADLINE_EXCEEDED
  | typeof RESOURCE_SCOPE_CLEANUP_FAILED;

/** Codes carried by a {@link ResourceStateError}. */
export type ResourceStateErrorCode = typeof RESOURCE_ALREADY_CLEANED_UP | typeof RESOURCE_TAKEN;

/**
 * The base of every error `@patinox/resource` raises. Recovery is `fail` for every code: a timed-out
 * cleanup may still be running, so running it again could release the resource twice (retryable
 * failures were already retried by the registry). Recognise one with `isPatinoxError(err, code)`.
 */
export class ResourceError<Code extends ResourceErrorCode = ResourceErrorCode> extends PatinoxError {
  declare readonly code: Code;

  constructor(message: string, options: Omit<PatinoxErrorOptions, 'code' | 'recovery'> & { code: Code }) {
    super(message, { ...options, recovery: 'fail' });
  }
}

/**
 * A cleanup did not complete: it timed out, threw, rejected, missed a shutdown deadline, or (for a
 * scope) some members failed. The resource may still be held; `cause` carries the underlying failure.
 */
export class CleanupError extends ResourceError<CleanupErrorCode> {}

/** A guard or scope was used after its resource was cleaned up or handed back: a programming mistake. */
export class ResourceStateError extends ResourceError<ResourceStateErrorCode> {}

/**
 * The registry is shutting down and takes no new resources. Ownership never moved: the caller still
 * holds the resource and must release it.
 */
export class RegistryShutdownError extends ResourceError<typeof RESOURCE_REGISTRY_SHUTTING_DOWN> {
  constructor(message: string, options: Omit<PatinoxErrorOptions, 'code' | 'recovery'> = {}) {
    super(message, { ...options, code: RESOURCE_REGISTRY_SHUTTING_DOWN });
  }
}
