import { checkTags } from './key-check.js';
import type { TieredLoaderContext } from './options.js';
import { expectTtlMs } from './ttl-check.js';

/**
 * One load's context: what the loader sees, and what it decided about the entry. `setTtl` and `setTags`
 * validate at once, so an invalid decision throws inside the loader (a load failure) and nothing is applied.
 */
export class LoadDecisions<V> implements TieredLoaderContext<V> {
  readonly signal: AbortSignal;
  readonly stale: V | undefined;
  readonly isRefresh: boolean;
  /** `undefined`: the call's `ttlMs`. */
  ttlMs: number | undefined = undefined;
  /** `undefined`: the call's `tags`. */
  tags: readonly string[] | undefined = undefined;
  cache = true;

  constructor(signal: AbortSignal, stale: V | undefined, isRefresh = false) {
    this.signal = signal;
    this.stale = stale;
    this.isRefresh = isRefresh;
  }

  // Arrow properties: a loader may destructure them (`async (key, { setTtl }) => ...`).
  readonly setTtl = (ttlMs: number): void => {
    this.ttlMs = expectTtlMs('ttlMs', ttlMs);
  };

  readonly setTags = (tags: readonly string[]): void => {
    this.tags = [...checkTags(tags ?? null)];
  };

  readonly doNotCache = (): void => {
    this.cache = false;
  };
}
