import type { Labels, MetricSnapshot } from '@patinox/monitor';

/** A point-in-time copy of a {@link SharingMetrics}. */
export interface SharingStats {
  /** Read locks granted and `ConfigData.get()` calls (`SharedData.get()` stays a bare property read, uncounted). */
  readonly reads: number;
  /** Writes of any kind: `makeMut`, `update`, `tryUpdate`, `set`, write locks granted, config updates. */
  readonly writes: number;
  /** Handles made by `cloneRef()`. */
  readonly clones: number;
  /** Copies of the data made by copy-on-write. */
  readonly copies: number;
  /** Writes done in place because the writer held the only reference. */
  readonly exclusiveWrites: number;
  /** Deliveries to subscribers (one per subscriber per delivered version). */
  readonly notifications: number;
  /** Lock calls that had to wait. */
  readonly lockWaits: number;
  /** Lock calls that gave up on `timeoutMs`. */
  readonly lockTimeouts: number;
  /** Lock calls that gave up on their `signal`. */
  readonly lockAborts: number;
  /** Milliseconds since the metrics were created. */
  readonly ageMs: number;
}

/**
 * Plain counters of how shared data is used: reads, writes, clones, copies, in-place writes and
 * notifications. Hot paths add to fields; nothing is computed until {@link SharingMetrics.snapshot}.
 */
export class SharingMetrics {
  reads = 0;
  writes = 0;
  clones = 0;
  copies = 0;
  exclusiveWrites = 0;
  notifications = 0;
  lockWaits = 0;
  lockTimeouts = 0;
  lockAborts = 0;
  readonly #createdAt: number;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#createdAt = now();
  }

  /** Copies the counters. */
  snapshot(): SharingStats {
    return {
      reads: this.reads,
      writes: this.writes,
      clones: this.clones,
      copies: this.copies,
      exclusiveWrites: this.exclusiveWrites,
      notifications: this.notifications,
      lockWaits: this.lockWaits,
      lockTimeouts: this.lockTimeouts,
      lockAborts: this.lockAborts,
      ageMs: this.#now() - this.#createdAt,
    };
  }

  /** The counters as metric snapshots named `patinox_shared_<counter>_total`, for a `MetricsRegistry` collector. */
  collect(labels: Labels = {}): MetricSnapshot[] {
    const counter = (name: string, help: string, value: number): MetricSnapshot => ({
      type: 'counter',
      name: `patinox_shared_${name}_total`,
      help,
      labels,
      value,
    });
    return [
      counter('reads', 'Reads and read locks granted', this.reads),
      counter('writes', 'Writes and write locks granted', this.writes),
      counter('clones', 'Handles made by cloneRef', this.clones),
      counter('copies', 'Copy-on-write copies', this.copies),
      counter('exclusive_writes', 'Writes done in place by the sole holder', this.exclusiveWrites),
      counter('notifications', 'Deliveries to subscribers', this.notifications),
      counter('lock_waits', 'Lock calls that waited', this.lockWaits),
      counter('lock_timeouts', 'Lock calls that timed out', this.lockTimeouts),
      counter('lock_aborts', 'Lock calls aborted by their signal', this.lockAborts),
    ];
  }
}
