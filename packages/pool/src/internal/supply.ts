import { describeThrown, isPatinoxError } from '@patinox/errors';
import { PoolManagerError } from '../errors.js';
import { POOL_EVENTS } from '../events.js';
import type { PooledConnection } from '../pooled-connection.js';
import type { ConnectionWatch } from './connection-watch.js';
import type { Connector } from './connector.js';
import type { Destroyer } from './destroyer.js';
import { GATE_SUSPENDED, type Gate } from './gate.js';
import type { Maintenance } from './maintenance.js';
import type { Readiness } from './readiness.js';
import type { PoolReporter } from './reporter.js';
import { brokenReason, SOUND, type SlotTable } from './slot-table.js';
import type { Validator } from './validator.js';
import type { WaitRecorder } from './wait-recorder.js';
import type { WaiterQueue } from './waiter-queue.js';

/** What the supply asks of the pool core: its state and where a new connection goes. */
export interface SupplyHost {
  isClosed(): boolean;
  minSize(): number;
  maxSize(): number;
  /** Hands a ready connection to the next waiter, or puts it with the idle ones. */
  offer(slot: number): void;
  /** Serves waiters from the idle connections, then asks the supply for what is still missing. */
  dispatch(): void;
}

/** The parts a {@link Supply} reads and drives. */
export interface SupplyParts<C> {
  readonly slots: SlotTable<C>;
  readonly connector: Connector<C>;
  readonly validator: Validator<C>;
  readonly maintenance: Maintenance<C>;
  readonly readiness: Readiness;
  readonly waiters: WaiterQueue<PooledConnection<C>>;
  readonly destroyer: Destroyer<C>;
  readonly waits: WaitRecorder;
  readonly gate: Gate;
  readonly watch: ConnectionWatch<C>;
  readonly reporter: PoolReporter;
}

/**
 * The birth of connections: how many creates the pool needs (for its waiters, `minSize` and start-up),
 * and what each create's outcome does (a new connection is scheduled for maintenance, watched and
 * offered; a failure is counted, reported and backed off, and a permanent one rejects every waiter).
 */
export class Supply<C> {
  /** Connections created so far. */
  created = 0;
  /** Creates that failed or overran `createTimeoutMs`. */
  createErrors = 0;
  readonly #name: string;
  readonly #parts: SupplyParts<C>;
  readonly #host: SupplyHost;

  constructor(name: string, parts: SupplyParts<C>, host: SupplyHost) {
    this.#name = name;
    this.#parts = parts;
    this.#host = host;
  }

  /** Starts the creates that waiters, `minSize` and start-up still need (within `maxSize` and the create backoff). */
  fill(): void {
    const { connector, slots } = this.#parts;
    if (this.#host.isClosed() || connector.backingOff) return;
    const maxSize = this.#host.maxSize();
    const queued = (this.#parts.gate.bits & GATE_SUSPENDED) === 0 ? this.#parts.waiters.size - connector.pending - this.#parts.validator.borrowChecks : 0;
    let want = Math.max(queued, this.#host.minSize() - slots.size, this.#parts.readiness.missing - connector.pending);
    want = Math.min(want, maxSize - slots.size);
    // While creates fail, probe with one at a time instead of hammering a dead server with maxSize.
    if (connector.failures > 0) want = Math.min(want, 1 - connector.pending);
    if (want <= 0) return;
    for (want = connector.admit(want); want > 0; want -= 1) {
      connector.spawn(slots.alloc(maxSize));
    }
  }

  /** A create for `slot` returned `conn`. */
  onCreated(slot: number, conn: C): void {
    const { slots, destroyer } = this.#parts;
    slots.conns[slot] = conn;
    this.created += 1;
    const now = this.#parts.waits.now();
    slots.lastUsedAt[slot] = now;
    this.#parts.maintenance.schedule(slot, now);
    slots.fresh[slot] = 1;
    this.#parts.watch.watch(slot, conn);
    this.#parts.reporter.event(POOL_EVENTS.connectionCreated, { size: slots.size });
    this.#parts.readiness.created();
    if (this.#host.isClosed()) {
      // close() ran from inside watch() or a monitor's record of the event above.
      destroyer.slot(slot, 'closed');
    } else if (slots.broken[slot] !== SOUND) {
      // It reported an error from inside watch(), or softEvictAll() retired it while it was being opened.
      destroyer.slot(slot, brokenReason(slots.broken[slot]!));
    } else if (slots.size > this.#host.maxSize()) {
      destroyer.slot(slot, 'resize');
    } else {
      this.#host.offer(slot);
    }
    this.#host.dispatch();
  }

  /** A create for `slot` failed (or overran its timeout); the next may start after `retryInMs`. */
  onCreateFailed(slot: number, error: Error, attempt: number, retryInMs: number): void {
    this.#parts.slots.free(slot);
    if (this.#host.isClosed()) return;
    this.createErrors += 1;
    this.#parts.reporter.event(POOL_EVENTS.createFailed, { error: describeThrown(error), attempt, retryInMs });
    if (isPatinoxError(error) && error.recovery === 'fail') {
      const makeError = (): Error =>
        new PoolManagerError(`Pool "${this.#name}" cannot create connections: ${describeThrown(error)}`, { pool: this.#name }, error);
      this.#parts.waiters.rejectAll(makeError);
      this.#parts.readiness.reject(makeError);
      this.#parts.gate.settled();
    } else {
      this.#parts.readiness.createFailed(error);
    }
    this.#parts.connector.backOff(retryInMs);
  }
}
