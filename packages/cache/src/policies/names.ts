import type { EvictionPolicyName } from '../options.js';

/** Every built-in eviction policy name, for validation and for iterating in tests and tools. */
export const EVICTION_POLICIES: readonly EvictionPolicyName[] = Object.freeze(['lru', 'lfu', 'fifo', 'ttl', 'clock-tinylfu', 'tinylfu', 's3fifo', 'sieve']);

/** The policy used when `evictionPolicy` is not given (chosen from trace replays; see README). */
export const DEFAULT_EVICTION_POLICY: EvictionPolicyName = 'clock-tinylfu';
