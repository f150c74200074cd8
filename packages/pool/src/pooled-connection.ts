import { PoolLoanReleasedError } from './errors.js';
import { NOT_LENT, type LoanOwner } from './internal/loan-owner.js';

const ENDED = -1;

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
  // The slot while the loan is live, ENDED after: one field for both keeps a loan (one per acquire) small.
  #slot: number;

  static {
    endSuspect = (loan) => {
      loan.#end(true);
    };
  }

  /** @internal Loans are made by {@link Pool.acquire}, never by hand. */
  constructor(owner: LoanOwner, slot: number) {
    this.#owner = owner;
    this.#slot = slot;
  }

  /**
   * The borrowed connection.
   * @throws {PoolLoanReleasedError} `POOL_LOAN_RELEASED` after `release()` or `destroy()`, or once `close()` reclaimed the loan: it may be someone else's now.
   */
  get connection(): C {
    const slot = this.#slot;
    if (slot === ENDED) throw new PoolLoanReleasedError();
    const connection = this.#owner.connectionOf(slot, this);
    // close() reclaimed this loan at its deadline; the slot may hold someone else's connection now.
    if (connection === NOT_LENT) throw new PoolLoanReleasedError();
    return connection as C;
  }

  /** True once `release()` or `destroy()` was called. */
  get isReleased(): boolean {
    return this.#slot === ENDED;
  }

  /** Gives the connection back to the pool; idempotent. */
  release(): void {
    this.#end(false);
  }

  /** Closes the connection instead of returning it (it is broken); the pool replaces it. Idempotent. */
  destroy(error?: unknown): void {
    const slot = this.#slot;
    if (slot === ENDED) {
      this.#owner.countDoubleRelease();
      return;
    }
    this.#slot = ENDED;
    this.#owner.destroyLoan(slot, this, error);
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
    const slot = this.#slot;
    if (slot === ENDED) {
      this.#owner.countDoubleRelease();
      return;
    }
    this.#slot = ENDED;
    this.#owner.release(slot, this, suspect);
  }
}

/** Releases `loan` and marks its connection for validation before the next loan (the caller saw an error). */
export function releaseSuspect<C>(loan: PooledConnection<C>): void {
  endSuspect(loan);
}
