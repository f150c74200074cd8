import { brokenReason, SOUND } from './slot-table.js';
import type { SupplyParts } from './supply.js';

/** What the checks' outcomes ask of the pool core. */
export interface ReturnsHost {
  isClosed(): boolean;
  /** Hands a ready connection to the next waiter, or puts it with the idle ones. */
  offer(slot: number): void;
  /** A connection left the lent or checked ones: serve waiters (or let `close()` finish). */
  afterRelease(): void;
}

/** The parts {@link Returns} reads and drives (a subset of the supply's). */
export type ReturnsParts<C> = Pick<SupplyParts<C>, 'slots' | 'validator' | 'maintenance' | 'destroyer' | 'waits' | 'reporter'>;

/**
 * The way back to lending for a connection that went through `recycle` or `isValid` (a return, borrow or
 * health check): offered again when it passed and may still be lent, destroyed otherwise.
 */
export class Returns<C> {
  readonly #validateOnReturn: boolean;
  readonly #parts: ReturnsParts<C>;
  readonly #host: ReturnsHost;

  constructor(validateOnReturn: boolean, parts: ReturnsParts<C>, host: ReturnsHost) {
    this.#validateOnReturn = validateOnReturn;
    this.#parts = parts;
    this.#host = host;
  }

  /** Validates a returned connection before it is lent again. */
  check(slot: number): void {
    const verdict = this.#parts.validator.check(slot, false);
    if (verdict === true) this.#host.offer(slot);
    if (verdict !== undefined) this.#host.afterRelease();
  }

  /** `manager.recycle` settled for a returned connection (`error` when it failed). */
  recycled(slot: number, error: unknown): void {
    const { slots, destroyer } = this.#parts;
    const closed = this.#host.isClosed();
    if (error !== undefined) {
      this.#parts.reporter.managerError('recycle', error);
      destroyer.slot(slot, 'recycle-failed', error);
    } else if (closed || slots.broken[slot] !== SOUND) {
      destroyer.slot(slot, closed ? 'closed' : brokenReason(slots.broken[slot]!));
    } else if (this.#validateOnReturn) {
      this.check(slot);
      return;
    } else {
      this.#host.offer(slot);
    }
    this.#host.afterRelease();
  }

  /** An asynchronous `isValid` passed: for a borrow, a return or a health check. */
  checkPassed(slot: number, forBorrow: boolean): void {
    const slots = this.#parts.slots;
    const closed = this.#host.isClosed();
    if (closed || slots.broken[slot] !== SOUND) {
      this.#parts.destroyer.slot(slot, closed ? 'closed' : brokenReason(slots.broken[slot]!));
      return;
    }
    const now = this.#parts.waits.now();
    if (forBorrow) slots.lastUsedAt[slot] = now;
    else this.#parts.maintenance.checked(slot, now);
    this.#host.offer(slot);
  }
}
