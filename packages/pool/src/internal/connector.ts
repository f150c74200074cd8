import { toError } from '@patinox/errors';
import type { ConnectionManager } from '../connection-manager.js';
import { PoolTimeoutError } from '../errors.js';

/**
 * Creates started per event-loop turn at most. Starting one costs a few µs (an AbortController, a timer,
 * the manager's own work), so a pool of thousands opened at once would block the event loop for a long
 * burst; capped, the rest start on the following turns, with I/O in between.
 */
export const SPAWNS_PER_TURN = 128;

/** What the connector tells the pool core. */
export interface ConnectorHost<C> {
  /** A create for `slot` succeeded. */
  created(slot: number, connection: C): void;
  /** A create for `slot` failed or overran its timeout; the slot is the core's to free. `retryInMs` is the backoff delay. */
  failed(slot: number, error: Error, attempt: number, retryInMs: number): void;
  /** A connection arrived after its create was abandoned; the core destroys it. */
  late(connection: C): void;
  /** The backoff delay after a failure passed, or a new turn gave room for more creates: creates may start again. */
  retry(): void;
}

/** The options a {@link Connector} reads. */
export interface ConnectorOptions {
  name: string;
  createTimeoutMs: number;
  createRetryDelayMs: number;
  createRetryMaxDelayMs: number;
  random: () => number;
}

/**
 * Runs `manager.create` calls: each bounded by `createTimeoutMs` (a late connection is handed back for
 * destruction, never lent), with capped exponential backoff and equal jitter after failures.
 */
export class Connector<C> {
  /** `create` calls in flight. */
  pending = 0;
  /** Consecutive failed creates since the last success. */
  failures = 0;
  /** The last create error, until a create succeeds. */
  lastError: Error | undefined = undefined;
  readonly #manager: ConnectionManager<C>;
  readonly #options: ConnectorOptions;
  readonly #host: ConnectorHost<C>;
  readonly #abandons = new Set<(error: Error) => void>();
  #retryTimer: NodeJS.Timeout | undefined = undefined;
  // Creates that may still start before `#nextTurn` runs (see SPAWNS_PER_TURN).
  #room = SPAWNS_PER_TURN;
  #nextTurn: NodeJS.Immediate | undefined = undefined;
  // Consecutive failures before the last successful creates, until a connection is lent (see `failedAfterCreate`).
  #streak = 0;

  constructor(manager: ConnectionManager<C>, options: ConnectorOptions, host: ConnectorHost<C>) {
    this.#manager = manager;
    this.#options = options;
    this.#host = host;
  }

  /** True while waiting out a backoff delay. */
  get backingOff(): boolean {
    return this.#retryTimer !== undefined;
  }

  /**
   * How many of `wanted` creates may start now: all while the turn's room lasts; past it, what is left
   * and a call to `retry()` on a later turn, when the room is back.
   */
  admit(wanted: number): number {
    if (wanted <= this.#room) return wanted;
    if (this.#nextTurn === undefined) {
      // The room comes back only on the turn after it ran out, not every turn: a pool that opens few
      // connections schedules nothing, at the cost of one create in 128 waiting one turn. Left ref'd: an unref'd immediate lets the event loop sleep in its poll phase until some timer is due.
      this.#nextTurn = setImmediate(() => {
        this.#nextTurn = undefined;
        this.#room = SPAWNS_PER_TURN;
        this.#host.retry();
      });
    }
    return this.#room;
  }

  /** Starts a `create` whose connection goes in `slot` (after {@link admit} let it). */
  spawn(slot: number): void {
    this.#room -= 1;
    this.pending += 1;
    const controller = new AbortController();
    const timeoutMs = this.#options.createTimeoutMs;
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      this.#abandons.delete(abandon);
      this.pending -= 1;
      return true;
    };
    const abandon = (error: Error): void => {
      if (!finish()) return;
      controller.abort(error);
      this.#failed(slot, error);
    };
    const timer = setTimeout(() => {
      abandon(new PoolTimeoutError(`create did not finish within ${timeoutMs} ms`, 'connect', { pool: this.#options.name, timeoutMs }));
    }, timeoutMs);
    // A hung create must not keep the process alive; waiters have their own (ref'd) deadline timer.
    timer.unref();
    this.#abandons.add(abandon);
    let result: unknown;
    try {
      result = this.#manager.create(controller.signal);
    } catch (error) {
      result = Promise.reject(toError(error));
    }
    Promise.resolve(result).then(
      (connection) => {
        if (!finish()) {
          this.#host.late(connection as C);
          return;
        }
        // Kept until a connection is lent: one that fails before that continues the failure count.
        this.#streak = Math.max(this.#streak, this.failures);
        this.failures = 0;
        this.lastError = undefined;
        this.#host.created(slot, connection as C);
      },
      (error: unknown) => {
        if (finish()) this.#failed(slot, toError(error));
      },
    );
  }

  /** Abandons every create in flight with `error` (their slots are reported as failed) and stops the backoff timer. */
  stop(error: Error): void {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (this.#nextTurn !== undefined) clearImmediate(this.#nextTurn);
    this.#nextTurn = undefined;
    for (const abandon of [...this.#abandons]) abandon(error);
  }

  /**
   * A connection `create` returned failed soon, before it was ever lent (it reported an error while new
   * or idle): counts as a failed create, continuing the count from before it, and backs off, so
   * connections that die as soon as they exist are not recreated in a loop.
   */
  failedAfterCreate(error: Error): void {
    this.failures = Math.max(this.failures, this.#streak);
    this.backOff(this.#recordFailure(error));
  }

  /** A connection was lent: creates work again, and a later early failure starts a new count. */
  confirmed(): void {
    this.#streak = 0;
  }

  #failed(slot: number, error: Error): void {
    const delayMs = this.#recordFailure(error);
    this.#host.failed(slot, error, this.failures, delayMs);
  }

  /** Counts a failure and returns the backoff delay before the next create. */
  #recordFailure(error: Error): number {
    this.failures += 1;
    this.lastError = error;
    const { createRetryDelayMs, createRetryMaxDelayMs } = this.#options;
    const ceiling = Math.min(createRetryMaxDelayMs, createRetryDelayMs * 2 ** Math.min(30, this.failures - 1));
    // Equal jitter: at least half the ceiling, so the retry rate stays bounded even with an unlucky random.
    const r = this.#options.random();
    return Math.round(ceiling / 2 + (ceiling / 2) * (r >= 0 && r < 1 ? r : 0.5));
  }

  /** Holds new creates back for `delayMs` (no-op while a backoff is already running). */
  backOff(delayMs: number): void {
    if (this.#retryTimer !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#host.retry();
    }, delayMs);
    this.#retryTimer.unref();
  }
}
