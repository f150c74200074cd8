import { toError } from '@patinox/errors';
import type { ConnectionManager } from '../connection-manager.js';
import { POOL_EVENTS } from '../events.js';
import type { PooledConnection } from '../pooled-connection.js';
import { BoundedCalls } from './bounded-calls.js';
import { Closer } from './closer.js';
import { ConnectionWatch } from './connection-watch.js';
import { Connector } from './connector.js';
import { Destroyer } from './destroyer.js';
import { Gate } from './gate.js';
import { Maintenance } from './maintenance.js';
import { Readiness } from './readiness.js';
import { PoolReporter } from './reporter.js';
import { Returns, type ReturnsHost } from './returns.js';
import type { ResolvedOptions } from './resolve-options.js';
import { SlotTable } from './slot-table.js';
import { Supply, type SupplyHost, type SupplyParts } from './supply.js';
import { Validator } from './validator.js';
import { WaitRecorder } from './wait-recorder.js';
import type { Waiter } from './waiter.js';
import { WaiterQueue } from './waiter-queue.js';

/** The collaborators a `PoolCore` orchestrates, shared with `PoolControl`: the supply's parts and the supply itself, the way back from checks and the closer. */
export interface CoreParts<C> extends SupplyParts<C> {
  readonly closer: Closer<C>;
  readonly supply: Supply<C>;
  readonly returns: Returns<C>;
}

/** What the collaborators call back into: the core's state and lending steps. */
export interface CoreHooks<C> extends SupplyHost, ReturnsHost {
  expire(waiter: Waiter<PooledConnection<C>>, now: number): void;
}

/**
 * Builds a pool's collaborators and wires them together: which of their callbacks becomes which pool event,
 * and which goes back to the core's lending steps.
 */
export function createCoreParts<C>(manager: ConnectionManager<C>, options: ResolvedOptions, hooks: CoreHooks<C>): CoreParts<C> {
  const trackLoans = options.leakDetectionMs > 0 || options.captureAcquireStacks;
  const reporter = new PoolReporter(options.name, options.monitor);
  const calls = new BoundedCalls();
  const slots = new SlotTable<C>(options.idleOrder === 'fifo', {
    lifetime: options.maxLifetimeMs > 0,
    healthChecks: options.healthCheckIntervalMs > 0,
    loanTimes: trackLoans,
    stacks: trackLoans,
    watch: manager.watch !== undefined,
  });
  const destroyer = new Destroyer(manager, slots, calls, options.destroyTimeoutMs, {
    destroyed: (reason, size, error) => reporter.event(POOL_EVENTS.connectionDestroyed, error === undefined ? { reason, size } : { reason, size, error }),
    managerError: (operation, error) => reporter.managerError(operation, error),
  });
  const watch = new ConnectionWatch(manager, slots, {
    reported: (error, state) => reporter.event(POOL_EVENTS.connectionError, { error, state }),
    evict: (slot, error) => {
      destroyer.slot(slot, 'error', error);
      if (!hooks.isClosed()) hooks.dispatch();
    },
    diedUnused: (createdAt, error) => {
      // Failed as it was made: a failed create, in effect. One that sat unused for long (a server's idle
      // timeout) is replaced at once.
      if (!hooks.isClosed() && waits.now() - createdAt < options.createRetryMaxDelayMs) connector.failedAfterCreate(toError(error));
    },
    managerError: (error) => reporter.managerError('watch', error),
  });
  const waits: WaitRecorder = new WaitRecorder((now) => waiters.stamp(now));
  const waiters: WaiterQueue<PooledConnection<C>> = new WaiterQueue(
    options.acquireTimeoutMs,
    () => waits.now(),
    (waiter, now) => hooks.expire(waiter, now),
  );
  const readiness = new Readiness(options.name, options.initialSize, options.failFast, options.acquireTimeoutMs, () => connector.lastError);
  const connector: Connector<C> = new Connector(manager, options, {
    created: (slot, connection) => supply.onCreated(slot, connection),
    failed: (slot, error, attempt, retryInMs) => supply.onCreateFailed(slot, error, attempt, retryInMs),
    late: (connection) => {
      reporter.event(POOL_EVENTS.connectionDestroyed, { reason: 'late', size: slots.size });
      destroyer.connection(connection);
    },
    retry: () => hooks.dispatch(),
  });
  const validator = new Validator(manager, slots, calls, options.validationTimeoutMs, options.name, {
    passed: (slot, forBorrow) => returns.checkPassed(slot, forBorrow),
    failed: (slot, cause, timedOut, error) => {
      reporter.event(POOL_EVENTS.validationFailed, { error: error.message, timedOut });
      destroyer.slot(slot, 'invalid', cause);
    },
    settled: () => hooks.afterRelease(),
    recycled: (slot, error) => returns.recycled(slot, error),
  });
  const gate = new Gate(options.name, {
    event: (kind) => reporter.event(POOL_EVENTS[kind], kind === 'draining' ? { borrowed: slots.loaned, waiting: waiters.size } : {}),
    dispatch: () => hooks.dispatch(),
    isQuiet: () => slots.loaned + validator.checking + waiters.size === 0,
  });
  const closer = new Closer(slots, validator, destroyer, calls, trackLoans, {
    leaked: (report) => reporter.event(POOL_EVENTS.leakReported, { heldMs: report.heldMs, stack: report.stack }),
    closed: ({ leaked, timedOut, unsettledDestroys }) =>
      reporter.event(POOL_EVENTS.closed, { leaked: leaked.length, timedOut, unsettledDestroys, created: supply.created, destroyed: destroyer.count }),
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
    leakSuspected: (heldMs, stack) => reporter.event(POOL_EVENTS.leakSuspected, { heldMs, stack }),
    done: () => hooks.dispatch(),
  });
  const supply: Supply<C> = new Supply(options.name, { slots, connector, validator, maintenance, readiness, waiters, destroyer, waits, gate, watch, reporter }, hooks);
  const returns: Returns<C> = new Returns(options.validateOnReturn, { slots, validator, maintenance, destroyer, waits, reporter }, hooks);
  return { slots, connector, validator, maintenance, readiness, waiters, destroyer, waits, gate, closer, watch, supply, returns, reporter };
}
