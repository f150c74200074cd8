import { PatinoxError, describeThrown, type RecoveryStrategy } from '@patinox/errors';
import type { RedisPoolErrorCode } from './ioredis/errors.js';
import type { PgPoolErrorCode } from './pg/errors.js';

/**
 * Every code a pool error can carry, in one table. Codes are public API: branch on them with
 * `isPatinoxError(err, POOL_ERROR_CODES.POOL_TIMEOUT)`; messages are for people and may change.
 */
export const POOL_ERROR_CODES = Object.freeze({
  /** A caller's deadline passed before it got a connection (`PoolTimeoutError`). */
  POOL_TIMEOUT: 'POOL_TIMEOUT',
  /** The pool is closing or closed (`PoolClosedError`). */
  POOL_CLOSED: 'POOL_CLOSED',
  /** The connection manager failed in a way the pool cannot retry around (`PoolManagerError`). */
  POOL_MANAGER_ERROR: 'POOL_MANAGER_ERROR',
  /** A connection failed `isValid`: false, a throw or no answer within `validationTimeoutMs` (`PoolValidationError`). */
  POOL_VALIDATION_FAILED: 'POOL_VALIDATION_FAILED',
  /** `maxWaiters` callers are already queued (`PoolQueueFullError`). */
  POOL_QUEUE_FULL: 'POOL_QUEUE_FULL',
  /** A released or destroyed loan was used again (`PoolLoanReleasedError`). */
  POOL_LOAN_RELEASED: 'POOL_LOAN_RELEASED',
  /** `acquire` was called while `drain()` runs or after it finished (`PoolDrainingError`). */
  POOL_DRAINING: 'POOL_DRAINING',
  /** `ready()` with `failFast` saw a create fail (`PoolStartupError`). */
  POOL_STARTUP_FAILED: 'POOL_STARTUP_FAILED',
} as const);

/** Every code the pool's core raises. */
export type PoolCoreErrorCode = (typeof POOL_ERROR_CODES)[keyof typeof POOL_ERROR_CODES];

/** Every code a {@link PoolError} can carry: the core's, and the `pg` and `ioredis` subpaths'. */
export type PoolErrorCode = PoolCoreErrorCode | PgPoolErrorCode | RedisPoolErrorCode;

export const {
  POOL_TIMEOUT,
  POOL_CLOSED,
  POOL_MANAGER_ERROR,
  POOL_VALIDATION_FAILED,
  POOL_QUEUE_FULL,
  POOL_LOAN_RELEASED,
  POOL_DRAINING,
  POOL_STARTUP_FAILED,
} = POOL_ERROR_CODES;

/** Where a timed-out caller was waiting: for a busy connection (`queue`) or for a new one (`connect`). */
export type TimeoutPhase = 'queue' | 'connect';

/**
 * The base of every error the pool raises; recognise one with `isPatinoxError(err, POOL_TIMEOUT)`
 * rather than `instanceof` (ESM and CJS copies may load side by side).
 */
export class PoolError extends PatinoxError {
  declare readonly code: PoolErrorCode;

  constructor(message: string, code: PoolErrorCode, recovery: RecoveryStrategy, context?: Record<string, unknown>, cause?: unknown) {
    super(message, { code, recovery, context, cause });
  }
}

/**
 * The caller's deadline passed. `phase` says whether it waited in the queue for a busy connection or
 * for a connection being created; in `connect` the last create error is the `cause`. Recovery: `retry`.
 */
export class PoolTimeoutError extends PoolError {
  readonly phase: TimeoutPhase;

  constructor(message: string, phase: TimeoutPhase, context: Record<string, unknown>, cause?: unknown) {
    super(message, POOL_TIMEOUT, 'retry', { ...context, phase }, cause);
    this.phase = phase;
  }
}

/** `acquire` was called on, or was queued in, a pool that is closing. Recovery: `fail`. */
export class PoolClosedError extends PoolError {
  constructor(poolName: string) {
    super(`Pool "${poolName}" is closed`, POOL_CLOSED, 'fail', { pool: poolName });
  }
}

/**
 * The connection manager failed: a create error the manager marked as permanent (a PatinoxError with
 * recovery `fail`), or a `destroy`/`recycle` that threw or overran its timeout (reported to the monitor).
 * Recovery: `fallback`.
 */
export class PoolManagerError extends PoolError {
  constructor(message: string, context: Record<string, unknown>, cause?: unknown) {
    super(message, POOL_MANAGER_ERROR, 'fallback', context, cause);
  }
}

/** A connection failed `isValid` (returned false, threw or timed out); the pool replaced it. Recovery: `retry`. */
export class PoolValidationError extends PoolError {
  constructor(message: string, context: Record<string, unknown>, cause?: unknown) {
    super(message, POOL_VALIDATION_FAILED, 'retry', context, cause);
  }
}

/** `maxWaiters` callers were already waiting, so this one was turned away at once. Recovery: `retry`. */
export class PoolQueueFullError extends PoolError {
  constructor(poolName: string, maxWaiters: number) {
    super(`Pool "${poolName}" already has ${maxWaiters} waiters`, POOL_QUEUE_FULL, 'retry', { pool: poolName, maxWaiters });
  }
}

/** `.connection` was read from a loan after `release()` or `destroy()`. Recovery: `fail` (a bug). */
export class PoolLoanReleasedError extends PoolError {
  constructor() {
    super('This pooled connection was already released; acquire a new one', POOL_LOAN_RELEASED, 'fail');
  }
}

/** `acquire` was called on a pool that is draining (`drain()`), so no new loan starts. Recovery: `fail`. */
export class PoolDrainingError extends PoolError {
  constructor(poolName: string) {
    super(`Pool "${poolName}" is draining and lends no new connections`, POOL_DRAINING, 'fail', { pool: poolName });
  }
}

/**
 * `ready()` in `failFast` mode: a create failed before `initialSize` connections existed; the create
 * error is the `cause`. The pool itself keeps retrying in the background. Recovery: `fail`.
 */
export class PoolStartupError extends PoolError {
  constructor(poolName: string, cause: unknown) {
    super(`Pool "${poolName}" could not open its initial connections: ${describeThrown(cause)}`, POOL_STARTUP_FAILED, 'fail', { pool: poolName }, cause);
  }
}
