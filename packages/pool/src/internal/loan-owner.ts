/** What a {@link PooledConnection} calls back into; implemented by the pool core. */
export interface LoanOwner {
  /** Returns the slot's connection; `suspect` forces validation before its next loan. */
  release(slot: number, loan: object, suspect: boolean): void;
  /** Destroys the slot's connection instead of returning it. */
  destroyLoan(slot: number, loan: object, error: unknown): void;
  /** Counts a release or destroy of a loan that had already ended. */
  countDoubleRelease(): void;
}
