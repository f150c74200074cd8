import {
  describeValue,
  expectBoolean,
  expectFunction,
  expectNonNegativeInteger,
  expectObject,
  expectPositiveInteger,
  expectString,
  expectTimerMs,
  expectTimerMsOrZero,
  optional,
  readKnownOptions,
} from '@patinox/errors';
import {
  createEvent,
  expectMonitor,
  expectTraceHook,
  histogramSnapshot,
  noopMonitor,
  safeRecord,
  type HealthCheck,
  type HealthResult,
  type MetricSnapshot,
  type Monitor,
  type TraceHook,
} from '@patinox/monitor';
import { RegistryShutdownError } from './errors.js';
import { RESOURCE_EVENTS } from './events.js';
import type { AsyncResourceGuard, CleanupFn } from './guard.js';
import type { CleanupAllOptions, GuardOptions, RegistryOptions, ShutdownOptions } from './options.js';
import { CleanupReports, type CleanupReport } from './internal/cleanup-report.js';
import { CleanupRunner, slotName, type RunnerHost } from './internal/cleanup-runner.js';
import { EPOCH, NARROW_MAX, PAGE_BITS, stateError, typeName, TAKEN, type Final, type Outcome, type Page, type Settleable } from './internal/entry.js';
import { makeGuard } from './internal/guard-factory.js';
import { LeakDetector } from './internal/leak-detector.js';
import { DEFAULT_REGISTRY_KEY, RUN, SETTLE, TAKE, TRACK } from './internal/protocol.js';
import { SlotPages } from './internal/slot-pages.js';
import { TickClock } from './internal/tick-clock.js';
import { DEADLINE_KEYS, InfoFactory, REGISTRY_OPTION_KEYS } from './internal/validate.js';
import { disposerOf } from './internal/disposer.js';
import { listResources, type RegistryStats, type ResourceInfo } from './registry-snapshot.js';

export type { CleanupFailure, CleanupReport } from './internal/cleanup-report.js';
export type { RegistryStats, ResourceInfo } from './registry-snapshot.js';

const DEFAULTS = {
  name: 'default',
  concurrency: 16,
  timeoutMs: 5000,
  maxRetries: 2,
  retryBaseDelayMs: 50,
  retryMaxDelayMs: 1000,
  shutdownDeadlineMs: 10_000,
} as const;

/**
 * Tracks every live resource, cleans up the ones whose guards were dropped, and cleans everything on
 * shutdown. Cleanups from leaks, `forceCleanupAll()` and `shutdown()` run through a priority queue
 * (Critical first) with bounded concurrency; explicit `cleanup()` / `await using` runs at once.
 *
 * The registry orchestrates: its slots live in pages (internal/slot-pages.ts), leaks are found by
 * internal/leak-detector.ts, cleanups run in internal/cleanup-runner.ts, shutdown reports are built by
 * internal/cleanup-report.ts and times come from the cached clock of internal/tick-clock.ts.
 *
 * @example
 * ```ts
 * const registry = new ResourceRegistry({ name: 'http', monitor });
 * const conn = registry.guard(socket, (s) => s.destroy(), { priority: CleanupPriority.High });
 * const report = await registry.shutdown({ deadlineMs: 5000 });
 * ```
 */
export class ResourceRegistry implements AsyncDisposable {
  /** Names the registry in events and metrics. */
  readonly name: string;
  readonly #monitor: Monitor;
  readonly #tracer: TraceHook | undefined;
  readonly #events: boolean;
  readonly #trackStacks: boolean;
  readonly #infos = new InfoFactory();
  // Live resources, struct of arrays in pages (see internal/entry.ts); a slot is (page index << PAGE_BITS) | i.
  readonly #slots = new SlotPages(this);
  readonly #leaks: LeakDetector | undefined;
  readonly #runner: CleanupRunner;
  readonly #reports = new CleanupReports();
  // Creation times and deadline origins, one clock read per macrotask. Ids or times outgrowing the narrow
  // storage are checked per fresh read, not per resource: at most 1024 ids are handed out between two
  // reads and the time only changes there (a wall clock set back before EPOCH widens too: createdAt < 0).
  readonly #ticks = new TickClock({
    onRead: (now) => {
      if (!this.#slots.wide && (now < 0 || now > NARROW_MAX || this.#nextId > NARROW_MAX - 2048)) this.#slots.widen();
    },
    onTick: () => {
      this.#runner.idle();
      this.#leaks?.flush();
    },
  });
  #closed = false;
  #nextId = 1;
  #closing = false;
  #shutdown: Promise<CleanupReport> | undefined;
  // Hot-path counters live in plain fields; metrics and stats read them on demand.
  #active = 0;
  #activeBytes = 0;
  #created = 0;
  #leaked = 0;
  #handedBack = 0;

  /** @throws TypeError / RangeError for an invalid option. */
  constructor(options: RegistryOptions = {}) {
    // Read once into plain data: a bag whose getter or Proxy trap throws is a TypeError naming `options`.
    const o = readKnownOptions('options', options, REGISTRY_OPTION_KEYS);
    this.name = optional('name', o.name, expectString, DEFAULTS.name);
    const monitor = optional('monitor', o.monitor, expectMonitor, noopMonitor);
    this.#monitor = monitor;
    this.#tracer = expectTraceHook('tracer', o.tracer);
    this.#events = monitor !== noopMonitor && optional('resourceEvents', o.resourceEvents, expectBoolean, true);
    this.#trackStacks = optional('trackStacks', o.trackStacks, expectBoolean, false);
    const trackLeaks = optional('trackLeaks', o.trackLeaks, expectBoolean, true);
    this.#runner = new CleanupRunner(this.#host, {
      name: this.name,
      monitor,
      events: this.#events,
      concurrency: optional('concurrency', o.concurrency, expectPositiveInteger, DEFAULTS.concurrency),
      timeoutMs: optional('timeoutMs', o.timeoutMs, expectTimerMs, DEFAULTS.timeoutMs),
      maxRetries: optional('maxRetries', o.maxRetries, expectNonNegativeInteger, DEFAULTS.maxRetries),
      retryBaseDelayMs: optional('retryBaseDelayMs', o.retryBaseDelayMs, expectTimerMsOrZero, DEFAULTS.retryBaseDelayMs),
      retryMaxDelayMs: optional('retryMaxDelayMs', o.retryMaxDelayMs, expectTimerMsOrZero, DEFAULTS.retryMaxDelayMs),
    });
    this.#leaks = trackLeaks ? new LeakDetector(this.#slots, this.#onCollected) : undefined;
  }

  /** True once `shutdown()` was called: new registrations throw `RESOURCE_REGISTRY_SHUTTING_DOWN`. */
  get isShuttingDown(): boolean {
    return this.#closing;
  }

  /** True once `shutdown()` has resolved: the registry is closed and nothing of it holds the event loop. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * A health check in the monitor's shape, for `checkHealth([registry.healthCheck()])`: `down` once
   * `shutdown()` was called, `degraded` while cleanups failed since the previous check or more cleanups
   * wait in the queue than it runs at once, `up` otherwise. Details carry the counts it decided on.
   *
   * @example
   * ```ts
   * const report = await checkHealth([registry.healthCheck()], { timeoutMs: 100 });
   * ```
   */
  healthCheck(): HealthCheck {
    const runner = this.#runner;
    let failedAtLastCheck = runner.failed;
    return {
      name: `resource:${this.name}`,
      check: (): HealthResult => {
        const queued = runner.waiting;
        const newFailures = runner.failed - failedAtLastCheck;
        failedAtLastCheck = runner.failed;
        const details = { active: this.#active, activeBytes: this.#activeBytes, queued, failed: runner.failed, newFailures, leaked: this.#leaked };
        if (this.#closing) return { status: 'down', details: { ...details, reason: 'shut down' } };
        if (newFailures > 0) return { status: 'degraded', details: { ...details, reason: 'cleanups failing' } };
        if (queued > runner.concurrency) return { status: 'degraded', details: { ...details, reason: 'cleanup backlog' } };
        return { status: 'up', details };
      },
    };
  }

  /**
   * Guards `resource` in this registry; same as `guard(resource, cleanup, { ...options, registry: this })`.
   * @throws RegistryShutdownError `RESOURCE_REGISTRY_SHUTTING_DOWN` after `shutdown()`.
   */
  guard<T>(resource: T, cleanup: CleanupFn<T>, options?: Omit<GuardOptions, 'registry'>): AsyncResourceGuard<T> {
    // Read in place, never copied into a bag with `registry` set: a call site guarding many resources
    // allocates nothing for its options (the registry's info cache shares one info between equal bags).
    if (options !== undefined) expectObject('options', options);
    return makeGuard(this, resource, cleanup, options);
  }

  /**
   * Tracks anything that implements `Symbol.asyncDispose` or `Symbol.dispose` (a pooled connection, a
   * mapping, a cache) without depending on its package; cleanup calls that method.
   * @throws TypeError when `disposable` implements neither.
   */
  adopt<T extends AsyncDisposable | Disposable>(disposable: T, options?: Omit<GuardOptions, 'registry'>): AsyncResourceGuard<T> {
    const dispose = disposerOf(disposable);
    if (dispose === undefined) {
      throw new TypeError(`Expected \`disposable\` to implement Symbol.asyncDispose or Symbol.dispose, got ${describeValue(disposable)}`);
    }
    return this.guard(disposable, dispose, options);
  }

  /** Every live resource, oldest first. */
  list(): ResourceInfo[] {
    return listResources(this.#slots);
  }

  /** Counters since creation and the cleanup duration summary. */
  stats(): RegistryStats {
    return {
      active: this.#active,
      activeBytes: this.#activeBytes,
      created: this.#created,
      cleaned: this.#runner.cleaned,
      failed: this.#runner.failed,
      timedOut: this.#runner.timedOut,
      leaked: this.#leaked,
      retried: this.#runner.retried,
      handedBack: this.#handedBack,
      queued: this.#runner.queued,
      isShuttingDown: this.#closing,
      cleanupDurationMs: this.#runner.durations.summary(),
    };
  }

  /** Snapshots for a `MetricsRegistry`: `registry.addCollector(() => resources.collectMetrics())`. */
  collectMetrics(): MetricSnapshot[] {
    const labels = { registry: this.name };
    const scalar = (name: string, type: 'counter' | 'gauge', value: number, help: string): MetricSnapshot => ({ type, name, help, labels, value });
    return [
      scalar('patinox_resource_active', 'gauge', this.#active, 'Live tracked resources'),
      scalar('patinox_resource_active_bytes', 'gauge', this.#activeBytes, 'Bytes held by live tracked resources'),
      scalar('patinox_resource_created_total', 'counter', this.#created, 'Resources registered'),
      scalar('patinox_resource_cleaned_total', 'counter', this.#runner.cleaned, 'Cleanups that succeeded'),
      scalar('patinox_resource_failed_total', 'counter', this.#runner.failed, 'Cleanups that failed for good, timeouts included'),
      scalar('patinox_resource_timed_out_total', 'counter', this.#runner.timedOut, 'Cleanups that timed out'),
      scalar('patinox_resource_leaked_total', 'counter', this.#leaked, 'Guards collected without cleanup'),
      scalar('patinox_resource_retried_total', 'counter', this.#runner.retried, 'Cleanup retry attempts'),
      scalar('patinox_resource_handed_back_total', 'counter', this.#handedBack, 'Resources taken back with intoInner'),
      histogramSnapshot('patinox_resource_cleanup_duration_ms', this.#runner.durations, { help: 'Cleanup duration, retries included', labels }),
    ];
  }

  /**
   * Cleans every live resource now through the queue (Critical first, newest first within a priority),
   * waits for them (or until `deadlineMs`) and reports what could not be cleaned. Never rejects.
   * The registry stays open; use `shutdown()` to also refuse new resources.
   */
  forceCleanupAll(options: CleanupAllOptions = {}): Promise<CleanupReport> {
    const deadlineMs = optional('deadlineMs', readKnownOptions('options', options, DEADLINE_KEYS).deadlineMs, expectTimerMs, undefined);
    return this.#reports.run(this.#slots, this.#runner, deadlineMs);
  }

  /**
   * Refuses new resources (`RESOURCE_REGISTRY_SHUTTING_DOWN`), cleans everything by priority, waits up to
   * `deadlineMs`, then resolves with what could not be cleaned (names, reasons). Idempotent: later calls
   * return the first call's report. Never rejects.
   */
  shutdown(options: ShutdownOptions = {}): Promise<CleanupReport> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    const deadlineMs = optional('deadlineMs', readKnownOptions('options', options, DEADLINE_KEYS).deadlineMs, expectTimerMs, DEFAULTS.shutdownDeadlineMs);
    this.#closing = true;
    safeRecord(this.#monitor, createEvent(RESOURCE_EVENTS.shutdownStarted, this.name, { active: this.#active, deadlineMs }));
    const tracer = this.#tracer;
    const run =
      tracer === undefined
        ? this.#reports.run(this.#slots, this.#runner, deadlineMs)
        : tracer.span('resource.shutdown', { 'resource.registry': this.name, 'resource.active': this.#active }, async (span) => {
            const report = await this.#reports.run(this.#slots, this.#runner, deadlineMs, tracer);
            span.setAttribute('resource.cleaned', report.cleaned);
            span.setAttribute('resource.failed', report.failures.length);
            span.setAttribute('resource.complete', report.complete);
            return report;
          });
    this.#shutdown = run.then((report) => {
      // Cleanups that outlived the deadline keep running, but nothing of ours may hold the event loop now.
      this.#runner.detach();
      this.#leaks?.close();
      this.#closed = true;
      safeRecord(
        this.#monitor,
        createEvent(RESOURCE_EVENTS.shutdownCompleted, this.name, {
          cleaned: report.cleaned,
          handedBack: report.handedBack,
          complete: report.complete,
          durationMs: report.durationMs,
          failures: report.failures.map((f) => ({ id: f.id, name: f.name, code: f.code, reason: f.reason })),
        }),
      );
      return report;
    });
    return this.#shutdown;
  }

  /** `await using registry = new ResourceRegistry()` shuts it down with the default deadline. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  /** @internal Registers a resource for `guard` and returns its page, with the slot's index in `page.tracked`. */
  [TRACK](guard: object, resource: unknown, cleanup: unknown, options: GuardOptions | undefined): Page {
    expectFunction('cleanup', cleanup);
    let stack: { stack?: string } | undefined;
    if (this.#trackStacks) {
      stack = {};
      // Captured now, formatted only if someone reads it (a leak report, list()).
      Error.captureStackTrace(stack, guard.constructor);
    }
    const info = this.#infos.make(options, stack);
    if (this.#closing) {
      throw new RegistryShutdownError(`Registry "${this.name}" is shutting down and takes no new resources`, {
        context: { registry: this.name, name: info.name ?? typeName(resource) },
      });
    }
    const id = this.#nextId++;
    const now = this.#ticks.timestamp();
    const page = this.#slots.allocate();
    const i = page.tracked;
    page.ids[i] = id;
    page.created[i] = now;
    page.resources[i] = resource;
    page.fns[i] = cleanup;
    page.infos[i] = info;
    page.refs[i] = guard;
    this.#active += 1;
    this.#created += 1;
    this.#activeBytes += info.sizeBytes;
    this.#leaks?.created((page.index << PAGE_BITS) | i);
    if (this.#events) safeRecord(this.#monitor, createEvent(RESOURCE_EVENTS.created, this.name, { id, name: info.name ?? typeName(resource) }));
    return page;
  }

  /** @internal Starts the slot's cleanup, or joins the run already started. Never throws. */
  [RUN](page: Page, i: number, guard: object): Outcome {
    return this.#runner.run(page, i, guard);
  }

  /** @internal Hands the resource back without cleanup. */
  [TAKE](page: Page, i: number, guard: object): unknown {
    if (typeof page.fns[i] !== 'function') throw stateError(page.ids[i]!, false, 'take');
    const resource = page.resources[i];
    this.#handedBack += 1;
    this.#release(page, i, TAKEN, guard);
    return resource;
  }

  /** What the cleanup runner calls back into; one object for the registry's life, so runs allocate nothing for it. */
  readonly #host: RunnerHost = {
    release: (page, i, final, guard) => this.#release(page, i, final, guard),
    clockNow: () => this.#ticks.monotonic(),
    holdTick: () => this.#ticks.hold(),
  };

  /** A guard was collected while its resource was active: report the leak and clean it through the queue. */
  readonly #onCollected = (page: Page, i: number): void => {
    const id = page.ids[i]!;
    const info = page.infos[i]!;
    this.#leaked += 1;
    const data: Record<string, unknown> = { id, name: slotName(page, i), ageMs: Date.now() - EPOCH - page.created[i]! };
    if (info.stack !== undefined) data.stack = info.stack.stack;
    safeRecord(this.#monitor, createEvent(RESOURCE_EVENTS.leaked, this.name, data));
    void this.#runner.enqueue(page, i, id, info.priority);
  };

  /**
   * Frees a finished slot (so a guard kept alive does not keep the resource) and hands its final state to
   * the guard and to running reports. `guard` is the slot's guard when the caller has it.
   */
  #release(page: Page, i: number, final: Final, guard: object | undefined): void {
    const id = page.ids[i]!;
    const ref = page.refs[i];
    this.#active -= 1;
    this.#activeBytes -= page.infos[i]!.sizeBytes;
    let target = guard;
    // refs[i] is the guard itself (nursery, or trackLeaks off), its WeakRef, or nothing after a leak.
    if (ref !== guard && ref !== undefined) {
      if (ref instanceof WeakRef) {
        this.#leaks?.forgetWeak();
        target ??= ref.deref();
      } else target = ref;
    }
    if (this.#reports.watching) this.#reports.record(id, final);
    page.resources[i] = undefined;
    page.fns[i] = undefined;
    page.infos[i] = undefined;
    page.refs[i] = undefined;
    this.#slots.free(page, i);
    if (target !== undefined) (target as Settleable)[SETTLE](final, id);
  }
}

let cachedDefault: ResourceRegistry | undefined;

/**
 * The process-wide registry that guards use when no `registry` option is given, created on first use.
 * Shared by the ESM and CJS copies of this package (kept under a `Symbol.for` key on `globalThis`).
 */
export function defaultRegistry(): ResourceRegistry {
  if (cachedDefault !== undefined) return cachedDefault;
  const holder = globalThis as unknown as Record<symbol, ResourceRegistry | undefined>;
  cachedDefault = holder[DEFAULT_REGISTRY_KEY] ??= new ResourceRegistry({ name: DEFAULTS.name });
  return cachedDefault;
}
