import { describeThrown, expectBoolean, expectObject, optional } from '@patinox/errors';
import { histogramSnapshot, type HealthResult, type HistogramSummary, type MetricSnapshot } from '@patinox/monitor';
import type { CacheStats } from '../cache.js';
import type { LoadStats } from '../internal/load-stats.js';
import type { BusState } from './bus.js';
import type { CircuitState } from './circuit-breaker.js';
import type { Coherence } from './coherence.js';
import type { RemoteStats, RemoteTier } from './remote-tier.js';

/** Counters and latency summaries of every tier; see `TieredCache.stats()`. */
export interface TieredCacheStats {
  /** The L1 `Cache` stats, or null without L1. */
  l1: CacheStats | null;
  /** L2 counters of this cache (a region counts its own calls). */
  l2: RemoteStats;
  bus: {
    state: BusState | 'none';
    published: number;
    received: number;
    publishErrors: number;
    disconnects: number;
    /** Sender-to-receiver delay of received invalidations, in ms. */
    lagMs: HistogramSummary;
  };
  circuit: { state: CircuitState | 'disabled'; opens: number };
  /**
   * Stale values served instead of an answer: L1 copies while L2 could not answer, grace copies after a
   * failed or backed-off load, and values handed over at `softTimeoutMs`.
   */
  staleServed: number;
  /** Loader calls that settled (`getOrLoad`, refreshes, and one per `getMany` loader call). */
  loads: number;
  /** Loader calls that threw, rejected or resolved to `undefined`. */
  loadFailures: number;
  /** Sum of the load times, in ms. */
  loadTimeTotalMs: number;
  /** 99th percentile of the last 1024 load times, in ms. */
  loadTimeP99Ms: number;
  /** Writes kept in L1 only because L2 was unavailable (`degradeToL1`). */
  degradedWrites: number;
  /** Times L1 was emptied because coherence could not be guaranteed (bus reconnect, circuit closed). */
  l1Flushes: number;
  store: { writes: number; failures: number };
  locks: { acquired: number; waits: number; timeouts: number };
}

/** Options of `TieredCache.stats()`. */
export interface TieredStatsOptions {
  /** Zero the load figures, `staleServed` and the L2 hit/miss counts after reading them. @default false */
  reset?: boolean;
}

/** The metric snapshots of one cache, labelled with its namespace. */
export function tieredMetrics(namespace: string, remote: RemoteTier, coherence: Coherence<unknown>, loads: LoadStats): MetricSnapshot[] {
  const labels = { namespace };
  const scalar = (name: string, type: 'counter' | 'gauge', value: number, help: string): MetricSnapshot => ({ name, type, value, help, labels });
  const l1 = coherence.l1?.stats();
  const bus = coherence.stats();
  return [
    scalar('patinox_cache_l1_hits_total', 'counter', l1?.hits ?? 0, 'L1 hits'),
    scalar('patinox_cache_l1_misses_total', 'counter', l1?.misses ?? 0, 'L1 misses'),
    scalar('patinox_cache_l1_entries', 'gauge', l1?.size ?? 0, 'L1 entries'),
    scalar('patinox_cache_l2_hits_total', 'counter', remote.hits, 'L2 hits'),
    scalar('patinox_cache_l2_misses_total', 'counter', remote.misses, 'L2 misses'),
    scalar('patinox_cache_l2_errors_total', 'counter', remote.errors, 'L2 calls that failed as unavailable'),
    scalar('patinox_cache_bus_received_total', 'counter', bus.received, 'Invalidations received'),
    scalar('patinox_cache_bus_published_total', 'counter', bus.published, 'Invalidations published'),
    scalar('patinox_cache_l1_flushes_total', 'counter', bus.flushes, 'L1 flushes for coherence'),
    scalar('patinox_cache_circuit_open', 'gauge', remote.circuit === 'open' ? 1 : 0, '1 while the L2 circuit is open'),
    scalar('patinox_cache_loads_total', 'counter', loads.loads, 'Loader calls that settled'),
    scalar('patinox_cache_load_failures_total', 'counter', loads.loadFailures, 'Loader calls that failed'),
    scalar('patinox_cache_load_time_ms_total', 'counter', loads.loadTimeTotalMs, 'Time spent in loaders, in ms'),
    scalar('patinox_cache_load_time_p99_ms', 'gauge', loads.p99(), '99th percentile load time of the last 1024 loads, in ms'),
    scalar('patinox_cache_stale_served_total', 'counter', coherence.staleServed + loads.staleServed, 'Stale values served instead of an answer'),
    histogramSnapshot('patinox_cache_l2_get_ms', remote.getLatency, { help: 'L2 get latency in ms', labels }),
    histogramSnapshot('patinox_cache_l2_set_ms', remote.setLatency, { help: 'L2 set latency in ms', labels }),
    histogramSnapshot('patinox_cache_bus_lag_ms', coherence.lag, { help: 'Invalidation bus lag in ms', labels }),
  ];
}

/** The stats of one cache from its parts; with `reset`, zeroes what {@link resetTieredStats} resets after reading. */
export function tieredStats(
  remote: RemoteTier,
  coherence: Coherence<unknown>,
  loads: LoadStats,
  rest: Pick<TieredCacheStats, 'degradedWrites' | 'store' | 'locks'>,
  options: TieredStatsOptions = {},
): TieredCacheStats {
  expectObject('options', options);
  const reset = optional('reset', options.reset, expectBoolean, false);
  const bus = coherence.stats();
  const stats: TieredCacheStats = {
    // L1's own figures are read and zeroed in the same call, so the snapshot and the reset agree.
    l1: coherence.l1?.stats(reset ? RESET : undefined) ?? null,
    l2: remote.stats(),
    bus: { state: coherence.busState, published: bus.published, received: bus.received, publishErrors: bus.publishErrors, disconnects: bus.disconnects, lagMs: coherence.lag.summary() },
    circuit: { state: remote.circuit, opens: remote.opens },
    staleServed: coherence.staleServed + loads.staleServed,
    loads: loads.loads,
    loadFailures: loads.loadFailures,
    loadTimeTotalMs: loads.loadTimeTotalMs,
    loadTimeP99Ms: loads.p99(),
    degradedWrites: rest.degradedWrites,
    l1Flushes: bus.flushes,
    store: rest.store,
    locks: rest.locks,
  };
  if (reset) resetTieredStats(remote, coherence, loads);
  return stats;
}

const RESET = Object.freeze({ reset: true });

/** Zeroes what `stats({ reset: true })` resets besides L1's own figures: the load figures, `staleServed`, the L2 hit/miss counts. */
export function resetTieredStats(remote: RemoteTier, coherence: Coherence<unknown>, loads: LoadStats): void {
  loads.reset();
  coherence.staleServed = 0;
  remote.hits = 0;
  remote.misses = 0;
}

/** PINGs L2 within `timeoutMs`: `up`, `degraded` (bus disconnected, circuit not closed) or `down`. */
export async function tieredHealth(remote: RemoteTier, coherence: Coherence<unknown>, timeoutMs: number): Promise<HealthResult> {
  const circuit = remote.circuit === 'disabled' ? 'closed' : remote.circuit;
  const bus = coherence.busState;
  try {
    const latencyMs = await remote.ping(timeoutMs);
    const degraded = bus === 'disconnected' || circuit !== 'closed';
    return { status: degraded ? 'degraded' : 'up', details: { latencyMs, bus, circuit } };
  } catch (err) {
    return { status: 'down', details: { reason: describeThrown(err), bus, circuit } };
  }
}
