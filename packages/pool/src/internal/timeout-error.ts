import { describeThrown } from '@patinox/errors';
import { PoolTimeoutError } from '../errors.js';

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
