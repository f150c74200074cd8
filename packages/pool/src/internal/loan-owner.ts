/** What {@link LoanOwner.connectionOf} answers for a loan the pool no longer counts as lent (reclaimed at close). */
export const NOT_LENT: unique symbol = Symbol('patinox.pool.notLent');

/** What a {@link PooledConnection} calls back into; implemented by the pool core. */
export interface LoanOwner {
  /** The connection `loan` holds in `slot`, or {@link NOT_LENT} when the pool took it back. */
  connectionOf(slot: number, loan: object): unknown;
  /** Returns the slot's connection; `suspect` forces validation before its next loan. */
  release(slot: number, loan: object, suspect: boolean): void;
  /** Destroys the slot's connection instead of returning it. */
  destroyLoan(slot: number, loan: object, error: unknown): void;
  /** Counts a release or destroy of a loan that had already ended. */
  countDoubleRelease(): void;
}
