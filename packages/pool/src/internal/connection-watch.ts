import { describeThrown } from '@patinox/errors';
import type { ConnectionManager } from '../connection-manager.js';
import { FAILED, IDLE, type SlotTable } from './slot-table.js';

/** What the watch asks of the pool core. */
export interface ConnectionWatchHost {
  /** A connection reported an error (`pool.connection.error`). */
  reported(error: string, state: 'idle' | 'borrowed'): void;
  /** Destroys an idle connection already taken out of the idle ones, then serves waiters. */
  evict(slot: number, error: unknown): void;
  /** A connection reported an error before it was ever lent; `createdAt` is when it was made (`performance.now()`). */
  diedUnused(createdAt: number, error: unknown): void;
  /** `watch` or the handling of its report threw (`pool.manager.error`). */
  managerError(error: unknown): void;
}

/**
 * Subscribes to the failures a connection reports on its own (`manager.watch`): an idle connection that
 * reports one is evicted at once, a borrowed or checked one is marked and destroyed when it comes back.
 * The unsubscribe function is kept in the slot table, where the destroyer finds it.
 */
export class ConnectionWatch<C> {
  readonly #manager: ConnectionManager<C>;
  readonly #slots: SlotTable<C>;
  readonly #host: ConnectionWatchHost;

  constructor(manager: ConnectionManager<C>, slots: SlotTable<C>, host: ConnectionWatchHost) {
    this.#manager = manager;
    this.#slots = slots;
    this.#host = host;
  }

  /** Subscribes to the new connection in `slot`; a throwing `watch` is reported, never fatal. */
  watch(slot: number, conn: C): void {
    if (this.#manager.watch === undefined) return;
    try {
      const unwatch = this.#manager.watch(conn, (error) => this.#reported(slot, conn, error));
      if (typeof unwatch === 'function') this.#slots.unwatch[slot] = unwatch;
    } catch (error) {
      this.#host.managerError(error);
    }
  }

  #reported(slot: number, conn: C, error: unknown): void {
    try {
      const slots = this.#slots;
      // A late report from a connection that already left its slot.
      if (slots.conns[slot] !== conn) return;
      const idle = slots.state[slot] === IDLE;
      this.#host.reported(describeThrown(error), idle ? 'idle' : 'borrowed');
      // Before `evict`, whose dispatch would otherwise open its replacement at once.
      if (slots.fresh[slot] !== 0) this.#host.diedUnused(slots.lastUsedAt[slot]!, error);
      if (idle) {
        slots.retainIdle((s) => s !== slot);
        this.#host.evict(slot, error);
      } else {
        slots.broken[slot] = FAILED;
      }
    } catch (failure) {
      // Called from a connection's event emitter: throwing here would crash the process.
      this.#host.managerError(failure);
    }
  }
}
