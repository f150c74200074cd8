import { PoolLoanReleasedError } from './errors.js';
import type { LoanOwner } from './internal/loan-owner.js';

const LIVE = 0;
const ENDED = 1;

let endSuspect: (loan: PooledConnection<unknown>) => void;

/**
 * One loan of a connection from a {@link Pool}: read `.connection`, then `release()` it (or `destroy()` it
 * when it is broken). Ending a loan twice is a no-op counted in `stats().doubleReleases`, never a throw,
 * and never touches the connection's next borrower.
 *
 * @example
 * ```ts
 * await using loan = await pool.acquire();
 * await loan.connection.query('SELECT 1');
 * ```
 */
export class PooledConnection<C> implements AsyncDisposable, Disposable {
  readonly #owner: LoanOwner;
  readonly #slot: number;
  readonly #connection: C;
  #state = LIVE;

  static {
    endSuspect = (loan) => {
      loan.#end(true);
    };
  }

  /** @internal Loans are made by {@link Pool.acquire}, never by hand. */
  constructor(owner: LoanOwner, slot: number, connection: C) {
    this.#owner = owner;
    this.#slot = slot;
    this.#connection = connection;
  }

  /**
   * The borrowed connection.
   * @throws {PoolLoanReleasedError} `POOL_LOAN_RELEASED` after `release()` or `destroy()`: it may be someone else's now.
   */
  get connection(): C {
    if (this.#state !== LIVE) throw new PoolLoanReleasedError();
    return this.#connection;
  }

  /** True once `release()` or `destroy()` was called. */
  get isReleased(): boolean {
    return this.#state !== LIVE;
  }

  /** Gives the connection back to the pool; idempotent. */
  release(): void {
    this.#end(false);
  }

  /** Closes the connection instead of returning it (it is broken); the pool replaces it. Idempotent. */
  destroy(error?: unknown): void {
    if (this.#state !== LIVE) {
      this.#owner.countDoubleRelease();
      return;
    }
    this.#state = ENDED;
    this.#owner.destroyLoan(this.#slot, this, error);
  }

  /** Same as `release()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    this.#end(false);
    return Promise.resolve();
  }

  /** Same as `release()`, for `using`. */
  [Symbol.dispose](): void {
    this.#end(false);
  }

  #end(suspect: boolean): void {
    if (this.#state !== LIVE) {
      this.#owner.countDoubleRelease();
      return;
    }
    this.#state = ENDED;
    this.#owner.release(this.#slot, this, suspect);
  }
}

/** Releases `loan` and marks its connection for validation before the next loan (the caller saw an error). */
export function releaseSuspect<C>(loan: PooledConnection<C>): void {
  endSuspect(loan);
}
