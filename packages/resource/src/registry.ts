import {
  backoffDelay,
  describeThrown,
  describeValue,
  expectBoolean,
  isThenable,
  expectNonNegativeInteger,
  expectObject,
  expectPositiveInteger,
  expectString,
  expectTimerMs,
  expectTimerMsOrZero,
  isPatinoxError,
  optional,
} from '@patinox/errors';
import {
  Histogram,
  createEvent,
  expectMonitor,
  histogramSnapshot,
  noopMonitor,
  safeRecord,
  type HealthCheck,
  type HealthResult,
  type HistogramSummary,
  type MetricSnapshot,
  type Monitor,
} from '@patinox/monitor';
import PQueue from 'p-queue';
import type { AsyncResourceGuard, CleanupFn } from './guard.js';
import { makeGuard } from './internal/guard-factory.js';
import {
  RESOURCE_CLEANUP_DEADLINE_EXCEEDED,
  RESOURCE_CLEANUP_FAILED,
  RESOURCE_CLEANUP_TIMEOUT,
  CleanupError,
  RegistryShutdownError,
  type CleanupErrorCode,
} from './errors.js';
import { RESOURCE_EVENTS } from './events.js';
import type { CleanupAllOptions, GuardOptions, RegistryOptions, ShutdownOptions } from './options.js';
import type { CleanupPriority } from './priority.js';
import {
  CLEANED,
  EPOCH,
  NARROW_MAX,
  PAGE_BITS,
  PAGE_MASK,
  PAGE_SIZE,
  Page,
  RUNNING,
  TAKEN,
  stateError,
  typeName,
  type Final,
  type Outcome,
  type Settleable,
} from './internal/entry.js';
import { DEFAULT_REGISTRY_KEY, RUN, SETTLE, TAKE, TRACK } from './internal/protocol.js';
import { DeadlineQueue } from './internal/deadlines.js';

import { InfoFactory } from './internal/validate.js';

/** What `list()` reports for one live resource. */
export interface ResourceInfo {
  /** Registry-unique, increasing id. */
  readonly id: number;
  /** `options.name`, or the type name. */
  readonly name: string;
  /** The resource's constructor name (or `typeof`). */
  readonly typeName: string;
  /** Creation time, ms since the epoch. */
  readonly createdAt: number;
  readonly sizeBytes: number;
  readonly priority: CleanupPriority;
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
  /** `cleaning` while its cleanup runs (it stays listed until the cleanup settles). */
  readonly state: 'active' | 'cleaning';
  /** Creation stack, when the registry tracks stacks. */
  readonly stack?: string;
}

/** Counters of a registry since it was created; see `stats()`. */
export interface RegistryStats {
  /** Live resources, including those whose cleanup is running. */
  readonly active: number;
  /** Sum of `sizeBytes` of live resources. */
  readonly activeBytes: number;
  readonly created: number;
  /** Cleanups that succeeded. */
  readonly cleaned: number;
  /** Cleanups that failed for good (timeouts included). */
  readonly failed: number;
  /** Of `failed`, those that timed out. */
  readonly timedOut: number;
  /** Guards collected without cleanup (their resources were then cleaned by the queue). */
  readonly leaked: number;
  /** Retry attempts made. */
  readonly retried: number;
  /** Resources handed back by `intoInner()`. */
  readonly handedBack: number;
  /** Cleanups waiting in or running from the queue. */
  readonly queued: number;
  readonly isShuttingDown: boolean;
  /**
   * Duration of finished cleanups (retries included), ms, sampled: 1 cleanup in 16 is timed, because a
   * clock read can cost as much as the rest of a round trip. `count` is therefore about `(cleaned + failed) / 16`.
   */
  readonly cleanupDurationMs: HistogramSummary;
}

/** One resource that `forceCleanupAll()` or `shutdown()` could not clean. */
export interface CleanupFailure {
  readonly id: number;
  readonly name: string;
  readonly code: CleanupErrorCode;
  /** The error's message, for logs. */
  readonly reason: string;
  readonly error: CleanupError;
}

/** Result of `forceCleanupAll()` and `shutdown()`. */
export interface CleanupReport {
  /** Resources of this run that ended cleaned (by this run or concurrently by their owner). */
  readonly cleaned: number;
  /** Resources of this run handed back by `intoInner()` before their turn. */
  readonly handedBack: number;
  /** What could not be cleaned, with names and reasons; empty when `complete`. */
  readonly failures: readonly CleanupFailure[];
  readonly complete: boolean;
  readonly durationMs: number;
}

const DEFAULTS = {
  name: 'default',
  concurrency: 16,
  timeoutMs: 5000,
  maxRetries: 2,
  retryBaseDelayMs: 50,
  retryMaxDelayMs: 1000,
  shutdownDeadlineMs: 10_000,
} as const;

const noop = (): void => undefined;


/** Waits for an outcome without rethrowing: failures are already counted, reported and handed to the guard. */
function quiet(outcome: Outcome): Promise<void> {
  return outcome instanceof Promise ? outcome.then(noop, noop) : DONE;
}

const DONE: Promise<void> = Promise.resolve();

/** An outcome as a promise that rejects on failure. */
function asPromise(outcome: Outcome): Promise<void> | undefined {
  if (outcome instanceof Promise || outcome === undefined) return outcome;
  return Promise.reject(outcome);
}

function isRetryable(error: unknown): boolean {
  return isPatinoxError(error) && error.recovery === 'retry';
}

function slotName(page: Page, i: number): string {
  return page.infos[i]!.name ?? typeName(page.resources[i]);
}

// Shared, so an adopted resource costs no closure of its own.
const asyncDispose = (value: unknown): unknown => (value as AsyncDisposable)[Symbol.asyncDispose]();
const syncDispose = (value: unknown): unknown => (value as Disposable)[Symbol.dispose]();

function disposerOf(value: unknown): CleanupFn<unknown> | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  const record = value as Partial<AsyncDisposable & Disposable>;
  if (typeof record[Symbol.asyncDispose] === 'function') return asyncDispose;
  if (typeof record[Symbol.dispose] === 'function') return syncDispose;
  return undefined;
}

/** Live weak references visited per sweep step (each `deref()` costs ~0.1 µs), so a step stays near 100 µs. */
const SWEEP_BUDGET = 1024;

// One shared promise executor instead of a closure per async attempt: it parks the resolving functions
// here and #awaitAttempt picks them up right after `new Promise` returns (synchronously, so never mixed up).
const captured: { resolve: ((value?: Promise<void>) => void) | undefined; reject: ((reason: unknown) => void) | undefined } = {
  resolve: undefined,
  reject: undefined,
};
function capture(resolve: (value?: Promise<void>) => void, reject: (reason: unknown) => void): void {
  captured.resolve = resolve;
  captured.reject = reject;
}

/** A resource that `#cleanAll` waits for, with what its report needs should the resource be gone by then. */
interface Target {
  readonly page: Page;
  readonly i: number;
  readonly id: number;
  readonly name: string;
  readonly priority: number;
}

/** What a `#cleanAll` run learns about its targets: their final state by id (0 while unfinished). */
type Collector = Map<number, Final | 0>;

/**
 * Tracks every live resource, cleans up the ones whose guards were dropped, and cleans everything on
 * shutdown. Cleanups from leaks, `forceCleanupAll()` and `shutdown()` run through a priority queue
 * (Critical first) with bounded concurrency; explicit `cleanup()` / `await using` runs at once.
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
  readonly #events: boolean;
  readonly #concurrency: number;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #retryBaseDelayMs: number;
  readonly #retryMaxDelayMs: number;
  readonly #trackStacks: boolean;
  readonly #trackLeaks: boolean;
  readonly #durations = new Histogram();
  readonly #deadlines = new DeadlineQueue();
  readonly #infos = new InfoFactory();
  // Live resources, struct of arrays in pages (see internal/entry.ts); a slot is (page index << PAGE_BITS) | i.
  #pages: (Page | undefined)[] = [];
  /** Page that new slots come from. */
  #current: Page | undefined;
  /** Other pages with free slots (may hold refilled pages: checked when popped). */
  #available: Page[] = [];
  #freePageIndexes: number[] = [];
  /** Ids or creation times outgrew 32 bits: every page stores them as 64-bit floats. */
  #wide = false;
  // Slots created during the current macrotask hold their guard strongly; at the macrotask's end the
  // survivors' guards are swapped for WeakRefs. A WeakRef costs ~0.1-0.2 µs (about a synchronous round
  // trip) and a guard cleaned within the macrotask that created it can never leak, so short-lived guards
  // never pay it. Bounded, so a long synchronous burst never keeps thousands of guards from young-gen GC.
  #nursery: number[] = [];
  #tickScheduled = false;
  // Leak detection: one WeakRef per guard that outlived its macrotask, swept after each GC. A single
  // FinalizationRegistry cell (a sentinel object, re-armed in its own callback) tells us a GC happened:
  // 32 bytes per guard plus one cell per GC, instead of a FinalizationRegistry cell per guard (72 bytes,
  // 112 with an unregister token). Sweeps are incremental (SWEEP_BUDGET refs per macrotask, unref'd).
  readonly #gcSentinel: FinalizationRegistry<0> | undefined;
  #sentinelArmed = false;
  /** Slots whose guard is held by a WeakRef. */
  #weak = 0;
  /** Next slot the sweep looks at; -1 when no sweep is running. */
  #sweepCursor = -1;
  /** A GC happened during the running sweep: sweep again once it ends. */
  #sweepAgain = false;
  #sweepStartedAt = 0;
  /** performance.now() before which no sweep starts (see #endSweep). */
  #sweepResumeAt = 0;
  #sweepTimer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  /** `#cleanAll` runs in progress, told the final state of each slot released meanwhile. */
  #collectors: Collector[] = [];
  // Creation timestamps come from one clock read per macrotask (and every 1024 guards within one): a
  // clock read costs 100-200 ns on some VMs, as much as the rest of the round trip.
  #now = 0;
  /** performance.now() read with #now: the origin of attempt deadlines (see #clockNow). */
  #clock = 0;
  #stamps = 0;
  #timedRuns = 0;
  #queue: PQueue | undefined;
  #nextId = 1;
  #closing = false;
  #shutdown: Promise<CleanupReport> | undefined;
  // Hot-path counters live in plain fields; metrics and stats read them on demand.
  #active = 0;
  #activeBytes = 0;
  #created = 0;
  #cleaned = 0;
  #failed = 0;
  #timedOut = 0;
  #leaked = 0;
  #retried = 0;
  #handedBack = 0;

  /** @throws TypeError / RangeError for an invalid option. */
  constructor(options: RegistryOptions = {}) {
    expectObject('options', options);
    this.name = optional('name', options.name, expectString, DEFAULTS.name);
    const monitor = optional('monitor', options.monitor, expectMonitor, noopMonitor);
    this.#monitor = monitor;
    this.#events = monitor !== noopMonitor && optional('resourceEvents', options.resourceEvents, expectBoolean, true);
    this.#concurrency = optional('concurrency', options.concurrency, expectPositiveInteger, DEFAULTS.concurrency);
    this.#timeoutMs = optional('timeoutMs', options.timeoutMs, expectTimerMs, DEFAULTS.timeoutMs);
    this.#maxRetries = optional('maxRetries', options.maxRetries, expectNonNegativeInteger, DEFAULTS.maxRetries);
    this.#retryBaseDelayMs = optional('retryBaseDelayMs', options.retryBaseDelayMs, expectTimerMsOrZero, DEFAULTS.retryBaseDelayMs);
    this.#retryMaxDelayMs = optional('retryMaxDelayMs', options.retryMaxDelayMs, expectTimerMsOrZero, DEFAULTS.retryMaxDelayMs);
    this.#trackStacks = optional('trackStacks', options.trackStacks, expectBoolean, false);
    this.#trackLeaks = optional('trackLeaks', options.trackLeaks, expectBoolean, true);
    this.#gcSentinel = this.#trackLeaks ? new FinalizationRegistry<0>(this.#onGc) : undefined;
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
    let failedAtLastCheck = this.#failed;
    return {
      name: `resource:${this.name}`,
      check: (): HealthResult => {
        const queued = this.#queue === undefined ? 0 : this.#queue.size;
        const newFailures = this.#failed - failedAtLastCheck;
        failedAtLastCheck = this.#failed;
        const details = { active: this.#active, activeBytes: this.#activeBytes, queued, failed: this.#failed, newFailures, leaked: this.#leaked };
        if (this.#closing) return { status: 'down', details: { ...details, reason: 'shut down' } };
        if (newFailures > 0) return { status: 'degraded', details: { ...details, reason: 'cleanups failing' } };
        if (queued > this.#concurrency) return { status: 'degraded', details: { ...details, reason: 'cleanup backlog' } };
        return { status: 'up', details };
      },
    };
  }

  /**
   * Guards `resource` in this registry; same as `guard(resource, cleanup, { ...options, registry: this })`.
   * @throws RegistryShutdownError `RESOURCE_REGISTRY_SHUTTING_DOWN` after `shutdown()`.
   */
  guard<T>(resource: T, cleanup: CleanupFn<T>, options?: Omit<GuardOptions, 'registry'>): AsyncResourceGuard<T> {
    return makeGuard(resource, cleanup, options === undefined ? { registry: this } : { ...options, registry: this });
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
    const out: ResourceInfo[] = [];
    for (const page of this.#pages) {
      if (page === undefined) continue;
      for (let i = 0; i < page.bump; i += 1) {
        const fn = page.fns[i];
        if (fn === undefined) continue;
        const info = page.infos[i]!;
        const item: ResourceInfo = {
          id: page.ids[i]!,
          name: slotName(page, i),
          typeName: typeName(page.resources[i]),
          createdAt: EPOCH + page.created[i]!,
          sizeBytes: info.sizeBytes,
          priority: info.priority as CleanupPriority,
          metadata: info.metadata,
          state: typeof fn === 'function' ? 'active' : 'cleaning',
        };
        if (info.stack?.stack !== undefined) (item as { stack?: string }).stack = info.stack.stack;
        out.push(item);
      }
    }
    // Slots are reused, so slot order is not creation order; ids are.
    return out.sort((a, b) => a.id - b.id);
  }

  /** Counters since creation and the cleanup duration summary. */
  stats(): RegistryStats {
    return {
      active: this.#active,
      activeBytes: this.#activeBytes,
      created: this.#created,
      cleaned: this.#cleaned,
      failed: this.#failed,
      timedOut: this.#timedOut,
      leaked: this.#leaked,
      retried: this.#retried,
      handedBack: this.#handedBack,
      queued: this.#queue === undefined ? 0 : this.#queue.size + this.#queue.pending,
      isShuttingDown: this.#closing,
      cleanupDurationMs: this.#durations.summary(),
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
      scalar('patinox_resource_cleaned_total', 'counter', this.#cleaned, 'Cleanups that succeeded'),
      scalar('patinox_resource_failed_total', 'counter', this.#failed, 'Cleanups that failed for good, timeouts included'),
      scalar('patinox_resource_timed_out_total', 'counter', this.#timedOut, 'Cleanups that timed out'),
      scalar('patinox_resource_leaked_total', 'counter', this.#leaked, 'Guards collected without cleanup'),
      scalar('patinox_resource_retried_total', 'counter', this.#retried, 'Cleanup retry attempts'),
      scalar('patinox_resource_handed_back_total', 'counter', this.#handedBack, 'Resources taken back with intoInner'),
      histogramSnapshot('patinox_resource_cleanup_duration_ms', this.#durations, { help: 'Cleanup duration, retries included', labels }),
    ];
  }

  /**
   * Cleans every live resource now through the queue (Critical first, newest first within a priority),
   * waits for them (or until `deadlineMs`) and reports what could not be cleaned. Never rejects.
   * The registry stays open; use `shutdown()` to also refuse new resources.
   */
  forceCleanupAll(options: CleanupAllOptions = {}): Promise<CleanupReport> {
    expectObject('options', options);
    const deadlineMs = optional('deadlineMs', options.deadlineMs, expectTimerMs, undefined);
    return this.#cleanAll(deadlineMs);
  }

  /**
   * Refuses new resources (`RESOURCE_REGISTRY_SHUTTING_DOWN`), cleans everything by priority, waits up to
   * `deadlineMs`, then resolves with what could not be cleaned (names, reasons). Idempotent: later calls
   * return the first call's report. Never rejects.
   */
  shutdown(options: ShutdownOptions = {}): Promise<CleanupReport> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    expectObject('options', options);
    const deadlineMs = optional('deadlineMs', options.deadlineMs, expectTimerMs, DEFAULTS.shutdownDeadlineMs);
    this.#closing = true;
    safeRecord(this.#monitor, createEvent(RESOURCE_EVENTS.shutdownStarted, this.name, { active: this.#active, deadlineMs }));
    this.#shutdown = this.#cleanAll(deadlineMs).then((report) => {
      // Cleanups that outlived the deadline keep running, but nothing of ours may hold the event loop now:
      // their timeout timer and any retry backoff become unref'd.
      this.#deadlines.detach();
      for (const timer of this.#retryTimers) timer.unref();
      // Leak detection ends with the registry: no more sentinel, and a running sweep stops at its next step.
      this.#closed = true;
      clearTimeout(this.#sweepTimer);
      this.#sweepTimer = undefined;
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
    if (typeof cleanup !== 'function') throw new TypeError(`Expected \`cleanup\` to be a function, got ${describeValue(cleanup)}`);
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
    const now = this.#timestamp();
    let page = this.#current;
    if (page === undefined || (page.freeHead < 0 && page.bump === PAGE_SIZE)) page = this.#nextPage();
    let i = page.freeHead;
    if (i >= 0) page.freeHead = page.ids[i]! - 1;
    else i = page.bump++;
    page.live += 1;
    page.ids[i] = id;
    page.created[i] = now;
    page.resources[i] = resource;
    page.fns[i] = cleanup;
    page.infos[i] = info;
    page.refs[i] = guard;
    this.#active += 1;
    this.#created += 1;
    this.#activeBytes += info.sizeBytes;
    if (this.#gcSentinel !== undefined && this.#nursery.push((page.index << PAGE_BITS) | i) >= 1024) this.#flushNursery();
    if (this.#events) safeRecord(this.#monitor, createEvent(RESOURCE_EVENTS.created, this.name, { id, name: info.name ?? typeName(resource) }));
    page.tracked = i;
    return page;
  }

  /** @internal Starts the slot's cleanup, or joins the run already started. Never throws. */
  [RUN](page: Page, i: number, guard: object): Outcome {
    return this.#run(page, i, guard);
  }

  /** @internal Hands the resource back without cleanup. */
  [TAKE](page: Page, i: number, guard: object): unknown {
    if (typeof page.fns[i] !== 'function') throw stateError(page.ids[i]!, false, 'take');
    const resource = page.resources[i];
    this.#handedBack += 1;
    this.#release(page, i, TAKEN, guard);
    return resource;
  }

  /** `guard` is the slot's guard when the caller has it (saves a WeakRef.deref() at release). */
  #run(page: Page, i: number, guard: object | undefined): Outcome {
    const fn = page.fns[i];
    if (typeof fn !== 'function') return fn === RUNNING ? undefined : (fn as Promise<void>);
    page.fns[i] = RUNNING;
    // Durations are sampled, 1 run in 16: a clock read costs 100-200 ns on some VMs, as much as the
    // rest of a synchronous round trip. -1 means "not timed".
    this.#timedRuns += 1;
    return this.#attempt(page, i, page.ids[i]!, fn as CleanupFn<unknown>, 1, (this.#timedRuns & 15) === 0 ? performance.now() : -1, guard);
  }

  /** Creation time relative to EPOCH; fresh once per macrotask and every 1024 stamps. */
  #timestamp(): number {
    this.#stamps += 1;
    if (!this.#tickScheduled || (this.#stamps & 1023) === 0) this.#readClocks();
    return this.#now;
  }

  /**
   * Monotonic ms for deadline origins, cached like #timestamp. So a deadline counts, like setTimeout's,
   * from the event loop's time in the current macrotask (at most 1024 reads stale), not from the exact
   * call: a clock read per attempt cost about as much as the rest of an async round trip.
   */
  #clockNow(): number {
    this.#stamps += 1;
    if (!this.#tickScheduled || (this.#stamps & 1023) === 0) this.#readClocks();
    return this.#clock;
  }

  #readClocks(): void {
    this.#now = Date.now() - EPOCH;
    this.#clock = performance.now();
    // Checked here, not per resource: at most 1024 ids are handed out between two reads, and #now only
    // changes here. A wall clock set back before EPOCH widens too (createdAt would go negative).
    if (!this.#wide && (this.#now < 0 || this.#now > NARROW_MAX || this.#nextId > NARROW_MAX - 2048)) this.#widen();
    if (!this.#tickScheduled) {
      this.#tickScheduled = true;
      setImmediate(this.#onTick).unref();
    }
  }

  readonly #onTick = (): void => {
    this.#tickScheduled = false;
    this.#deadlines.idle();
    this.#flushNursery();
  };

  #flushNursery(): void {
    const slots = this.#nursery;
    if (slots.length === 0) return;
    this.#nursery = [];
    const before = this.#weak;
    for (const slot of slots) {
      const page = this.#pages[slot >>> PAGE_BITS];
      if (page === undefined) continue;
      const i = slot & PAGE_MASK;
      const ref = page.refs[i];
      // A slot may be listed twice (released and reused within the macrotask): swap only strong refs.
      if (ref === undefined || ref instanceof WeakRef || typeof page.fns[i] !== 'function') continue;
      page.refs[i] = new WeakRef(ref);
      this.#weak += 1;
    }
    if (this.#weak > before) this.#armSentinel();
  }

  #armSentinel(): void {
    if (this.#sentinelArmed || this.#closed) return;
    this.#sentinelArmed = true;
    // An object nothing references: collected by the next GC, whose callback then runs #onGc.
    this.#gcSentinel!.register({}, 0);
  }

  readonly #onGc = (): void => {
    this.#sentinelArmed = false;
    if (this.#closed || this.#weak === 0) return;
    this.#armSentinel();
    this.#requestSweep();
  };

  #requestSweep(): void {
    if (this.#sweepTimer !== undefined) return;
    if (this.#sweepCursor >= 0) {
      this.#sweepAgain = true;
      return;
    }
    const waitMs = this.#sweepResumeAt - performance.now();
    if (waitMs > 0) this.#sweepTimer = setTimeout(this.#startSweep, Math.ceil(waitMs)).unref();
    else this.#startSweep();
  }

  readonly #startSweep = (): void => {
    this.#sweepTimer = undefined;
    if (this.#closed) return;
    this.#sweepCursor = 0;
    this.#sweepStartedAt = performance.now();
    setImmediate(this.#sweep).unref();
  };

  /** One bounded step of a sweep over the weakly held guards; leaked ones go to the queue. */
  readonly #sweep = (): void => {
    if (this.#closed) {
      this.#sweepCursor = -1;
      return;
    }
    const pages = this.#pages;
    const end = pages.length << PAGE_BITS;
    let slot = this.#sweepCursor;
    let budget = SWEEP_BUDGET;
    while (slot < end && budget > 0) {
      const page = pages[slot >>> PAGE_BITS];
      const i = slot & PAGE_MASK;
      if (page === undefined || i >= page.bump) {
        slot = ((slot >>> PAGE_BITS) + 1) << PAGE_BITS;
        continue;
      }
      const ref = page.refs[i];
      if (ref instanceof WeakRef) {
        budget -= 1;
        if (ref.deref() === undefined && typeof page.fns[i] === 'function') this.#onCollected(page, i);
      }
      slot += 1;
    }
    if (slot < end) {
      this.#sweepCursor = slot;
      setImmediate(this.#sweep).unref();
      return;
    }
    // Duty cycle: the next sweep waits 9 times as long as this one took (wall time, which bounds the CPU
    // time), so back-to-back GCs over a large registry keep sweeps under ~10% of a core. Leaks are then
    // found later, never missed: a collected guard stays dead until a sweep sees it.
    const now = performance.now();
    this.#sweepResumeAt = now + 9 * (now - this.#sweepStartedAt);
    this.#sweepCursor = -1;
    if (this.#sweepAgain) {
      this.#sweepAgain = false;
      this.#requestSweep();
    }
  };

  #onCollected(page: Page, i: number): void {
    const id = page.ids[i]!;
    const info = page.infos[i]!;
    page.refs[i] = undefined;
    this.#weak -= 1;
    this.#leaked += 1;
    const data: Record<string, unknown> = { id, name: slotName(page, i), ageMs: Date.now() - EPOCH - page.created[i]! };
    if (info.stack !== undefined) data.stack = info.stack.stack;
    safeRecord(this.#monitor, createEvent(RESOURCE_EVENTS.leaked, this.name, data));
    void this.#enqueue(page, i, id, info.priority);
  }

  #nextPage(): Page {
    const available = this.#available;
    while (available.length > 0) {
      const page = available.pop()!;
      page.listed = false;
      if (page.freeHead >= 0 || page.bump < PAGE_SIZE) return (this.#current = page);
    }
    const index = this.#freePageIndexes.pop() ?? this.#pages.length;
    const page = new Page(index, this.#wide, this);
    this.#pages[index] = page;
    return (this.#current = page);
  }

  /** Forgets an empty page (rare: once per page emptied), so cleaned bursts give their memory back. */
  #dropPage(page: Page): void {
    this.#pages[page.index] = undefined;
    this.#freePageIndexes.push(page.index);
    if (page.listed) {
      const available = this.#available;
      const k = available.indexOf(page);
      available[k] = available[available.length - 1]!;
      available.pop();
      page.listed = false;
    }
  }

  #widen(): void {
    this.#wide = true;
    for (const page of this.#pages) page?.widen();
  }

  /**
   * Frees a finished slot (so a guard kept alive does not keep the resource) and hands its final state to
   * the guard and to running `#cleanAll`s. `guard` is the slot's guard when the caller has it.
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
        this.#weak -= 1;
        target ??= ref.deref();
      } else target = ref;
    }
    if (this.#collectors.length !== 0) this.#collect(id, final);
    page.resources[i] = undefined;
    page.fns[i] = undefined;
    page.infos[i] = undefined;
    page.refs[i] = undefined;
    page.ids[i] = page.freeHead + 1;
    page.freeHead = i;
    page.live -= 1;
    if (page !== this.#current) {
      if (page.live === 0) this.#dropPage(page);
      else if (!page.listed) {
        page.listed = true;
        this.#available.push(page);
      }
    }
    if (target !== undefined) (target as Settleable)[SETTLE](final, id);
  }

  #collect(id: number, final: Final): void {
    for (const collector of this.#collectors) if (collector.has(id)) collector.set(id, final);
  }

  #attempt(page: Page, i: number, id: number, fn: CleanupFn<unknown>, attempt: number, started: number, guard: object | undefined): Outcome {
    let result: unknown;
    try {
      result = fn(page.resources[i]);
    } catch (thrown) {
      return this.#afterError(page, i, id, fn, attempt, started, thrown, guard);
    }
    if (isThenable(result)) {
      // Each attempt's own start is its deadline's origin.
      const attemptStart = attempt === 1 && started >= 0 ? started : this.#clockNow();
      const pending = this.#awaitAttempt(page, i, id, fn, attempt, started, attemptStart, result, guard);
      // A thenable may settle synchronously inside then(): keep the final state it produced (the slot is
      // then free, or already someone else's).
      const state = page.fns[i];
      if (page.ids[i] === id && (state === RUNNING || state instanceof Promise)) page.fns[i] = pending;
      return pending;
    }
    this.#succeed(page, i, started, guard);
    return undefined;
  }

  #awaitAttempt(
    page: Page,
    i: number,
    id: number,
    fn: CleanupFn<unknown>,
    attempt: number,
    started: number,
    attemptStart: number,
    result: PromiseLike<unknown>,
    guard: object | undefined,
  ): Promise<void> {
    const timeoutMs = page.infos[i]!.timeoutMs === 0 ? this.#timeoutMs : page.infos[i]!.timeoutMs;
    const pending = new Promise<void>(capture);
    const resolve = captured.resolve!;
    const reject = captured.reject!;
    captured.resolve = captured.reject = undefined;
    const waiter = this.#deadlines.add(timeoutMs, attemptStart, () => {
      const name = slotName(page, i);
      const error = new CleanupError(`Cleanup of "${name}" did not settle within ${timeoutMs} ms`, {
        code: RESOURCE_CLEANUP_TIMEOUT,
        context: { id, name, timeoutMs, attempt },
      });
      reject(this.#fail(page, i, started, error, guard));
    });
    // Both handlers are attached at once, so a cleanup that rejects after its timeout is ignored,
    // never an unhandled rejection.
    const onFulfilled = (): void => {
      if (!this.#deadlines.finish(waiter, this.#tickScheduled)) return;
      this.#succeed(page, i, started, guard);
      resolve();
    };
    const onRejected = (error: unknown): void => {
      if (!this.#deadlines.finish(waiter, this.#tickScheduled)) return;
      const outcome = this.#afterError(page, i, id, fn, attempt, started, error, guard);
      if (outcome === undefined || outcome instanceof Promise) resolve(outcome);
      else reject(outcome);
    };
    try {
      result.then(onFulfilled, onRejected);
    } catch (error) {
      // A hostile thenable whose `then` throws.
      onRejected(error);
    }
    return pending;
  }

  #afterError(
    page: Page,
    i: number,
    id: number,
    fn: CleanupFn<unknown>,
    attempt: number,
    started: number,
    thrown: unknown,
    guard: object | undefined,
  ): Outcome {
    const name = slotName(page, i);
    if (attempt <= this.#maxRetries && isRetryable(thrown)) {
      this.#retried += 1;
      const delayMs = backoffDelay(attempt, this.#retryBaseDelayMs, this.#retryMaxDelayMs);
      safeRecord(this.#monitor, createEvent(RESOURCE_EVENTS.retry, this.name, { id, name, attempt, delayMs, message: describeThrown(thrown) }));
      const pending = this.#sleep(delayMs).then(() => asPromise(this.#attempt(page, i, id, fn, attempt + 1, started, guard)));
      page.fns[i] = pending;
      return pending;
    }
    // Whatever was thrown (a string, null, a Proxy, an object whose getters throw) ends as a recorded
    // failure: describeThrown and the error constructor never throw, so the slot is always released.
    const error = new CleanupError(`Cleanup of "${name}" failed: ${describeThrown(thrown)}`, {
      code: RESOURCE_CLEANUP_FAILED,
      cause: thrown,
      context: { id, name, attempts: attempt },
    });
    return this.#fail(page, i, started, error, guard);
  }

  #succeed(page: Page, i: number, started: number, guard: object | undefined): void {
    const durationMs = started < 0 ? undefined : performance.now() - started;
    if (durationMs !== undefined) this.#durations.record(durationMs);
    this.#cleaned += 1;
    if (this.#events) safeRecord(this.#monitor, createEvent(RESOURCE_EVENTS.cleaned, this.name, { id: page.ids[i]!, name: slotName(page, i), durationMs }));
    this.#release(page, i, CLEANED, guard);
  }

  #fail(page: Page, i: number, started: number, error: CleanupError, guard: object | undefined): CleanupError {
    if (started >= 0) this.#durations.record(performance.now() - started);
    this.#failed += 1;
    if (error.code === RESOURCE_CLEANUP_TIMEOUT) this.#timedOut += 1;
    safeRecord(
      this.#monitor,
      createEvent(RESOURCE_EVENTS.failed, this.name, { id: page.ids[i]!, name: slotName(page, i), code: error.code, message: error.message }),
    );
    this.#release(page, i, error, guard);
    return error;
  }

  /** Backoff before a retry: ref'd (a caller or a shutdown report waits on it) until shutdown resolves. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#retryTimers.delete(timer);
        resolve();
      }, ms);
      if (this.#closed) timer.unref();
      else this.#retryTimers.add(timer);
    });
  }

  /** Runs the slot's cleanup from the queue, unless the slot was released meanwhile; resolves when it ends, never rejects. */
  #enqueue(page: Page, i: number, id: number, priority: number): Promise<unknown> {
    this.#queue ??= new PQueue({ concurrency: this.#concurrency });
    // By its turn the slot may have been cleaned, handed back, or reused by another resource: check the id.
    const task = (): Promise<void> => (page.ids[i] === id && page.fns[i] !== undefined ? quiet(this.#run(page, i, undefined)) : DONE);
    return this.#queue.add(task, { priority }).then(undefined, (error: unknown) => {
      // #run never throws; this only reports a bug instead of leaving an unhandled rejection.
      safeRecord(this.#monitor, createEvent(RESOURCE_EVENTS.failed, this.name, { id, code: 'INTERNAL', message: describeThrown(error) }));
    });
  }

  async #cleanAll(deadlineMs: number | undefined): Promise<CleanupReport> {
    const started = performance.now();
    const targets: Target[] = [];
    const queued: Target[] = [];
    const waits: Promise<unknown>[] = [];
    const collector: Collector = new Map();
    for (const page of this.#pages) {
      if (page === undefined) continue;
      for (let i = 0; i < page.bump; i += 1) {
        const fn = page.fns[i];
        if (fn === undefined) continue;
        const target: Target = { page, i, id: page.ids[i]!, name: slotName(page, i), priority: page.infos[i]!.priority };
        targets.push(target);
        collector.set(target.id, 0);
        if (typeof fn === 'function') queued.push(target);
        else if (fn instanceof Promise) waits.push(quiet(fn));
        // RUNNING: a synchronous cleanup that called us; it ends before we next look.
      }
    }
    this.#collectors.push(collector);
    try {
      queued.sort((a, b) => b.priority - a.priority || b.id - a.id);
      for (const t of queued) waits.push(this.#enqueue(t.page, t.i, t.id, t.priority));
      const all = Promise.all(waits);
      if (deadlineMs === undefined) await all;
      else {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs)))]);
        clearTimeout(timer);
      }
    } finally {
      this.#collectors.splice(this.#collectors.indexOf(collector), 1);
    }
    let cleaned = 0;
    let handedBack = 0;
    const failures: CleanupFailure[] = [];
    for (const target of targets) {
      const final = collector.get(target.id);
      if (final === CLEANED) cleaned += 1;
      else if (final === TAKEN) handedBack += 1;
      else {
        const error =
          typeof final === 'object'
            ? final
            : new CleanupError(`Cleanup of "${target.name}" did not finish within the ${deadlineMs} ms deadline`, {
                code: RESOURCE_CLEANUP_DEADLINE_EXCEEDED,
                context: { id: target.id, name: target.name, deadlineMs },
              });
        const name = typeof error.context.name === 'string' ? error.context.name : target.name;
        failures.push({ id: target.id, name, code: error.code, reason: error.message, error });
      }
    }
    return { cleaned, handedBack, failures, complete: failures.length === 0, durationMs: performance.now() - started };
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
