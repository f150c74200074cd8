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
   * Up to `n` occupied slots ranked by how much the policy values them: with `hottest`, the most valued
   * first; otherwise in the order the policy would evict them. Called from admin paths (`hottest`,
   * `coldest`, `dump`), never from the hot path; must not change the policy's state. A policy without
   * it gets no ranking (the cache then lists entries in no particular order).
   */
  ranked?(n: number, hottest: boolean): number[];
}
