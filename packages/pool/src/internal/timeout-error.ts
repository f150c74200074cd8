import { describeThrown } from '@patinox/errors';
import { PoolTimeoutError } from '../errors.js';
import type { PooledConnection } from '../pooled-connection.js';
import type { CoreParts } from './core-parts.js';
import { GATE_SUSPENDED } from './gate.js';
import type { Waiter } from './waiter.js';

/** What the pool looked like when a caller's deadline passed. */
export interface TimeoutScene {
  pool: string;
  waitedMs: number;
  timeoutMs: number;
  /** Creates were running, backing off, or failing with room to grow: the caller waited for a connect. */
  connecting: boolean;
  suspended: boolean;
  /** The last create error (connect phase) or a validation failure seen while it waited (queue phase). */
  cause: Error | undefined;
  loaned: number;
  size: number;
  maxSize: number;
  borrowed: number;
  waiting: number;
}

/** The `POOL_TIMEOUT` a waiter whose deadline passed is rejected with, its message saying why it waited. */
export function acquireTimeoutError(scene: TimeoutScene): PoolTimeoutError {
  const { pool, waitedMs, connecting, suspended, cause } = scene;
  const message = connecting
    ? `Pool "${pool}" could not open a connection within ${waitedMs} ms${cause === undefined ? '' : `: ${describeThrown(cause)}`}`
    : suspended
      ? `Pool "${pool}" stayed suspended for ${waitedMs} ms`
      : `Pool "${pool}" had no free connection within ${waitedMs} ms (${scene.loaned} of ${scene.maxSize} borrowed)`;
  return new PoolTimeoutError(
    message,
    connecting ? 'connect' : 'queue',
    {
      pool,
      waitedMs,
      timeoutMs: scene.timeoutMs,
      size: scene.size,
      maxSize: scene.maxSize,
      borrowed: scene.borrowed,
      waiting: scene.waiting,
      suspended,
    },
    cause,
  );
}

/** The `POOL_TIMEOUT` for `waiter`, whose deadline passed at `now`, with what pool `pool` looked like then. */
export function expiredWaiterError<C>(pool: string, waiter: Waiter<PooledConnection<C>>, now: number, parts: CoreParts<C>, maxSize: number): PoolTimeoutError {
  const { connector, validator, slots } = parts;
  const connecting = connector.pending > 0 || connector.backingOff || (connector.lastError !== undefined && slots.size < maxSize);
  return acquireTimeoutError({
    pool,
    waitedMs: Math.round(now - waiter.enqueuedAt),
    timeoutMs: waiter.timeoutMs,
    connecting,
    suspended: (parts.gate.bits & GATE_SUSPENDED) !== 0,
    // In the queue phase a validation failure is only the cause if it happened while this caller waited.
    cause: connecting ? connector.lastError : validator.lastFailureAt >= waiter.enqueuedAt ? validator.lastError : undefined,
    loaned: slots.loaned,
    size: slots.size,
    maxSize,
    borrowed: slots.loaned + validator.checking,
    waiting: parts.waiters.size,
  });
}
