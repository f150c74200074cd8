import { defineEvents, type EventName } from '@patinox/monitor';

/**
 * Every event a pool reports to its monitor (the `source` is the pool's `name`). Lifecycle changes only,
 * never one per acquire: counts live in `stats()` and `collectMetrics()`.
 */
export const POOL_EVENTS = defineEvents('pool', {
  /** A connection was created and joined the pool. Data: `size`. */
  connectionCreated: 'pool.connection.created',
  /**
   * A connection was destroyed. Data: `reason` (`idle`, `lifetime`, `invalid`, `error`, `resize`,
   * `closed`, `leaked`, `destroyed`, `recycle-failed`, `late`, `evicted`), `size`, `error` when a failure caused it.
   */
  connectionDestroyed: 'pool.connection.destroyed',
  /** A connection reported an error on its own (through `manager.watch`). Data: `error`, `state`. */
  connectionError: 'pool.connection.error',
  /** A `create` failed or overran `createTimeoutMs`. Data: `error`, `attempt`, `retryInMs`. */
  createFailed: 'pool.create.failed',
  /** A connection failed `isValid` (false, a throw, or no answer within `validationTimeoutMs`). Data: `error`, `timedOut`. */
  validationFailed: 'pool.validation.failed',
  /** A loan has been held longer than `leakDetectionMs`. Data: `heldMs`, `stack`. */
  leakSuspected: 'pool.leak.suspected',
  /** `close()` gave up on a loan at its deadline and destroyed its connection. Data: `heldMs`, `stack`. */
  leakReported: 'pool.leak.reported',
  /** A manager call failed or overran its timeout (`destroy`, `recycle`, `watch`, `unwatch`). Data: `operation`, `error`, `code`. */
  managerError: 'pool.manager.error',
  /** `suspend()` took effect: new acquires wait. No data. */
  suspended: 'pool.suspended',
  /** `resume()` ended a suspension or a drain. No data. */
  resumed: 'pool.resumed',
  /** `drain()` started: new acquires are refused. Data: `borrowed`, `waiting`. */
  draining: 'pool.draining',
  /** `resize()` changed the bounds. Data: `from`, `to`. */
  resized: 'pool.resized',
  /** `close()` finished. Data: `leaked`, `timedOut`, `unsettledDestroys`, `created`, `destroyed`. */
  closed: 'pool.closed',
  /** One of `createPgPool`'s event listeners (`'error'`, `'connect'`, …) threw. Data: `event`, `error`. */
  listenerError: 'pool.listener.error',
});

/** The name of any event a pool reports. */
export type PoolEventName = EventName<typeof POOL_EVENTS>;
