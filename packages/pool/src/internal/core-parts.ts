import { toError } from '@patinox/errors';
import type { ConnectionManager } from '../connection-manager.js';
import { POOL_EVENTS, type PoolEventName } from '../events.js';
import type { PooledConnection } from '../pooled-connection.js';
import { BoundedCalls } from './bounded-calls.js';
import { Closer } from './closer.js';
import { ConnectionWatch } from './connection-watch.js';
import { Connector } from './connector.js';
import { Destroyer } from './destroyer.js';
import { Gate } from './gate.js';
import { Maintenance } from './maintenance.js';
import { Readiness } from './readiness.js';
import type { ResolvedOptions } from './resolve-options.js';
import { SlotTable } from './slot-table.js';
import { Validator } from './validator.js';
import { WaitRecorder } from './wait-recorder.js';
import type { Waiter } from './waiter.js';
import { WaiterQueue } from './waiter-queue.js';

/** The collaborators a `PoolCore` orchestrates, shared with `PoolControl`. */
export interface CoreParts<C> {
  readonly slots: SlotTable<C>;
  readonly connector: Connector<C>;
  readonly validator: Validator<C>;
  readonly maintenance: Maintenance<C>;
  readonly readiness: Readiness;
  readonly waiters: WaiterQueue<PooledConnection<C>>;
  readonly destroyer: Destroyer<C>;
  readonly waits: WaitRecorder;
  readonly gate: Gate;
  readonly closer: Closer<C>;
  readonly watch: ConnectionWatch<C>;
}

/** What the collaborators call back into: the core's lending steps and its monitor. */
export interface CoreHooks<C> {
  event(type: PoolEventName, data: Record<string, unknown>): void;
  managerError(operation: string, error: unknown): void;
  isClosed(): boolean;
  minSize(): number;
  /** Connections created so far (reported by `pool.closed`). */
  created(): number;
  dispatch(): void;
  expire(waiter: Waiter<PooledConnection<C>>, now: number): void;
  onCreated(slot: number, connection: C): void;
  onCreateFailed(slot: number, error: Error, attempt: number, retryInMs: number): void;
  checkPassed(slot: number, forBorrow: boolean): void;
  afterRelease(): void;
  recycled(slot: number, error: unknown): void;
  offer(slot: number): void;
}

/**
 * Builds a pool's collaborators and wires them together: which of their callbacks becomes which pool event,
 * and which goes back to the core's lending steps.
 */
export function createCoreParts<C>(manager: ConnectionManager<C>, options: ResolvedOptions, hooks: CoreHooks<C>): CoreParts<C> {
  const trackLoans = options.leakDetectionMs > 0 || options.captureAcquireStacks;
  const calls = new BoundedCalls();
  const slots = new SlotTable<C>(options.idleOrder === 'fifo', {
    lifetime: options.maxLifetimeMs > 0,
    healthChecks: options.healthCheckIntervalMs > 0,
    loanTimes: trackLoans,
    stacks: trackLoans,
    watch: manager.watch !== undefined,
  });
  const destroyer = new Destroyer(manager, slots, calls, options.destroyTimeoutMs, {
    destroyed: (reason, size, error) => hooks.event(POOL_EVENTS.connectionDestroyed, error === undefined ? { reason, size } : { reason, size, error }),
    managerError: (operation, error) => hooks.managerError(operation, error),
  });
  const watch = new ConnectionWatch(manager, slots, {
    reported: (error, state) => hooks.event(POOL_EVENTS.connectionError, { error, state }),
    evict: (slot, error) => {
      destroyer.slot(slot, 'error', error);
      if (!hooks.isClosed()) hooks.dispatch();
    },
    diedUnused: (createdAt, error) => {
      // Failed as it was made: a failed create, in effect. One that sat unused for long (a server's idle
      // timeout) is replaced at once.
      if (!hooks.isClosed() && waits.now() - createdAt < options.createRetryMaxDelayMs) connector.failedAfterCreate(toError(error));
    },
    managerError: (error) => hooks.managerError('watch', error),
  });
  const waits: WaitRecorder = new WaitRecorder((now) => waiters.stamp(now));
  const waiters: WaiterQueue<PooledConnection<C>> = new WaiterQueue(
    options.acquireTimeoutMs,
    () => waits.now(),
    (waiter, now) => hooks.expire(waiter, now),
  );
  const readiness = new Readiness(options.name, options.initialSize, options.failFast, options.acquireTimeoutMs, () => connector.lastError);
  const connector: Connector<C> = new Connector(manager, options, {
    created: (slot, connection) => hooks.onCreated(slot, connection),
    failed: (slot, error, attempt, retryInMs) => hooks.onCreateFailed(slot, error, attempt, retryInMs),
    late: (connection) => {
      hooks.event(POOL_EVENTS.connectionDestroyed, { reason: 'late', size: slots.size });
      destroyer.connection(connection);
    },
    retry: () => hooks.dispatch(),
  });
  const validator = new Validator(manager, slots, calls, options.validationTimeoutMs, options.name, {
    passed: (slot, forBorrow) => hooks.checkPassed(slot, forBorrow),
    failed: (slot, cause, timedOut, error) => {
      hooks.event(POOL_EVENTS.validationFailed, { error: error.message, timedOut });
      destroyer.slot(slot, 'invalid', cause);
    },
    settled: () => hooks.afterRelease(),
    recycled: (slot, error) => hooks.recycled(slot, error),
  });
  const gate = new Gate(options.name, {
    event: (kind) => hooks.event(POOL_EVENTS[kind], kind === 'draining' ? { borrowed: slots.loaned, waiting: waiters.size } : {}),
    dispatch: () => hooks.dispatch(),
    isQuiet: () => slots.loaned + validator.checking + waiters.size === 0,
  });
  const closer = new Closer(slots, validator, destroyer, calls, trackLoans, {
    leaked: (report) => hooks.event(POOL_EVENTS.leakReported, { heldMs: report.heldMs, stack: report.stack }),
    closed: ({ leaked, timedOut, unsettledDestroys }) =>
      hooks.event(POOL_EVENTS.closed, { leaked: leaked.length, timedOut, unsettledDestroys, created: hooks.created(), destroyed: destroyer.count }),
  });
  const maintenance: Maintenance<C> = new Maintenance(slots, options, {
    now: () => waits.now(),
    evictable: () => slots.size - hooks.minSize(),
    destroy: (slot, reason) => destroyer.slot(slot, reason),
    healthCheck: (slot, now) => {
      if (validator.check(slot, false) === true) {
        maintenance.checked(slot, now);
        hooks.offer(slot);
      }
    },
    leakSuspected: (heldMs, stack) => hooks.event(POOL_EVENTS.leakSuspected, { heldMs, stack }),
    done: () => hooks.dispatch(),
  });
  return { slots, connector, validator, maintenance, readiness, waiters, destroyer, waits, gate, closer, watch };
}
