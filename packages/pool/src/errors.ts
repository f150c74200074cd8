import { PatinoxError } from '@patinox/errors';

/** A waiter's deadline passed before it got a connection. */
export const POOL_TIMEOUT = 'POOL_TIMEOUT';
/** The pool is closing or closed. */
export const POOL_CLOSED = 'POOL_CLOSED';
/** The connection manager failed in a way the pool cannot retry around. */
export const POOL_MANAGER_ERROR = 'POOL_MANAGER_ERROR';
/** A connection failed `isValid`. */
export const POOL_VALIDATION_FAILED = 'POOL_VALIDATION_FAILED';
/** `maxWaiters` callers are already queued. */
export const POOL_QUEUE_FULL = 'POOL_QUEUE_FULL';
/** A released or destroyed loan was used again. */
export const POOL_LOAN_RELEASED = 'POOL_LOAN_RELEASED';

/** Every code a {@link PoolError} can carry. */
export type PoolErrorCode =
  | typeof POOL_TIMEOUT
  | typeof POOL_CLOSED
  | typeof POOL_MANAGER_ERROR
  | typeof POOL_VALIDATION_FAILED
  | typeof POOL_QUEUE_FULL
  | typeof POOL_LOAN_RELEASED;

/** Where a timed-out caller was waiting: for a busy connection (`queue`) or for a new one (`connect`). */
export type TimeoutPhase = 'queue' | 'connect';

/**
 * The base of every error the pool raises; recognise one with `isPatinoxError(err, POOL_TIMEOUT)`
 * rather than `instanceof` (ESM and CJS copies may load side by side).
 */
export class PoolError extends PatinoxError {}

/**
 * The caller's deadline passed. `phase` says whether it waited in the queue for a busy connection or
 * for a connection being created; in `connect` the last create error is the `cause`. Recovery: `retry`.
 */
export class PoolTimeoutError extends PoolError {
  readonly phase: TimeoutPhase;

  constructor(message: string, phase: TimeoutPhase, context: Record<string, unknown>, cause?: unknown) {
    super(message, { code: POOL_TIMEOUT, recovery: 'retry', context: { ...context, phase }, cause });
    this.phase = phase;
  }
}

/** `acquire` was called on, or was queued in, a pool that is closing. Recovery: `fail`. */
export class PoolClosedError extends PoolError {
  constructor(poolName: string) {
    super(`Pool "${poolName}" is closed`, { code: POOL_CLOSED, recovery: 'fail', context: { pool: poolName } });
  }
}

/**
 * The connection manager failed: a create error the manager marked as permanent (a PatinoxError with
 * recovery `fail`), or a `destroy`/`recycle` that threw (reported to the monitor). Recovery: `fallback`.
 */
export class PoolManagerError extends PoolError {
  constructor(message: string, context: Record<string, unknown>, cause?: unknown) {
    super(message, { code: POOL_MANAGER_ERROR, recovery: 'fallback', context, cause });
  }
}

/** A connection failed `isValid` (returned false, threw or timed out); the pool replaced it. Recovery: `retry`. */
export class PoolValidationError extends PoolError {
  constructor(message: string, context: Record<string, unknown>, cause?: unknown) {
    super(message, { code: POOL_VALIDATION_FAILED, recovery: 'retry', context, cause });
  }
}

/** `maxWaiters` callers were already waiting, so this one was turned away at once. Recovery: `retry`. */
export class PoolQueueFullError extends PoolError {
  constructor(poolName: string, maxWaiters: number) {
    super(`Pool "${poolName}" already has ${maxWaiters} waiters`, {
      code: POOL_QUEUE_FULL,
      recovery: 'retry',
      context: { pool: poolName, maxWaiters },
    });
  }
}

/** `.connection` was read from a loan after `release()` or `destroy()`. Recovery: `fail` (a bug). */
export class PoolLoanReleasedError extends PoolError {
  constructor() {
    super('This pooled connection was already released; acquire a new one', { code: POOL_LOAN_RELEASED, recovery: 'fail' });
  }
}
