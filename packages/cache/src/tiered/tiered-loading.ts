import { toError } from '@patinox/errors';
import type { Monitor, TraceHook } from '@patinox/monitor';
import type { LoadStats } from '../internal/load-stats.js';
import { loadMany, type BulkHost, type TieredBulkLoader } from './bulk-load.js';
import type { Coherence } from './coherence.js';
import { checkGetMany, checkGetOrLoad } from './get-or-load-options.js';
import { checkTags } from './key-check.js';
import type { KeyLayout } from './key-layout.js';
import { DistributedLoader, type Loader } from './loader.js';
import type { LoadTiming } from '../loading/load-timing.js';
import type { TieredGetManyOptions, TieredGetOrLoadOptions, TieredGetOptions } from './options.js';
import type { TierReader } from './reader.js';
import type { RemoteTier } from './remote-tier.js';
import type { Sliding } from './sliding.js';
import type { TierTracing } from './tier-tracing.js';
import type { WriteThrough } from './write-through.js';
import type { TierWriter } from './writer.js';

/** What {@link TieredLoading} takes from its cache. */
export interface TieredLoadingParts<V> {
  remote: RemoteTier;
  coherence: Coherence<V>;
  reader: TierReader<V>;
  writer: TierWriter<V>;
  sliding: Sliding<V>;
  layout: KeyLayout;
  store: WriteThrough<V>;
  monitor: Monitor;
  tracer: TraceHook | undefined;
  tracing: TierTracing<V> | undefined;
  namespace: string;
  signal: AbortSignal;
  clock: () => number;
  defaultTtlMs: number;
  /** The cache-level defaults of the load options. */
  policy: LoadTiming;
  timing: { lockTtlMs: number; lockWaitMs: number; lockPollMs: number };
  /** Reads `key` (checked) from the tiers, as `get` does. */
  read(key: string, options: TieredGetOptions | undefined, fillL1: boolean, l1AlreadyMissed: boolean): Promise<V | undefined>;
  checkOpen(): void;
}

const CONSISTENT: TieredGetOptions = Object.freeze({ consistent: true });

/**
 * The loading side of a `TieredCache`: `getOrLoad` (with its load policy, tracing, refresh ahead and
 * sliding hits) over the {@link DistributedLoader}, and `getMany(keys, loader)` over one bulk loader
 * call. Arguments are checked here; keys by the cache.
 */
export class TieredLoading<V> {
  readonly loader: DistributedLoader<V>;
  readonly #parts: TieredLoadingParts<V>;
  readonly #bulk: BulkHost<V>;
  // getOrLoad's L1-hit path reads these as own fields.
  readonly #coherence: Coherence<V>;
  readonly #tracing: TierTracing<V> | undefined;
  readonly #policy: LoadTiming;
  readonly #defaultTtlMs: number;

  constructor(parts: TieredLoadingParts<V>) {
    this.#parts = parts;
    this.#coherence = parts.coherence;
    this.#tracing = parts.tracing;
    this.#policy = parts.policy;
    this.#defaultTtlMs = parts.defaultTtlMs;
    const { remote, writer, sliding, defaultTtlMs } = parts;
    const guard = parts.coherence.loads;
    this.loader = new DistributedLoader<V>(
      {
        read: (key, skipL1, fillL1, l1AlreadyMissed) => parts.read(key, skipL1 ? CONSISTENT : undefined, fillL1, l1AlreadyMissed),
        cacheLoaded: async (key, value, entry, fillL1, mark) => {
          const serializer = await remote.serializer();
          const ttlMs = entry.ttlMs ?? defaultTtlMs;
          if (!(await writer.cacheLoaded(key, value, serializer, ttlMs, checkTags(entry.tags), fillL1, entry.graceMs, entry.writtenAt, sliding.slides(entry.sliding), mark))) return false;
          sliding.wrote(key, ttlMs, entry.sliding);
          return true;
        },
        degradable: (err) => writer.degradable(err),
        checkOpen: () => parts.checkOpen(),
        clock: parts.clock,
      },
      { remote, layout: parts.layout, store: parts.store, monitor: parts.monitor, tracer: parts.tracer, namespace: parts.namespace, signal: parts.signal, sliding, guard },
      parts.timing,
    );
    this.#bulk = {
      read: (keys) => parts.reader.getMany(keys),
      cacheLoaded: async (entries, slide, marks) => {
        // In the tick the writes start: an invalidation issued later finds them (see LoadGuard).
        const fresh = entries.filter((e) => !guard.stale(marks.get(e.key)!, e.tags ?? []));
        for (const e of fresh) e.sliding = sliding.slides(slide);
        await writer.setMany(fresh, false);
        for (const e of fresh) sliding.wrote(e.key, e.ttlMs, slide);
      },
      guard,
      serializer: () => remote.serializer(),
      loadStats: this.loader.loadStats,
      running: this.loader.running,
      signal: parts.signal,
      defaultTtlMs,
    };
  }

  get loadStats(): LoadStats {
    return this.loader.loadStats;
  }

  /** Resolves once no load or background refresh of this cache (its L1's included) is running. */
  async settled(): Promise<void> {
    const running = this.loader.running;
    do {
      await running.settled();
      await this.#coherence.l1?.settled();
    } while (running.size > 0);
  }

  /** `getOrLoad` with `key` checked and the cache open. */
  getOrLoad(key: string, loader: Loader<V>, options: TieredGetOrLoadOptions): Promise<V> {
    let policy: LoadTiming;
    try {
      policy = checkGetOrLoad(loader, options, this.#policy);
    } catch (err) {
      return Promise.reject(toError(err));
    }
    const coherence = this.#coherence;
    const l1 = coherence.trusted ? coherence.l1 : undefined;
    const tracing = this.#tracing;
    const defaultTtlMs = this.#defaultTtlMs;
    if (tracing === undefined) return this.loader.getOrLoad(key, loader, options, policy, l1, defaultTtlMs);
    const swr = (options.staleWhileRevalidateMs ?? 0) > 0 && l1 !== undefined;
    return tracing.getOrLoad(
      swr ? undefined : l1,
      swr,
      key,
      (l1Checked) => (swr ? this.loader.getOrLoad(key, loader, options, policy, l1, defaultTtlMs) : this.loader.flight(key, loader, options, policy, l1Checked)),
      (k, hit) => {
        this.onTracedHit(k);
        if (policy.refreshAfterMs > 0) this.loader.refreshHit(k, hit, loader, options, policy);
      },
    );
  }

  /** `getMany(keys, loader, options)` with `keys` checked. */
  getMany(keys: readonly string[], loader: TieredBulkLoader<V>, options: TieredGetManyOptions): Promise<(V | undefined)[]> {
    let policy: LoadTiming;
    try {
      policy = checkGetMany(loader, options, this.#parts.policy);
      this.#parts.checkOpen();
    } catch (err) {
      return Promise.reject(toError(err));
    }
    return loadMany(this.#bulk, keys, loader, options, policy);
  }

  /** An L1 hit answered by the tracing fast path: it slides like any other read. */
  readonly onTracedHit = (key: string): void => {
    const sliding = this.#parts.sliding;
    if (sliding.active) sliding.touch(key);
  };
}
