import type { EvictionPolicyName, EvictionStrategy } from '../options.js';
import { CustomPolicy, type SlotReader } from './custom.js';
import { FifoPolicy } from './fifo.js';
import { LfuPolicy } from './lfu.js';
import { LruPolicy } from './lru.js';
import { S3FifoPolicy } from './s3fifo.js';
import { SievePolicy } from './sieve.js';
import { TinyLfuPolicy } from './tinylfu.js';

/** Builds the policy for `slots` slots (maxEntries + 1: an insert may overflow by one before evicting). */
export function createPolicy<K, V>(
  spec: EvictionPolicyName | EvictionStrategy<K, V>,
  slots: number,
  maxEntries: number,
  reader: SlotReader<K, V>,
): Policy {
  if (typeof spec === 'object') return new CustomPolicy(slots, spec, reader);
  switch (spec) {
    case 'lru':
      return new LruPolicy(slots);
    case 'lfu':
      return new LfuPolicy(slots);
    case 'fifo':
      return new FifoPolicy(slots, false);
    case 'ttl':
      return new FifoPolicy(slots, true);
    case 'sieve':
      return new SievePolicy(slots);
    case 's3fifo':
      return new S3FifoPolicy(slots, maxEntries);
    case 'tinylfu':
      return new TinyLfuPolicy(slots, maxEntries);
  }
}

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
}
