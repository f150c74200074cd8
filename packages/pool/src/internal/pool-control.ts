import type { Histogram } from '@patinox/monitor';
import { PoolClosedError } from '../errors.js';
import { POOL_EVENTS } from '../events.js';
import type { CloseReport, PoolStats } from '../stats.js';
import type { PoolCore } from './core.js';
import type { CoreParts } from './core-parts.js';
import { GATE_DRAINING, GATE_SUSPENDED, type Gate } from './gate.js';

/**
 * The operations on a pool that are not lending: waiting for readiness, eviction, resize, close, and what
 * `stats()` reads. They run rarely, next to {@link PoolCore}'s acquire/release path, and drive its parts.
 */
export class PoolControl<C> {
  readonly #core: PoolCore<C>;
  readonly #parts: CoreParts<C>;
  #closing: Promise<CloseReport> | undefined = undefined;
  // Connections destroyed or retired by evictIdle() / softEvictAll().
  #evicted = 0;

  constructor(core: PoolCore<C>) {
    this.#core = core;
    this.#parts = core.parts;
  }

  /** Resolves once `initialSize` connections were created (see `Readiness`). */
  ready(timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (this.#core.closed) return Promise.reject(new PoolClosedError(this.#core.name));
    return this.#parts.readiness.wait(timeoutMs, signal);
  }

  /** See {@link Gate}. */
  get gate(): Gate {
    return this.#parts.gate;
  }

  /** Destroys every idle connection now (then refills `minSize`); returns how many. */
  evictIdle(): number {
    const core = this.#core;
    if (core.closed) throw new PoolClosedError(core.name);
    const { slots, destroyer } = this.#parts;
    const evicted = slots.idleCount;
    slots.takeOldestIdle(evicted, (slot) => destroyer.slot(slot, 'evicted'));
    this.#evicted += evicted;
    core.dispatch();
    return evicted;
  }

  /** Destroys the idle connections and retires every other one when it is next idle; returns how many. */
  softEvictAll(): number {
    const evicted = this.evictIdle();
    const retired = this.#parts.slots.retireInUse();
    this.#evicted += retired;
    return evicted + retired;
  }

  close(deadlineMs: number): Promise<CloseReport> {
    if (this.#closing !== undefined) return this.#closing;
    const core = this.#core;
    const { gate, maintenance, waits, waiters, readiness, connector, slots, destroyer, closer } = this.#parts;
    core.markClosed();
    // Ends any drain() still waiting: nothing is lent any more.
    gate.close();
    maintenance.stop();
    waits.stop();
    const closedError = new PoolClosedError(core.name);
    waiters.rejectAll(() => new PoolClosedError(core.name));
    readiness.reject(() => new PoolClosedError(core.name));
    connector.stop(closedError);
    slots.takeOldestIdle(slots.idleCount, (slot) => destroyer.slot(slot, 'closed'));
    this.#closing = closer.finish(performance.now() + deadlineMs);
    return this.#closing;
  }

  resize(minSize: number, maxSize: number): void {
    const core = this.#core;
    if (core.closed) throw new PoolClosedError(core.name);
    const from = { minSize: core.minSize, maxSize: core.maxSize };
    core.setSizes(minSize, maxSize);
    // Shrink through the idle connections first, longest idle first; borrowed ones go on release.
    const { slots, destroyer } = this.#parts;
    slots.takeOldestIdle(slots.size - maxSize, (slot) => destroyer.slot(slot, 'resize'));
    this.#parts.reporter.event(POOL_EVENTS.resized, { from, to: { minSize, maxSize } });
    core.dispatch();
  }

  get waitHistogram(): Histogram {
    return this.#parts.waits.histogram;
  }

  /** Consecutive failed creates since the last success; the health check reads it. */
  get consecutiveCreateFailures(): number {
    return this.#parts.connector.failures;
  }

  stats(): PoolStats {
    const core = this.#core;
    const { slots, validator, waiters, connector, destroyer, gate, supply } = this.#parts;
    const wait = this.#parts.waits.histogram;
    const counts = core.counts();
    const borrowed = slots.loaned + validator.checking;
    return {
      size: slots.size,
      idle: slots.idleCount,
      borrowed,
      waiting: waiters.size,
      pendingCreates: connector.pending,
      minSize: core.minSize,
      maxSize: core.maxSize,
      created: supply.created,
      destroyed: destroyer.count,
      acquired: counts.acquired,
      timeouts: counts.timeouts,
      aborted: counts.aborted,
      createErrors: supply.createErrors,
      validationFailures: validator.failures,
      validationTimeouts: validator.timeouts,
      destroyTimeouts: destroyer.timeouts,
      doubleReleases: counts.doubleReleases,
      evicted: this.#evicted,
      acquireWait: {
        count: wait.count,
        mean: wait.count === 0 ? 0 : wait.sum / wait.count,
        p50: wait.percentile(0.5),
        p95: wait.percentile(0.95),
        p99: wait.percentile(0.99),
        max: wait.max,
      },
      utilization: borrowed / core.maxSize,
      suspended: (gate.bits & GATE_SUSPENDED) !== 0,
      draining: (gate.bits & GATE_DRAINING) !== 0,
      closed: core.closed,
    };
  }
}
