import { backoffDelay, describeThrown, isPatinoxError, isThenable } from '@patinox/errors';
import { Histogram, createEvent, safeRecord, type Monitor } from '@patinox/monitor';
import PQueue from 'p-queue';
import { CleanupError, RESOURCE_CLEANUP_FAILED, RESOURCE_CLEANUP_TIMEOUT } from '../errors.js';
import { RESOURCE_EVENTS } from '../events.js';
import type { CleanupFn } from '../guard.js';
import { DeadlineQueue } from './deadlines.js';
import { CLEANED, RUNNING, typeName, type Final, type Outcome, type Page } from './entry.js';

/** What the runner needs from its registry. */
export interface RunnerHost {
  /** Frees a finished slot and hands its final state to the guard (`guard` when the caller has it). */
  release(page: Page, i: number, final: Final, guard: object | undefined): void;
  /** Monotonic ms for deadline origins, cached per macrotask. */
  clockNow(): number;
  /**
   * True when the registry's end-of-macrotask tick is pending; it then runs even if nothing else keeps the
   * event loop turning (the deadline timer's unref is deferred to it).
   */
  holdTick(): boolean;
}

/** The runner's settings, validated by the registry. */
export interface RunnerOptions {
  readonly name: string;
  readonly monitor: Monitor;
  /** Emit `resource.cleaned` per resource. */
  readonly events: boolean;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
}

const noop = (): void => undefined;

/** Waits for an outcome without rethrowing: failures are already counted, reported and handed to the guard. */
export function quiet(outcome: Outcome): Promise<void> {
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


/** The slot's name for events and reports: its `name` option, or its resource's type name. */
export function slotName(page: Page, i: number): string {
  return page.infos[i]!.name ?? typeName(page.resources[i]);
}

/**
 * Runs cleanups: one attempt at a time per resource, each bounded by its timeout (one shared timer, see
 * DeadlineQueue), retried with backoff when it fails with a retryable Patinox error, and counted. Runs
 * asked for by leaks, `forceCleanupAll()` and `shutdown()` go through a priority queue with bounded
 * concurrency; `cleanup()` runs at once. Whatever a cleanup throws, it ends as a recorded failure.
 */
export class CleanupRunner {
  readonly #host: RunnerHost;
  readonly #name: string;
  readonly #monitor: Monitor;
  readonly #events: boolean;
  readonly #concurrency: number;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #retryBaseDelayMs: number;
  readonly #retryMaxDelayMs: number;
  readonly #deadlines = new DeadlineQueue(() => this.#host.holdTick());
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  readonly durations = new Histogram();
  #queue: PQueue | undefined;
  #timedRuns = 0;
  #detached = false;
  cleaned = 0;
  failed = 0;
  timedOut = 0;
  retried = 0;

  constructor(host: RunnerHost, options: RunnerOptions) {
    this.#host = host;
    this.#name = options.name;
    this.#monitor = options.monitor;
    this.#events = options.events;
    this.#concurrency = options.concurrency;
    this.#timeoutMs = options.timeoutMs;
    this.#maxRetries = options.maxRetries;
    this.#retryBaseDelayMs = options.retryBaseDelayMs;
    this.#retryMaxDelayMs = options.retryMaxDelayMs;
  }

  /** Cleanups waiting in the queue (not yet started). */
  get waiting(): number {
    return this.#queue === undefined ? 0 : this.#queue.size;
  }

  /** Cleanups waiting in or running from the queue. */
  get queued(): number {
    return this.#queue === undefined ? 0 : this.#queue.size + this.#queue.pending;
  }

  /** Cleanups the queue runs at once. */
  get concurrency(): number {
    return this.#concurrency;
  }

  /** The end of a macrotask: unref the deadline timer if nothing is pending (see DeadlineQueue.finish). */
  idle(): void {
    this.#deadlines.idle();
  }

  /**
   * For a shut-down registry: cleanups that outlived its deadline keep running, but nothing of ours may
   * hold the event loop: their timeout timer and any retry backoff become unref'd, now and later.
   */
  detach(): void {
    this.#detached = true;
    this.#deadlines.detach();
    for (const timer of this.#retryTimers) timer.unref();
    this.#retryTimers.clear();
  }

  /** `guard` is the slot's guard when the caller has it (saves a WeakRef.deref() at release). */
  run(page: Page, i: number, guard: object | undefined): Outcome {
    const fn = page.fns[i];
    if (typeof fn !== 'function') return fn === RUNNING ? undefined : (fn as Promise<void>);
    page.fns[i] = RUNNING;
    // Durations are sampled, 1 run in 16: a clock read costs 100-200 ns on some VMs, as much as the
    // rest of a synchronous round trip. -1 means "not timed".
    this.#timedRuns += 1;
    return this.#attempt(page, i, page.ids[i]!, fn as CleanupFn<unknown>, 1, (this.#timedRuns & 15) === 0 ? performance.now() : -1, guard);
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
      const attemptStart = attempt === 1 && started >= 0 ? started : this.#host.clockNow();
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
      if (!this.#deadlines.finish(waiter)) return;
      this.#succeed(page, i, started, guard);
      resolve();
    };
    const onRejected = (error: unknown): void => {
      if (!this.#deadlines.finish(waiter)) return;
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
      this.retried += 1;
      const delayMs = backoffDelay(attempt, this.#retryBaseDelayMs, this.#retryMaxDelayMs);
      safeRecord(this.#monitor, createEvent(RESOURCE_EVENTS.retry, this.#name, { id, name, attempt, delayMs, message: describeThrown(thrown) }));
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
    if (durationMs !== undefined) this.durations.record(durationMs);
    this.cleaned += 1;
    if (this.#events) safeRecord(this.#monitor, createEvent(RESOURCE_EVENTS.cleaned, this.#name, { id: page.ids[i]!, name: slotName(page, i), durationMs }));
    this.#host.release(page, i, CLEANED, guard);
  }

  #fail(page: Page, i: number, started: number, error: CleanupError, guard: object | undefined): CleanupError {
    if (started >= 0) this.durations.record(performance.now() - started);
    this.failed += 1;
    if (error.code === RESOURCE_CLEANUP_TIMEOUT) this.timedOut += 1;
    safeRecord(
      this.#monitor,
      createEvent(RESOURCE_EVENTS.failed, this.#name, { id: page.ids[i]!, name: slotName(page, i), code: error.code, message: error.message }),
    );
    this.#host.release(page, i, error, guard);
    return error;
  }

  /** Backoff before a retry: ref'd (a caller or a shutdown report waits on it) until `detach()`. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#retryTimers.delete(timer);
        resolve();
      }, ms);
      if (this.#detached) timer.unref();
      else this.#retryTimers.add(timer);
    });
  }

  /** Runs the slot's cleanup from the queue, unless the slot was released meanwhile; resolves when it ends, never rejects. */
  enqueue(page: Page, i: number, id: number, priority: number): Promise<unknown> {
    this.#queue ??= new PQueue({ concurrency: this.#concurrency });
    // By its turn the slot may have been cleaned, handed back, or reused by another resource: check the id.
    const task = (): Promise<void> => (page.ids[i] === id && page.fns[i] !== undefined ? quiet(this.run(page, i, undefined)) : DONE);
    return this.#queue.add(task, { priority }).then(undefined, (error: unknown) => {
      // #run never throws; this only reports a bug instead of leaving an unhandled rejection.
      safeRecord(this.#monitor, createEvent(RESOURCE_EVENTS.failed, this.#name, { id, code: 'INTERNAL', message: describeThrown(error) }));
    });
  }
}
