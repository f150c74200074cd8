import type { EvictionPolicyName, EvictionStrategy } from '../options.js';
import { ClockTinyLfuPolicy } from './clock-tinylfu.js';
import { CustomPolicy, type SlotReader } from './custom.js';
import { FifoPolicy } from './fifo.js';
import { LfuPolicy } from './lfu.js';
import { LruPolicy } from './lru.js';
import type { Policy } from './policy.js';
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
    case 'clock-tinylfu':
      return new ClockTinyLfuPolicy(slots, maxEntries);
  }
}
