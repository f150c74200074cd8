/**
 * What the cache asks of an eviction policy. Policies see slot indices only (the cache owns keys and
 * values), so they allocate nothing per entry. Internal: never exported from the package.
 */
export interface Policy {
  /** True when `insert` needs the key's hash (frequency sketch, ghost queue). */
  readonly needsHash: boolean;
  /** A new entry was stored in `slot`. */
  insert(slot: number, hash: number): void;
  /** A `get` hit on `slot`. */
  hit(slot: number): void;
  /** The value of the entry in `slot` was replaced by `set`. */
  update(slot: number): void;
  /** The entry in `slot` left for a reason other than eviction (delete, expiry); unlink it. */
  remove(slot: number): void;
  /** Picks a victim, unlinks it and returns its slot; -1 when the policy holds nothing. */
  evict(): number;
  /** Forgets every entry (history such as a frequency sketch may stay). */
  clear(): void;
  /**
   * Up to `n` resident slots, hottest first (the last to be evicted) or coldest first (the next to be
   * evicted), as far as the policy's order tells; policies without an order leave it out.
   */
  ranked?(n: number, hottest: boolean): number[];
}
