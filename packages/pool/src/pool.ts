import {
  expectFunction,
  expectSignal,
  expectTimerMsOrZero,
  optional,
  readKnownOptions,
} from '@patinox/errors';
import { histogramSnapshot, type HealthCheck, type HealthResult, type Histogram, type MetricSnapshot, type TraceHook } from '@patinox/monitor';
import type { ConnectionManager } from './connection-manager.js';
import { PoolCore } from './internal/core.js';
import { PoolControl } from './internal/pool-control.js';
import type { CloseReport, PoolStats } from './stats.js';
import { checkSizes, expectDelayMs, expectMaxSize, expectMinSize, resolveOptions } from './internal/resolve-options.js';
import type { AcquireOptions, CloseOptions, DrainOptions, PoolOptions, ReadyOptions, ResizeOptions } from './options.js';
import { releaseSuspect, type PooledConnection } from './pooled-connection.js';

export type { CloseReport, LeakReport, PoolStats } from './stats.js';

/**
 * An async pool of connections made by a {@link ConnectionManager}: lends them to callers, queues callers
 * fairly when all are busy, and never leaves one waiting past its deadline.
 *
 * @example
 * ```ts
 * const pool = new Pool(manager, { maxSize: 20, acquireTimeoutMs: 2000 });
 * const rows = await pool.use((client) => client.query('SELECT 1'));
 * await pool.close();
 * ```
 */
export class Pool<C> implements AsyncDisposable {
  readonly #core: PoolCore<C>;
  readonly #control: PoolControl<C>;
  readonly #tracer: TraceHook | undefined;
  readonly #spanAttributes: { 'pool.name': string };

  /**
   * Starts opening `minSize` connections at once (in the background).
   * @throws TypeError / RangeError for a malformed manager or option, and TypeError for an unknown option key.
   */
  constructor(manager: ConnectionManager<C>, options: PoolOptions = {}) {
    const resolved = resolveOptions(manager, options);
    this.#tracer = resolved.tracer;
    this.#spanAttributes = { 'pool.name': resolved.name };
    this.#core = new PoolCore(this.#tracer === undefined ? manager : tracedManager(manager, this.#tracer, this.#spanAttributes), resolved);
    this.#control = new PoolControl(this.#core);
  }

  /** The pool's name, as given in the options. */
  get name(): string {
    return this.#core.name;
  }

  /** True once `close()` was called (the pool refuses new acquires from then on). */
  get closed(): boolean {
    return this.#core.closed;
  }

  /** True between `suspend()` and `resume()`. */
  get suspended(): boolean {
    return this.#control.gate.suspended;
  }

  /** True from `drain()` until `resume()` or `close()`. */
  get draining(): boolean {
    return this.#control.gate.draining;
  }

  /**
   * Resolves once `initialSize` connections have been created (at once when `initialSize` is 0 or was
   * reached). With `failFast` the first failed create rejects it instead of the pool retrying silently.
   * A rejection leaves the pool as it is: it keeps retrying in the background until closed.
   * @throws {PoolTimeoutError} `POOL_TIMEOUT` (phase `connect`, the last create error as cause) past `timeoutMs`.
   * @throws {PoolStartupError} `POOL_STARTUP_FAILED` with `failFast`, the create error as cause.
   * @throws {PoolManagerError} `POOL_MANAGER_ERROR` when `create` failed with a PatinoxError of recovery `fail`.
   * @throws {PoolClosedError} `POOL_CLOSED` when the pool closes first.
   * @throws `signal.reason` when `signal` aborts first.
   *
   * @example
   * ```ts
   * const pool = new Pool(manager, { initialSize: 5, failFast: true });
   * await pool.ready({ signal: AbortSignal.timeout(5000) });
   * ```
   */
  ready(options: ReadyOptions = {}): Promise<void> {
    const bag = readKnownOptions('options', options, ['signal', 'timeoutMs']);
    const signal = optional('signal', bag.signal, expectSignal, undefined);
    const timeoutMs = optional('timeoutMs', bag.timeoutMs, expectDelayMs, undefined);
    return this.#control.ready(timeoutMs, signal);
  }

  /**
   * Pauses lending (HikariCP's `suspendPool`): new and queued acquires wait (their deadlines still run),
   * loans finish normally and come back as idle. A second call is a no-op.
   * @throws {PoolClosedError} `POOL_CLOSED` after `close()`.
   */
  suspend(): void {
    this.#control.gate.suspend();
  }

  /**
   * Ends `suspend()` and `drain()`: waiting callers are served at once and new acquires are accepted.
   * A no-op when neither is in effect.
   * @throws {PoolClosedError} `POOL_CLOSED` after `close()`.
   */
  resume(): void {
    this.#control.gate.resume();
  }

  /**
   * Destroys every idle connection now (`minSize` is refilled with new ones); borrowed ones are untouched.
   * Returns how many were destroyed.
   * @throws {PoolClosedError} `POOL_CLOSED` after `close()`.
   */
  evictIdle(): number {
    return this.#control.evictIdle();
  }

  /**
   * Retires every connection when it is next idle (HikariCP's `softEvictConnections`): idle ones at once,
   * borrowed, checked or still connecting ones when they come back; new connections replace them. Use it
   * after a failover or a credential rotation. Returns how many were destroyed or marked.
   * @throws {PoolClosedError} `POOL_CLOSED` after `close()`.
   */
  softEvictAll(): number {
    return this.#control.softEvictAll();
  }

  /**
   * Stops new loans (acquires reject with `POOL_DRAINING`), serves the callers already queued, and
   * resolves once every loan has come back, without closing: idle connections stay open. `resume()`
   * reopens the pool; `close()` ends it. Calling it again returns when the same condition holds.
   * @throws {PoolClosedError} `POOL_CLOSED` after `close()`.
   * @throws `signal.reason` when `signal` aborts first (the pool stays draining).
   */
  drain(options: DrainOptions = {}): Promise<void> {
    const bag = readKnownOptions('options', options, ['signal']);
    return this.#control.gate.drain(optional('signal', bag.signal, expectSignal, undefined));
  }

  /** The live acquire-wait histogram, in ms (0 for callers served from the idle stack). */
  get acquireWaitHistogram(): Histogram {
    return this.#control.waitHistogram;
  }

  /**
   * Borrows a connection: an idle one at once, else a new one, else the next one released.
   * @throws {PoolTimeoutError} `POOL_TIMEOUT` when the deadline passes (queue or connect; the cause says why).
   * @throws {PoolClosedError} `POOL_CLOSED` during or after `close()`.
   * @throws {PoolQueueFullError} `POOL_QUEUE_FULL` when `maxWaiters` callers already wait.
   * @throws {PoolManagerError} `POOL_MANAGER_ERROR` when `create` failed with a PatinoxError of recovery `fail`.
   * @throws {PoolDrainingError} `POOL_DRAINING` during or after `drain()`, until `resume()`.
   * @throws `signal.reason` when `signal` aborts first.
   * @throws TypeError / RangeError for a malformed option (a `priority` that is not a safe integer).
   */
  acquire(options?: AcquireOptions): Promise<PooledConnection<C>> {
    return this.#tracer === undefined ? this.#core.acquire(options) : this.#tracedAcquire(this.#tracer, options);
  }

  /**
   * Runs `fn` with a borrowed connection and releases it however `fn` ends. A connection whose `fn`
   * threw is validated before its next loan (when `validateOnBorrow` is on).
   * @throws TypeError when `fn` is not a function, and TypeError / RangeError for a malformed option: at
   * once, as `acquire` throws them, before a connection is borrowed.
   * @throws the errors of {@link Pool.acquire} and whatever `fn` throws, as a rejection.
   */
  use<T>(fn: (connection: C) => T | Promise<T>, options?: AcquireOptions): Promise<T> {
    expectFunction('fn', fn);
    return this.#use(fn, this.acquire(options));
  }

  async #use<T>(fn: (connection: C) => T | Promise<T>, acquired: Promise<PooledConnection<C>>): Promise<T> {
    const loan = await acquired;
    let result: T;
    try {
      result = await fn(loan.connection);
    } catch (error) {
      releaseSuspect(loan);
      throw error;
    }
    loan.release();
    return result;
  }

  /**
   * Closes the pool: queued and new acquires reject with `POOL_CLOSED` at once, idle connections are
   * destroyed, borrowed ones are destroyed when released or, after `deadlineMs`, reported as leaked
   * (with their acquire stacks when `leakDetectionMs` is set) and destroyed. Calling it again returns
   * the same promise.
   */
  close(options: CloseOptions = {}): Promise<CloseReport> {
    const { deadlineMs: raw } = readKnownOptions('options', options, ['deadlineMs']);
    const deadlineMs = optional('deadlineMs', raw, expectTimerMsOrZero, 10_000);
    return this.#control.close(deadlineMs);
  }

  /** Same as `close()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Changes `minSize` and/or `maxSize`. Growing serves waiters at once; shrinking destroys surplus idle
   * connections now and surplus borrowed ones when they are released.
   * @throws {PoolClosedError} `POOL_CLOSED` after `close()`.
   */
  resize(options: ResizeOptions): void {
    const bag = readKnownOptions('options', options, ['minSize', 'maxSize']);
    const minSize = optional('minSize', bag.minSize, expectMinSize, this.#core.minSize);
    const maxSize = optional('maxSize', bag.maxSize, expectMaxSize, this.#core.maxSize);
    checkSizes(minSize, maxSize);
    this.#control.resize(minSize, maxSize);
  }

  #tracedAcquire(tracer: TraceHook, options: AcquireOptions | undefined): Promise<PooledConnection<C>> {
    // Read before the span: a malformed option throws at once, as without a tracer, and records no span.
    const request = options === undefined ? undefined : this.#core.readAcquireOptions(options);
    return tracer.span('pool.acquire', this.#spanAttributes, () => this.#core.acquireRequest(request));
  }

  /**
   * A health check in the monitor's shape, for `checkHealth([pool.healthCheck()])`: `down` once closed or
   * while no connection can be opened (creates keep failing and none is open), `degraded` while creates
   * fail but connections remain, or callers wait with every connection borrowed; `up` otherwise. Details
   * carry the counts it decided on.
   *
   * @example
   * ```ts
   * const report = await checkHealth([pool.healthCheck()], { timeoutMs: 100 });
   * ```
   */
  healthCheck(): HealthCheck {
    return {
      name: `pool:${this.#core.name}`,
      check: (): HealthResult => {
        const s = this.#control.stats();
        const failures = this.#control.consecutiveCreateFailures;
        const details = { size: s.size, idle: s.idle, borrowed: s.borrowed, waiting: s.waiting, maxSize: s.maxSize, createFailures: failures };
        if (s.closed) return { status: 'down', details: { ...details, reason: 'closed' } };
        if (failures > 0 && s.size - s.pendingCreates <= 0) return { status: 'down', details: { ...details, reason: 'cannot create connections' } };
        if (failures > 0) return { status: 'degraded', details: { ...details, reason: 'creates failing' } };
        if (s.waiting > 0 && s.idle === 0 && s.size >= s.maxSize) return { status: 'degraded', details: { ...details, reason: 'saturated' } };
        return { status: 'up', details };
      },
    };
  }

  /** Counts, waits and utilization at this moment. */
  stats(): PoolStats {
    return this.#control.stats();
  }

  /** The pool's metrics, for `MetricsRegistry.addCollector(() => pool.collectMetrics())`. */
  collectMetrics(): MetricSnapshot[] {
    const s = this.#control.stats();
    const labels = { pool: this.#core.name };
    const gauge = (name: string, help: string, value: number): MetricSnapshot => ({ type: 'gauge', name, help, labels, value });
    const counter = (name: string, help: string, value: number): MetricSnapshot => ({ type: 'counter', name, help, labels, value });
    return [
      gauge('pool_size', 'Connections open or opening', s.size),
      gauge('pool_idle', 'Idle connections', s.idle),
      gauge('pool_borrowed', 'Borrowed connections', s.borrowed),
      gauge('pool_waiting', 'Callers waiting for a connection', s.waiting),
      gauge('pool_pending_creates', 'Creates in flight', s.pendingCreates),
      gauge('pool_utilization', 'Borrowed / maxSize', s.utilization),
      counter('pool_acquired_total', 'Successful acquires', s.acquired),
      counter('pool_created_total', 'Connections created', s.created),
      counter('pool_destroyed_total', 'Connections destroyed', s.destroyed),
      counter('pool_timeouts_total', 'Acquires that timed out', s.timeouts),
      counter('pool_aborted_total', 'Acquires aborted by their signal', s.aborted),
      counter('pool_create_errors_total', 'Failed creates', s.createErrors),
      counter('pool_validation_failures_total', 'Connections that failed isValid', s.validationFailures),
      counter('pool_validation_timeouts_total', 'isValid/recycle calls abandoned after validationTimeoutMs', s.validationTimeouts),
      counter('pool_destroy_timeouts_total', 'destroy calls abandoned after destroyTimeoutMs', s.destroyTimeouts),
      counter('pool_double_releases_total', 'Ignored second releases', s.doubleReleases),
      counter('pool_evicted_total', 'Connections destroyed or retired by evictIdle/softEvictAll', s.evicted),
      histogramSnapshot('pool_acquire_wait_ms', this.#control.waitHistogram, { help: 'Acquire wait in ms', labels }),
    ];
  }
}

/** `manager` with each `create` inside a `pool.connect` span (only built when a tracer is set). */
function tracedManager<C>(manager: ConnectionManager<C>, tracer: TraceHook, attributes: { 'pool.name': string }): ConnectionManager<C> {
  const traced: ConnectionManager<C> = {
    create: (signal) => tracer.span('pool.connect', attributes, () => manager.create(signal)),
    isValid: (connection) => manager.isValid(connection),
    destroy: (connection) => manager.destroy(connection),
  };
  if (manager.recycle !== undefined) traced.recycle = (connection) => manager.recycle!(connection);
  if (manager.watch !== undefined) traced.watch = (connection, onError) => manager.watch!(connection, onError);
  if (manager.connectTimeoutMs !== undefined) (traced as { connectTimeoutMs?: number }).connectTimeoutMs = manager.connectTimeoutMs;
  return traced;
}
