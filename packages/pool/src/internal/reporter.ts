import { describeThrown } from '@patinox/errors';
import { createEvent, safeRecord, type Monitor } from '@patinox/monitor';
import { PoolManagerError } from '../errors.js';
import { POOL_EVENTS, type PoolEventName } from '../events.js';

/** How a pool reports to its monitor: lifecycle events under its name, and manager calls that threw. */
export class PoolReporter {
  readonly #name: string;
  readonly #monitor: Monitor;

  constructor(name: string, monitor: Monitor) {
    this.#name = name;
    this.#monitor = monitor;
  }

  /** Records a `type` event from this pool; a monitor that throws is contained (see `safeRecord`). */
  event(type: PoolEventName, data: Record<string, unknown>): void {
    safeRecord(this.#monitor, createEvent(type, this.#name, data));
  }

  /** Reports a manager `operation` (`destroy`, `recycle`, `watch`...) that threw, as `pool.manager.error`. */
  managerError(operation: string, error: unknown): void {
    const wrapped = new PoolManagerError(`Connection manager ${operation} failed in pool "${this.#name}": ${describeThrown(error)}`, { pool: this.#name, operation }, error);
    this.event(POOL_EVENTS.managerError, { operation, error: wrapped.message, code: wrapped.code });
  }
}
