import { expectNonNegativeFinite } from '@patinox/errors';
import { validateTags } from '../internal/validate-tags.js';
import type { LoaderContext } from '../options.js';

/**
 * A loader's context plus what the loader decided: the TTL and tags to store with, and whether to
 * store at all. Setters validate at once and change nothing when they throw.
 */
export class LoadDecision<V> implements LoaderContext<V> {
  readonly signal: AbortSignal;
  readonly isRefresh: boolean;
  readonly stale: V | undefined;
  ttlMs: number | undefined;
  tags: readonly string[] | undefined;
  store = true;

  constructor(signal: AbortSignal, isRefresh: boolean, stale: V | undefined, ttlMs: number | undefined, tags: readonly string[] | undefined) {
    this.signal = signal;
    this.isRefresh = isRefresh;
    this.stale = stale;
    this.ttlMs = ttlMs;
    this.tags = tags;
    // Loaders often destructure their context: bound, the methods work detached.
    this.setTtl = this.setTtl.bind(this);
    this.setTags = this.setTags.bind(this);
    this.doNotCache = this.doNotCache.bind(this);
  }

  setTtl(ms: number): void {
    this.ttlMs = expectNonNegativeFinite('ttlMs', ms);
  }

  setTags(tags: readonly string[]): void {
    this.tags = [...validateTags(tags)];
  }

  doNotCache(): void {
    this.store = false;
  }
}
