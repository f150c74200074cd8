/**
 * The loads a cache has started and that have not settled yet, for `settled()`: a load is added when it
 * starts (foreground, refresh, or one a caller gave up on) and leaves when it settles. Loads are not the
 * hot path; a hit never touches this.
 */
export class Running {
  readonly #promises = new Set<Promise<unknown>>();

  /** Loads still running. */
  get size(): number {
    return this.#promises.size;
  }

  /** Tracks `promise` until it settles (its rejection is handled here only for the tracking). */
  track(promise: Promise<unknown>): void {
    this.#promises.add(promise);
    const done = (): void => {
      this.#promises.delete(promise);
    };
    promise.then(done, done);
  }

  /** Resolves once nothing tracked runs, including loads started while it waits. Never rejects. */
  async settled(): Promise<void> {
    while (this.#promises.size > 0) await Promise.allSettled([...this.#promises]);
  }
}
