import { expectTimerMs } from '@patinox/errors';
import type { HealthCheck, HealthResult, MetricSnapshot } from '@patinox/monitor';
import type { Coherence } from './coherence.js';
import type { RemoteTier } from './remote-tier.js';
import type { TieredLoading } from './tiered-loading.js';
import { tieredHealth, tieredMetrics, tieredStats, type TieredCacheStats, type TieredStatsOptions } from './tiered-stats.js';
import type { TierWriter } from './writer.js';
import type { WriteThrough } from './write-through.js';

/** The parts of one `TieredCache` its stats, metrics and health read. */
export interface ObservedParts<V> {
  namespace: string;
  remote: RemoteTier;
  coherence: Coherence<V>;
  loading: TieredLoading<V>;
  writer: TierWriter<V>;
  store: WriteThrough<V>;
}

/**
 * Stats, metrics and health of one `TieredCache` (a region has its own): which part's counters feed
 * which figure. The figures themselves are computed in tiered-stats.ts.
 */
export class TierObserver<V> {
  readonly #parts: ObservedParts<V>;

  constructor(parts: ObservedParts<V>) {
    this.#parts = parts;
  }

  stats(options: TieredStatsOptions): TieredCacheStats {
    const { remote, coherence, loading, writer, store } = this.#parts;
    const rest = { degradedWrites: writer.degradedWrites, store: store.stats(), locks: loading.loader.stats() };
    return tieredStats(remote, coherence as Coherence<unknown>, loading.loadStats, rest, options);
  }

  metrics(): MetricSnapshot[] {
    const { namespace, remote, coherence, loading } = this.#parts;
    return tieredMetrics(namespace, remote, coherence as Coherence<unknown>, loading.loadStats);
  }

  /** @throws TypeError / RangeError unless `timeoutMs` is a valid timer delay. */
  healthCheck(timeoutMs: number): HealthCheck {
    expectTimerMs('timeoutMs', timeoutMs);
    return { name: `cache.tiered:${this.#parts.namespace}`, check: () => this.health(timeoutMs) };
  }

  /** @throws TypeError / RangeError unless `timeoutMs` is a valid timer delay. */
  health(timeoutMs: number): Promise<HealthResult> {
    expectTimerMs('timeoutMs', timeoutMs);
    return tieredHealth(this.#parts.remote, this.#parts.coherence as Coherence<unknown>, timeoutMs);
  }
}
