import { describeThrown, isThenable } from '@patinox/errors';
import type { ConnectionManager } from '../connection-manager.js';
import { PoolValidationError } from '../errors.js';
import type { BoundedCalls } from './bounded-calls.js';
import { isCallTimeout } from './bounded-calls.js';
import { CHECKING, RECYCLING, type SlotTable } from './slot-table.js';

/** What the validator tells the pool core. */
export interface ValidatorHost {
  /** An async `isValid` passed; the slot is the core's to lend or store. */
  passed(slot: number, forBorrow: boolean): void;
  /** `isValid` failed (false, a throw or a timeout); the core reports it and destroys the slot. */
  failed(slot: number, cause: unknown, timedOut: boolean, error: PoolValidationError): void;
  /** An async check finished either way: waiters may be served, capacity may be free. */
  settled(): void;
  /** `recycle` finished; `error` is undefined when it succeeded. */
  recycled(slot: number, error: unknown): void;
}

/**
 * Runs `isValid` and `recycle` on connections taken out of circulation, each bounded by
 * `validationTimeoutMs`: a call past it is abandoned and counted, and its connection destroyed so its
 * place in `maxSize` comes back.
 */
export class Validator<C> {
  /** Slots out of circulation for `isValid`/`recycle`. */
  checking = 0;
  /** Of those, the ones checked for a waiting borrower. */
  borrowChecks = 0;
  failures = 0;
  timeouts = 0;
  lastError: PoolValidationError | undefined = undefined;
  lastFailureAt = -Infinity;
  readonly #manager: ConnectionManager<C>;
  readonly #slots: SlotTable<C>;
  readonly #calls: BoundedCalls;
  readonly #timeoutMs: number;
  readonly #host: ValidatorHost;
  readonly #poolName: string;

  constructor(manager: ConnectionManager<C>, slots: SlotTable<C>, calls: BoundedCalls, timeoutMs: number, poolName: string, host: ValidatorHost) {
    this.#manager = manager;
    this.#slots = slots;
    this.#calls = calls;
    this.#timeoutMs = timeoutMs;
    this.#poolName = poolName;
    this.#host = host;
  }

  /**
   * Runs `isValid` on a slot out of the idle ring: true when it passed at once, false when it failed (the
   * slot is destroyed), undefined when the answer is pending (the slot is CHECKING; `passed` or `failed` follows).
   */
  check(slot: number, forBorrow: boolean): boolean | undefined {
    const slots = this.#slots;
    const conn = slots.conns[slot] as C;
    let verdict: unknown;
    try {
      verdict = this.#manager.isValid(conn);
    } catch (error) {
      this.#invalid(slot, error);
      return false;
    }
    if (!isThenable(verdict)) {
      if (verdict === true) return true;
      this.#invalid(slot, undefined);
      return false;
    }
    slots.state[slot] = CHECKING;
    this.checking += 1;
    if (forBorrow) this.borrowChecks += 1;
    this.#calls.run(verdict, 'isValid', this.#timeoutMs).then(
      (valid) => this.#checked(slot, conn, forBorrow, valid === true, undefined),
      (error: unknown) => this.#checked(slot, conn, forBorrow, false, error),
    );
    return undefined;
  }

  /** Runs `recycle` on a returned slot; `recycled` follows, at once or later. */
  recycle(slot: number): void {
    const slots = this.#slots;
    const conn = slots.conns[slot] as C;
    slots.state[slot] = RECYCLING;
    this.checking += 1;
    let result: unknown;
    try {
      result = this.#manager.recycle!(conn);
    } catch (error) {
      this.#recycled(slot, conn, error);
      return;
    }
    if (!isThenable(result)) {
      this.#recycled(slot, conn, undefined);
      return;
    }
    this.#calls.run(result, 'recycle', this.#timeoutMs).then(
      () => this.#recycled(slot, conn, undefined),
      (error: unknown) => this.#recycled(slot, conn, error),
    );
  }

  /** Forgets a slot still CHECKING or RECYCLING (the pool is closing and destroys it). */
  abandon(slot: number): void {
    this.checking -= 1;
    if (this.#slots.state[slot] === CHECKING && this.borrowChecks > 0) this.borrowChecks -= 1;
  }

  #recycled(slot: number, conn: C, error: unknown): void {
    const slots = this.#slots;
    if (slots.conns[slot] !== conn || slots.state[slot] !== RECYCLING) return;
    this.checking -= 1;
    if (error !== undefined && isCallTimeout(error)) this.timeouts += 1;
    this.#host.recycled(slot, error);
  }

  #checked(slot: number, conn: C, forBorrow: boolean, valid: boolean, error: unknown): void {
    const slots = this.#slots;
    if (slots.conns[slot] !== conn || slots.state[slot] !== CHECKING) return;
    this.checking -= 1;
    if (forBorrow) this.borrowChecks -= 1;
    if (valid) this.#host.passed(slot, forBorrow);
    else this.#invalid(slot, error);
    this.#host.settled();
  }

  #invalid(slot: number, cause: unknown): void {
    this.failures += 1;
    const timedOut = isCallTimeout(cause);
    if (timedOut) this.timeouts += 1;
    const error = new PoolValidationError(
      `A connection of pool "${this.#poolName}" failed validation${cause === undefined ? '' : `: ${describeThrown(cause)}`}`,
      { pool: this.#poolName },
      cause,
    );
    this.lastError = error;
    this.lastFailureAt = performance.now();
    this.#host.failed(slot, cause, timedOut, error);
  }
}
