import type { CloseReport, LeakReport } from '../stats.js';
import type { BoundedCalls } from './bounded-calls.js';
import type { Destroyer } from './destroyer.js';
import { BORROWED, CHECKING, RECYCLING, type SlotTable } from './slot-table.js';
import type { Validator } from './validator.js';

/** What the closer reports. */
export interface CloserHost {
  /** A loan was still out at the deadline (`pool.leak.reported`). */
  leaked(report: LeakReport): void;
  /** Close finished (`pool.closed`). */
  closed(report: CloseReport): void;
}

/**
 * The end of `close()`: waits for loans and checks to come back until the deadline, then reclaims what
 * is still out (loans as leaked, with their held time and acquire stack when recorded), waits for
 * pending `destroy` calls up to the same deadline, and stops every manager-call timer.
 */
export class Closer<C> {
  readonly #slots: SlotTable<C>;
  readonly #validator: Validator<C>;
  readonly #destroyer: Destroyer<C>;
  readonly #calls: BoundedCalls;
  readonly #trackLoans: boolean;
  readonly #host: CloserHost;
  #onQuiet: (() => void) | undefined = undefined;

  constructor(slots: SlotTable<C>, validator: Validator<C>, destroyer: Destroyer<C>, calls: BoundedCalls, trackLoans: boolean, host: CloserHost) {
    this.#slots = slots;
    this.#validator = validator;
    this.#destroyer = destroyer;
    this.#calls = calls;
    this.#trackLoans = trackLoans;
    this.#host = host;
  }

  /** Called after each loan or check ends during close. */
  settled(): void {
    if (this.#outstanding() === 0) this.#onQuiet?.();
  }

  /** Finishes closing by `endAt` (a `performance.now()` time), never past it. */
  async finish(endAt: number): Promise<CloseReport> {
    let timedOut = false;
    if (this.#outstanding() > 0) {
      timedOut = endAt <= performance.now();
      if (!timedOut) timedOut = await this.#quietBy(endAt);
    }
    const leaked = this.#reclaim();
    const unsettledDestroys = await this.#destroyer.settleBy(endAt);
    if (unsettledDestroys > 0) timedOut = true;
    this.#calls.stopAll();
    const report = { leaked, timedOut, unsettledDestroys };
    this.#host.closed(report);
    return report;
  }

  #outstanding(): number {
    return this.#slots.loaned + this.#validator.checking;
  }

  /** Resolves false once nothing is out, or true when `endAt` passes first. */
  #quietBy(endAt: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.#onQuiet = undefined;
        resolve(true);
      }, Math.max(0, endAt - performance.now()));
      this.#onQuiet = () => {
        clearTimeout(timer);
        this.#onQuiet = undefined;
        resolve(false);
      };
    });
  }

  #reclaim(): LeakReport[] {
    const leaked: LeakReport[] = [];
    const now = performance.now();
    const slots = this.#slots;
    const trackLoans = this.#trackLoans;
    for (let slot = 0; slot < slots.capacity; slot += 1) {
      const state = slots.state[slot];
      if (state === BORROWED && slots.loans[slot] !== undefined) {
        const report: LeakReport = {
          heldMs: trackLoans ? Math.round(now - slots.borrowedAt[slot]!) : undefined,
          stack: trackLoans ? slots.stacks[slot]?.stack : undefined,
        };
        leaked.push(report);
        this.#host.leaked(report);
        slots.loans[slot] = undefined;
        if (trackLoans) slots.stacks[slot] = undefined;
        slots.loaned -= 1;
        this.#destroyer.slot(slot, 'leaked');
      } else if (state === CHECKING || state === RECYCLING) {
        this.#validator.abandon(slot);
        this.#destroyer.slot(slot, 'closed');
      }
    }
    return leaked;
  }
}
