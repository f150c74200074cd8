/**
 * Per-slot times that only some caches use: the grace window, the sliding TTL and the write time (for
 * refresh ahead). Each array is allocated on first use, so a cache that never uses a feature pays
 * nothing for it.
 *
 * They are written only when an entry gets a TTL (the cache's `#setExpiry`), and read only while that
 * entry's expiry is set: a slot reused without a TTL has expiry 0, so stale values here are never read
 * and need no clearing on the hot paths.
 */
export class EntryTimes {
  /** ms an expired entry is kept as a fallback for failed loads. */
  grace: Float64Array | undefined;
  /** The TTL to renew on a read (sliding expiry); 0 = fixed expiry. */
  slide: Float64Array | undefined;
  /** Clock ms of the write; NaN when unknown (written before refresh ahead was in use). */
  written: Float64Array | undefined;
  readonly #slots: number;

  constructor(slots: number) {
    this.#slots = slots;
  }

  /** Records the facts of a TTL write into `slot`. */
  write(slot: number, now: number, ttlMs: number, graceMs: number, sliding: boolean, trackWrites: boolean): void {
    if (graceMs > 0) (this.grace ??= new Float64Array(this.#slots))[slot] = graceMs;
    else if (this.grace !== undefined) this.grace[slot] = 0;
    if (sliding) (this.slide ??= new Float64Array(this.#slots))[slot] = ttlMs;
    else if (this.slide !== undefined) this.slide[slot] = 0;
    if (trackWrites) (this.written ??= new Float64Array(this.#slots).fill(Number.NaN))[slot] = now;
    else if (this.written !== undefined) this.written[slot] = now;
  }

  /** ms the entry in `slot` is kept past its TTL as a load fallback (0 = none). */
  graceOf(slot: number): number {
    return this.grace === undefined ? 0 : this.grace[slot]!;
  }

  /** The TTL to renew on read, 0 when the entry in `slot` does not slide. */
  slideOf(slot: number): number {
    return this.slide === undefined ? 0 : this.slide[slot]!;
  }

  /** Clock ms when the entry in `slot` was written, NaN when unknown. */
  writtenAt(slot: number): number {
    return this.written === undefined ? Number.NaN : this.written[slot]!;
  }
}
