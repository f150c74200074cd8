import type { Policy } from '../policies/policy.js';

/**
 * A read-only look at a cache's slots for the admin paths (dump, ranking): no stats, no policy
 * update. The cache builds one set of closures at construction; nothing here is on a hot path.
 */
export interface SlotView<K, V> {
  /** The policy in use (`resize` replaces it). */
  policy(): Policy;
  now(): number;
  /** True when the entry in `slot` is neither expired nor vetoed by a custom strategy. */
  live(slot: number): boolean;
  key(slot: number): K;
  value(slot: number): V;
  /** Clock ms of expiry, 0 when none. */
  expiresAt(slot: number): number;
  /** Clock ms until which an expired entry is served by stale-while-revalidate, 0 when none. */
  staleUntil(slot: number): number;
  tags(slot: number): readonly string[] | undefined;
  /** The TTL a read renews (sliding expiry), 0 when the entry in `slot` has a fixed TTL or none. */
  slidingTtlMs(slot: number): number;
  /** 0 when sizes are not tracked. */
  sizeBytes(slot: number): number;
  /** Every occupied slot, in no particular order. */
  occupied(): number[];
  /** Entries held (expired ones not yet swept included). */
  count(): number;
}

/**
 * Up to `n` keys of live entries as the policy ranks them (`Policy.ranked`): the most valued first
 * with `hottest`, otherwise in eviction order. A policy without a ranking lists them unordered.
 */
export function rankKeys<K, V>(view: SlotView<K, V>, n: number, hottest: boolean, mayExpire: boolean): K[] {
  const count = view.count();
  if (n === 0 || count === 0) return [];
  // With expiry possible, rank everything and skip the expired; otherwise the first n are the answer.
  const want = mayExpire ? count : Math.min(n, count);
  const policy = view.policy();
  const slots = policy.ranked === undefined ? view.occupied() : policy.ranked(want, hottest);
  const out: K[] = [];
  for (const slot of slots) {
    if (mayExpire && !view.live(slot)) continue;
    out.push(view.key(slot));
    if (out.length === n) break;
  }
  return out;
}
