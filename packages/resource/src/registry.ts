import {
  backoffDelay,
  describeValue,
  expectBoolean,
  expectNonNegativeFinite,
  expectNonNegativeInteger,
  expectPositiveInteger,
  isPatinoxError,
  optional,
  toError,
} from '@patinox/errors';
import {
  Histogram,
  createEvent,
  histogramSnapshot,
  noopMonitor,
  safeRecord,
  type HistogramSummary,
  type MetricSnapshot,
  type Monitor,
} from '@patinox/monitor';
import PQueue from 'p-queue';
import { AsyncResourceGuard, type CleanupFn } from './guard.js';
import {
  ALREADY_CLEANED_UP,
  CLEANUP_DEADLINE_EXCEEDED,
  CLEANUP_FAILED,
  CLEANUP_TIMEOUT,
  CleanupError,
  RESOURCE_TAKEN,
  RegistryShutdownError,
  ResourceStateError,
  type CleanupErrorCode,
} from './errors.js';
import type { CleanupAllOptions, GuardOptions, RegistryOptions, ShutdownOptions } from './options.js';
import type { CleanupPriority } from './priority.js';
import { ACTIVE, CLEANED, EPOCH, Entry, RUNNING, TAKEN, isFailed, isInFlight, outcomeOf, typeName, type Outcome } from './internal/entry.js';
import { DEFAULT_REGISTRY_KEY, RUN, TAKE, TRACK } from './internal/protocol.js';
import { DeadlineQueue } from './internal/deadlines.js';
import { isThenable, sleep } from './internal/promises.js';
import { InfoFactory, expectObject, expectString, expectTimeoutMs } from './internal/validate.js';

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

/** Waits for an outcome without rethrowing: failures are already counted, reported and kept on the entry. */
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

function entryName(entry: Entry): string {
  return entry.info.name ?? typeName(entry.resource);
}

function disposerOf(value: unknown): CleanupFn<unknown> | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  const record = value as Partial<AsyncDisposable & Disposable>;
  if (typeof record[Symbol.asyncDispose] === 'function') return (v) => (v as AsyncDisposable)[Symbol.asyncDispose]();
  if (typeof record[Symbol.dispose] === 'function') return (v) => (v as Disposable)[Symbol.dispose]();
  return undefined;
}

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
  readonly #finalizer: FinalizationRegistry<Entry> | undefined;
  readonly #durations = new Histogram();
  readonly #deadlines = new DeadlineQueue();
  readonly #infos = new InfoFactory(this);
  // Guards created during the current macrotask, registered with the FinalizationRegistry at its end
  // if still active. register() costs ~350 ns (more than the rest of a round trip), and a guard cleaned
  // within the macrotask that created it can never leak, so short-lived guards never pay it.
  #nurseryTargets: object[] = [];
  #nurseryEntries: Entry[] = [];
  #tickScheduled = false;
  // Creation timestamps come from one clock read per macrotask (and every 1024 guards within one): a
  // clock read costs 100-200 ns on some VMs, as much as the rest of the round trip.
  #now = 0;
  #stamps = 0;
  #timedRuns = 0;
  #queue: PQueue | undefined;
  // Doubly linked list of live entries, oldest first: O(1) insert/remove and 8 bytes per entry.
  #head: Entry | undefined;
  #tail: Entry | undefined;
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
    const monitor = options.monitor ?? noopMonitor;
    if (typeof (monitor as Partial<Monitor>).record !== 'function') {
      throw new TypeError(`Expected \`monitor\` to be a Monitor (an object with a record method), got ${describeValue(monitor)}`);
    }
    this.#monitor = monitor;
    this.#events = monitor !== noopMonitor && optional('resourceEvents', options.resourceEvents, expectBoolean, true);
    this.#concurrency = optional('concurrency', options.concurrency, expectPositiveInteger, DEFAULTS.concurrency);
    this.#timeoutMs = optional('timeoutMs', options.timeoutMs, expectTimeoutMs, DEFAULTS.timeoutMs);
    this.#maxRetries = optional('maxRetries', options.maxRetries, expectNonNegativeInteger, DEFAULTS.maxRetries);
    this.#retryBaseDelayMs = optional('retryBaseDelayMs', options.retryBaseDelayMs, expectNonNegativeFinite, DEFAULTS.retryBaseDelayMs);
    this.#retryMaxDelayMs = optional('retryMaxDelayMs', options.retryMaxDelayMs, expectNonNegativeFinite, DEFAULTS.retryMaxDelayMs);
    this.#trackStacks = optional('trackStacks', options.trackStacks, expectBoolean, false);
    const trackLeaks = optional('trackLeaks', options.trackLeaks, expectBoolean, true);
    this.#finalizer = trackLeaks ? new FinalizationRegistry<Entry>((entry) => this.#onCollected(entry)) : undefined;
  }

  /** True once `shutdown()` was called: new registrations throw `REGISTRY_SHUTTING_DOWN`. */
  get isShuttingDown(): boolean {
    return this.#closing;
  }

  /**
   * Guards `resource` in this registry; same as `guard(resource, cleanup, { ...options, registry: this })`.
   * @throws RegistryShutdownError `REGISTRY_SHUTTING_DOWN` after `shutdown()`.
   */
  guard<T>(resource: T, cleanup: CleanupFn<T>, options?: Omit<GuardOptions, 'registry'>): AsyncResourceGuard<T> {
    return new AsyncResourceGuard(resource, cleanup, options === undefined ? { registry: this } : { ...options, registry: this });
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
    for (let entry = this.#head; entry !== undefined; entry = entry.next) {
      const { info } = entry;
      const item: ResourceInfo = {
        id: entry.id,
        name: entryName(entry),
        typeName: typeName(entry.resource),
        createdAt: EPOCH + entry.createdAt,
        sizeBytes: info.sizeBytes,
        priority: info.priority as CleanupPriority,
        metadata: info.metadata,
        state: entry.state === ACTIVE ? 'active' : 'cleaning',
      };
      if (info.stack?.stack !== undefined) (item as { stack?: string }).stack = info.stack.stack;
      out.push(item);
    }
    return out;
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
    const deadlineMs = optional('deadlineMs', options.deadlineMs, expectTimeoutMs, undefined);
    return this.#cleanAll(deadlineMs);
  }

  /**
   * Refuses new resources (`REGISTRY_SHUTTING_DOWN`), cleans everything by priority, waits up to
   * `deadlineMs`, then resolves with what could not be cleaned (names, reasons). Idempotent: later calls
   * return the first call's report. Never rejects.
   */
  shutdown(options: ShutdownOptions = {}): Promise<CleanupReport> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    expectObject('options', options);
    const deadlineMs = optional('deadlineMs', options.deadlineMs, expectTimeoutMs, DEFAULTS.shutdownDeadlineMs);
    this.#closing = true;
    safeRecord(this.#monitor, createEvent('resource.shutdown.started', this.name, { active: this.#active, deadlineMs }));
    this.#shutdown = this.#cleanAll(deadlineMs).then((report) => {
      this.#deadlines.close();
      safeRecord(
        this.#monitor,
        createEvent('resource.shutdown.completed', this.name, {
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

  /** @internal Registers a resource for `target` (its guard); see internal/protocol.ts. */
  [TRACK](target: object, resource: unknown, cleanup: unknown, options: GuardOptions | undefined): Entry {
    if (typeof cleanup !== 'function') throw new TypeError(`Expected \`cleanup\` to be a function, got ${describeValue(cleanup)}`);
    let stack: { stack?: string } | undefined;
    if (this.#trackStacks) {
      stack = {};
      // Captured now, formatted only if someone reads it (a leak report, list()).
      Error.captureStackTrace(stack, target.constructor);
    }
    const info = this.#infos.make(options, stack);
    if (this.#closing) {
      throw new RegistryShutdownError(`Registry "${this.name}" is shutting down and takes no new resources`, {
        context: { registry: this.name, name: info.name ?? typeName(resource) },
      });
    }
    const entry = new Entry(this.#nextId++, resource, cleanup as (resource: unknown) => unknown, info, this.#timestamp());
    const tail = this.#tail;
    if (tail === undefined) this.#head = entry;
    else {
      tail.next = entry;
      entry.prev = tail;
    }
    this.#tail = entry;
    this.#active += 1;
    this.#created += 1;
    this.#activeBytes += info.sizeBytes;
    if (this.#finalizer !== undefined) {
      this.#nurseryTargets.push(target);
      // Bounded, so a long synchronous burst never keeps thousands of cleaned guards from young-gen GC.
      if (this.#nurseryEntries.push(entry) >= 1024) this.#flushNursery();
    }
    if (this.#events) safeRecord(this.#monitor, createEvent('resource.created', this.name, { id: entry.id, name: entryName(entry) }));
    return entry;
  }

  /** @internal Starts the entry's cleanup, or joins the run already started. Never throws. */
  [RUN](entry: Entry): Outcome {
    if (entry.state !== ACTIVE) return outcomeOf(entry.state);
    entry.state = RUNNING;
    // Durations are sampled, 1 run in 16: a clock read costs 100-200 ns on some VMs, as much as the
    // rest of a synchronous round trip. -1 means "not timed".
    this.#timedRuns += 1;
    return this.#attempt(entry, 1, (this.#timedRuns & 15) === 0 ? performance.now() : -1);
  }

  /** Creation time relative to EPOCH; fresh once per macrotask and every 1024 stamps. */
  #timestamp(): number {
    this.#stamps += 1;
    if (!this.#tickScheduled || (this.#stamps & 1023) === 0) {
      this.#now = Date.now() - EPOCH;
      if (!this.#tickScheduled) {
        this.#tickScheduled = true;
        setImmediate(this.#onTick).unref();
      }
    }
    return this.#now;
  }

  readonly #onTick = (): void => {
    this.#tickScheduled = false;
    this.#flushNursery();
  };

  #flushNursery(): void {
    const targets = this.#nurseryTargets;
    const entries = this.#nurseryEntries;
    if (entries.length === 0) return;
    this.#nurseryTargets = [];
    this.#nurseryEntries = [];
    // No unregister token: a token costs another ~40 bytes per guard (114 instead of 72 on a 64-bit heap)
    // and an unregister call per cleanup. A cleaned guard's cell fires later and is ignored by state.
    for (let i = 0; i < entries.length; i += 1) if (entries[i]!.state === ACTIVE) this.#finalizer!.register(targets[i]!, entries[i]!);
  }

  /** @internal Hands the resource back without cleanup. */
  [TAKE](entry: Entry): unknown {
    if (entry.state !== ACTIVE) throw stateError(entry, 'take');
    const { resource } = entry;
    entry.state = TAKEN;
    this.#handedBack += 1;
    this.#release(entry);
    return resource;
  }

  #attempt(entry: Entry, attempt: number, started: number): Outcome {
    let result: unknown;
    try {
      result = entry.cleanup!(entry.resource);
    } catch (thrown) {
      return this.#afterError(entry, attempt, started, thrown);
    }
    if (isThenable(result)) {
      // Each attempt's own start is its deadline's origin.
      const attemptStart = attempt === 1 && started >= 0 ? started : performance.now();
      const pending = this.#awaitAttempt(entry, attempt, started, attemptStart, result);
      // A thenable may settle synchronously inside then(): keep the final state it produced.
      if (isInFlight(entry.state)) entry.state = pending;
      return pending;
    }
    this.#succeed(entry, started);
    return undefined;
  }

  #awaitAttempt(
    entry: Entry,
    attempt: number,
    started: number,
    attemptStart: number,
    result: PromiseLike<unknown>,
  ): Promise<void> {
    const timeoutMs = entry.info.timeoutMs === 0 ? this.#timeoutMs : entry.info.timeoutMs;
    return new Promise<void>((resolve, reject) => {
      const waiter = this.#deadlines.add(timeoutMs, attemptStart, () => {
        const error = new CleanupError(`Cleanup of "${entryName(entry)}" did not settle within ${timeoutMs} ms`, {
          code: CLEANUP_TIMEOUT,
          context: { id: entry.id, name: entryName(entry), timeoutMs, attempt },
        });
        reject(this.#fail(entry, started, error));
      });
      // Both handlers are attached at once, so a cleanup that rejects after its timeout is ignored,
      // never an unhandled rejection.
      const onFulfilled = (): void => {
        if (!this.#deadlines.finish(waiter)) return;
        this.#succeed(entry, started);
        resolve();
      };
      const onRejected = (error: unknown): void => {
        if (!this.#deadlines.finish(waiter)) return;
        const outcome = this.#afterError(entry, attempt, started, error);
        if (outcome === undefined || outcome instanceof Promise) resolve(outcome);
        else reject(outcome);
      };
      try {
        result.then(onFulfilled, onRejected);
      } catch (error) {
        // A hostile thenable whose `then` throws.
        onRejected(error);
      }
    });
  }

  #afterError(entry: Entry, attempt: number, started: number, thrown: unknown): Outcome {
    if (attempt <= this.#maxRetries && isRetryable(thrown)) {
      this.#retried += 1;
      const delayMs = backoffDelay(attempt, this.#retryBaseDelayMs, this.#retryMaxDelayMs);
      safeRecord(
        this.#monitor,
        createEvent('resource.retry', this.name, { id: entry.id, name: entryName(entry), attempt, delayMs, message: toError(thrown).message }),
      );
      const pending = sleep(delayMs).then(() => asPromise(this.#attempt(entry, attempt + 1, started)));
      entry.state = pending;
      return pending;
    }
    const cause = toError(thrown);
    const error = new CleanupError(`Cleanup of "${entryName(entry)}" failed: ${cause.message}`, {
      code: CLEANUP_FAILED,
      cause,
      context: { id: entry.id, name: entryName(entry), attempts: attempt },
    });
    return this.#fail(entry, started, error);
  }

  #succeed(entry: Entry, started: number): void {
    const durationMs = started < 0 ? undefined : performance.now() - started;
    if (durationMs !== undefined) this.#durations.record(durationMs);
    entry.state = CLEANED;
    this.#cleaned += 1;
    if (this.#events) safeRecord(this.#monitor, createEvent('resource.cleaned', this.name, { id: entry.id, name: entryName(entry), durationMs }));
    this.#release(entry);
  }

  #fail(entry: Entry, started: number, error: CleanupError): CleanupError {
    if (started >= 0) this.#durations.record(performance.now() - started);
    entry.state = error;
    this.#failed += 1;
    if (error.code === CLEANUP_TIMEOUT) this.#timedOut += 1;
    safeRecord(
      this.#monitor,
      createEvent('resource.failed', this.name, { id: entry.id, name: entryName(entry), code: error.code, message: error.message }),
    );
    this.#release(entry);
    return error;
  }

  /** Unlinks a finished entry and drops its references, so a guard kept alive does not keep the resource. */
  #release(entry: Entry): void {
    const { prev, next } = entry;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    entry.prev = undefined;
    entry.next = undefined;
    this.#active -= 1;
    this.#activeBytes -= entry.info.sizeBytes;
    entry.resource = undefined;
    entry.cleanup = undefined;
  }

  #onCollected(entry: Entry): void {
    if (entry.state !== ACTIVE) return;
    this.#leaked += 1;
    const data: Record<string, unknown> = { id: entry.id, name: entryName(entry), ageMs: Date.now() - EPOCH - entry.createdAt };
    if (entry.info.stack !== undefined) data.stack = entry.info.stack.stack;
    safeRecord(this.#monitor, createEvent('resource.leaked', this.name, data));
    void this.#enqueue(entry);
  }

  /** Runs the entry's cleanup from the queue; resolves when it ends, never rejects. */
  #enqueue(entry: Entry): Promise<unknown> {
    this.#queue ??= new PQueue({ concurrency: this.#concurrency });
    return this.#queue.add(() => quiet(this[RUN](entry)), { priority: entry.info.priority }).then(undefined, (error: unknown) => {
      // [RUN] never throws; this only reports a bug instead of leaving an unhandled rejection.
      safeRecord(this.#monitor, createEvent('resource.failed', this.name, { id: entry.id, code: 'INTERNAL', message: toError(error).message }));
    });
  }

  async #cleanAll(deadlineMs: number | undefined): Promise<CleanupReport> {
    const started = performance.now();
    const targets: Entry[] = [];
    for (let entry = this.#head; entry !== undefined; entry = entry.next) targets.push(entry);
    const waits: Promise<unknown>[] = [];
    const queued = targets.filter((e) => e.state === ACTIVE).sort((a, b) => b.info.priority - a.info.priority || b.id - a.id);
    for (const entry of queued) waits.push(this.#enqueue(entry));
    for (const entry of targets) if (entry.state instanceof Promise) waits.push(quiet(entry.state));
    const all = Promise.all(waits);
    if (deadlineMs === undefined) await all;
    else {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs)))]);
      clearTimeout(timer);
    }
    let cleaned = 0;
    let handedBack = 0;
    const failures: CleanupFailure[] = [];
    for (const entry of targets) {
      if (entry.state === CLEANED) cleaned += 1;
      else if (entry.state === TAKEN) handedBack += 1;
      else {
        const error = isFailed(entry.state)
          ? entry.state
          : new CleanupError(`Cleanup of "${entryName(entry)}" did not finish within the ${deadlineMs} ms deadline`, {
                code: CLEANUP_DEADLINE_EXCEEDED,
                context: { id: entry.id, name: entryName(entry), deadlineMs },
              });
        const name = typeof error.context.name === 'string' ? error.context.name : entryName(entry);
        failures.push({ id: entry.id, name, code: error.code, reason: error.message, error });
      }
    }
    return { cleaned, handedBack, failures, complete: failures.length === 0, durationMs: performance.now() - started };
  }
}

function stateError(entry: Entry, what: 'get' | 'take'): ResourceStateError {
  const verb = what === 'get' ? 'use' : 'take';
  if (entry.state === TAKEN) {
    return new ResourceStateError(`Cannot ${verb} resource #${entry.id}: it was already handed back by intoInner()`, {
      code: RESOURCE_TAKEN,
      context: { id: entry.id },
    });
  }
  return new ResourceStateError(`Cannot ${verb} resource #${entry.id}: its cleanup has started`, {
    code: ALREADY_CLEANED_UP,
    context: { id: entry.id },
  });
}

/** @internal The error `get()` throws on a released entry. */
export function accessError(entry: Entry): ResourceStateError {
  return stateError(entry, 'get');
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
