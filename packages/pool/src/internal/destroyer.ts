import { describeThrown, isThenable, settleWithin } from '@patinox/errors';
import type { ConnectionManager } from '../connection-manager.js';
import type { BoundedCalls } from './bounded-calls.js';
import { isCallTimeout } from './bounded-calls.js';
import type { SlotTable } from './slot-table.js';

/** How the destroyer reports. */
export interface DestroyerHost {
  /** A connection left the pool (`pool.connection.destroyed`). */
  destroyed(reason: string, size: number, error: string | undefined): void;
  /** A manager call failed (`destroy`, `unwatch`). */
  managerError(operation: string, error: unknown): void;
}

/**
 * Takes connections out of the pool: frees the slot at once (its place in `maxSize` comes back before
 * the manager answers), unsubscribes `watch`, and calls `destroy` bounded by `destroyTimeoutMs`; a call
 * past it is abandoned and counted. Keeps the pending calls so `close()` can wait for them.
 */
export class Destroyer<C> {
  /** Connections destroyed since the pool started. */
  count = 0;
  /** `destroy` calls abandoned after `destroyTimeoutMs`. */
  timeouts = 0;
  /** `destroy` calls not settled yet. */
  readonly pending = new Set<Promise<void>>();
  readonly #manager: ConnectionManager<C>;
  readonly #slots: SlotTable<C>;
  readonly #calls: BoundedCalls;
  readonly #timeoutMs: number;
  readonly #hasWatch: boolean;
  readonly #host: DestroyerHost;

  constructor(manager: ConnectionManager<C>, slots: SlotTable<C>, calls: BoundedCalls, timeoutMs: number, host: DestroyerHost) {
    this.#manager = manager;
    this.#slots = slots;
    this.#calls = calls;
    this.#timeoutMs = timeoutMs;
    this.#hasWatch = manager.watch !== undefined;
    this.#host = host;
  }

  /** Destroys the connection of `slot` (out of the idle ring already, or never in it). */
  slot(slot: number, reason: string, cause?: unknown): void {
    const slots = this.#slots;
    const conn = slots.conns[slot] as C;
    const unwatch = this.#hasWatch ? slots.unwatch[slot] : undefined;
    if (unwatch !== undefined) {
      slots.unwatch[slot] = undefined;
      try {
        unwatch();
      } catch (error) {
        this.#host.managerError('unwatch', error);
      }
    }
    slots.free(slot);
    this.count += 1;
    this.#host.destroyed(reason, slots.size, cause === undefined ? undefined : describeThrown(cause));
    this.connection(conn);
  }

  /** Calls `manager.destroy` on a connection that holds no slot. */
  connection(conn: C): void {
    let result: unknown;
    try {
      result = this.#manager.destroy(conn);
    } catch (error) {
      this.#host.managerError('destroy', error);
      return;
    }
    if (isThenable(result)) {
      const pending: Promise<void> = this.#calls.run(result, 'destroy', this.#timeoutMs).then(
        () => {
          this.pending.delete(pending);
        },
        (error: unknown) => {
          this.pending.delete(pending);
          if (isCallTimeout(error)) this.timeouts += 1;
          this.#host.managerError('destroy', error);
        },
      );
      this.pending.add(pending);
    }
  }

  /**
   * Waits for the pending `destroy` calls until `endAt` (a `performance.now()` time), never past it (each is
   * bounded by `destroyTimeoutMs`, but a close deadline is a promise to its caller), then forgets them.
   * Resolves with how many were still unsettled.
   */
  async settleBy(endAt: number): Promise<number> {
    const remainingMs = endAt - performance.now();
    if (this.pending.size > 0 && remainingMs > 0) await settleWithin(Promise.allSettled([...this.pending]), remainingMs);
    const unsettled = this.pending.size;
    this.pending.clear();
    return unsettled;
  }
}
