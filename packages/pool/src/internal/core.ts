import { describeThrown, expectSignal, isPatinoxError, isThenable, optional, readOptions, toError } from '@patinox/errors';
import { Histogram, createEvent, safeRecord, type Monitor } from '@patinox/monitor';
import type { ConnectionManager } from '../connection-manager.js';
import { PoolClosedError, PoolManagerError, PoolQueueFullError, PoolTimeoutError, PoolValidationError } from '../errors.js';
import { POOL_EVENTS, type PoolEventName } from '../events.js';
import { BoundedCalls, CallTimeoutError } from './bounded-calls.js';
import { expectDelayMs } from './resolve-options.js';
import type { AcquireOptions } from '../options.js';
import type { CloseReport, LeakReport, PoolStats } from '../stats.js';
import { PooledConnection } from '../pooled-connection.js';
import type { LoanOwner } from './loan-owner.js';
import type { ResolvedOptions } from './resolve-options.js';
import { waiterPromise, type Waiter } from './waiter.js';
import { WaiterQueue } from './waiter-queue.js';

// Slot states. A connection lives in a numbered slot; its per-connection data is spread over typed
// arrays indexed by slot (struct of arrays), so an idle connection costs a few dozen bytes and the
// hot path reads and writes numbers instead of allocating records.
const FREE = 0;
const CREATING = 1;
const IDLE = 2;
const BORROWED = 3;
const CHECKING = 4;
const RECYCLING = 5;

const MIN_TICK_MS = 10;
const PENDING_WAITS = 64;
const MAX_TICK_MS = 1000;
const ACQUIRE_OPTION_KEYS = ['timeoutMs', 'signal'] as const;

/** The pool's machinery; {@link Pool} is its validated public face. */
export class PoolCore<C> implements LoanOwner {
  readonly #manager: ConnectionManager<C>;
  readonly #name: string;
  readonly #monitor: Monitor;
  readonly #random: () => number;
  readonly #acquireTimeoutMs: number;
  readonly #createTimeoutMs: number;
  readonly #validationTimeoutMs: number;
  readonly #destroyTimeoutMs: number;
  readonly #idleTimeoutMs: number;
  readonly #maxLifetimeMs: number;
  readonly #healthCheckIntervalMs: number;
  readonly #validateOnBorrow: boolean;
  readonly #skipWindowMs: number;
  readonly #fairQueue: boolean;
  readonly #maxWaiters: number;
  readonly #leakDetectionMs: number;
  readonly #retryDelayMs: number;
  readonly #retryMaxDelayMs: number;
  readonly #trackLoans: boolean;
  readonly #hasRecycle: boolean;
  readonly #hasWatch: boolean;
  #minSize: number;
  #maxSize: number;

  // Struct of arrays, indexed by slot.
  #capacity = 0;
  #conns: (C | undefined)[] = [];
  #loans: (PooledConnection<C> | undefined)[] = [];
  #unwatch: ((() => void) | undefined)[] = [];
  #stacks: (Error | undefined)[] = [];
  #state = new Uint8Array(0);
  #broken = new Uint8Array(0);
  #leakReported = new Uint8Array(0);
  #lastUsedAt = new Float64Array(0);
  #expiresAt = new Float64Array(0);
  #checkAt = new Float64Array(0);
  #borrowedAt = new Float64Array(0);
  #freeSlots = new Int32Array(0);
  #freeTop = 0;
  // Idle connections as an array stack: the most recently used is lent first, so the rest age out.
  #idle = new Int32Array(0);
  #idleTop = 0;

  #size = 0;
  #loaned = 0;
  #checking = 0;
  #borrowChecks = 0;
  #pendingCreates = 0;

  #created = 0;
  #destroyed = 0;
  #acquired = 0;
  #timeouts = 0;
  #aborted = 0;
  #createErrors = 0;
  #validationFailures = 0;
  #validationTimeouts = 0;
  #destroyTimeouts = 0;
  #doubleReleases = 0;
  readonly #waitHistogram = new Histogram();
  // Enqueue times of callers served since the last clock read: their waits are recorded at the next read
  // (the next enqueue, usually microseconds later) or at the latest in a microtask queued before the
  // served caller resumes, so a hand-off costs one clock read instead of two.
  readonly #pendingWaits = new Float64Array(PENDING_WAITS);
  #pendingWaitCount = 0;
  #flushScheduled = false;
  readonly #flushTask = (): void => {
    this.#flushScheduled = false;
    if (this.#pendingWaitCount > 0) this.#now();
  };

  readonly #waiters: WaiterQueue<PooledConnection<C>>;

  #consecutiveFailures = 0;
  #lastCreateError: Error | undefined = undefined;
  #lastValidationError: Error | undefined = undefined;
  #lastValidationAt = -Infinity;
  #retryTimer: NodeJS.Timeout | undefined = undefined;
  readonly #creates = new Set<(error: Error) => void>();
  readonly #destroying = new Set<Promise<void>>();
  readonly #calls = new BoundedCalls();
  #tickTimer: NodeJS.Timeout | undefined = undefined;
  // Time of the last clock read (acquire or tick); release stamps connections with it instead of reading the clock.
  #coarseNow: number;

  #closed = false;
  #closing: Promise<CloseReport> | undefined = undefined;
  #onDrained: (() => void) | undefined = undefined;

  constructor(manager: ConnectionManager<C>, options: ResolvedOptions) {
    this.#manager = manager;
    this.#name = options.name;
    this.#monitor = options.monitor;
    this.#random = options.random;
    this.#minSize = options.minSize;
    this.#maxSize = options.maxSize;
    this.#acquireTimeoutMs = options.acquireTimeoutMs;
    this.#createTimeoutMs = options.createTimeoutMs;
    this.#validationTimeoutMs = options.validationTimeoutMs;
    this.#destroyTimeoutMs = options.destroyTimeoutMs;
    this.#idleTimeoutMs = options.idleTimeoutMs;
    this.#maxLifetimeMs = options.maxLifetimeMs;
    this.#healthCheckIntervalMs = options.healthCheckIntervalMs;
    this.#validateOnBorrow = options.validateOnBorrow;
    this.#skipWindowMs = options.validationSkipWindowMs;
    this.#fairQueue = options.fairQueue;
    this.#maxWaiters = options.maxWaiters;
    this.#leakDetectionMs = options.leakDetectionMs;
    this.#retryDelayMs = options.createRetryDelayMs;
    this.#retryMaxDelayMs = options.createRetryMaxDelayMs;
    this.#trackLoans = options.leakDetectionMs > 0;
    this.#hasRecycle = manager.recycle !== undefined;
    this.#hasWatch = manager.watch !== undefined;
    this.#coarseNow = performance.now();
    this.#waiters = new WaiterQueue(options.acquireTimeoutMs, (waiter, now) => this.#expire(waiter, now));

    const periods = [this.#idleTimeoutMs, this.#maxLifetimeMs, this.#healthCheckIntervalMs, this.#leakDetectionMs].filter((p) => p > 0);
    if (periods.length > 0) {
      const tickMs = Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, Math.floor(Math.min(...periods) / 4)));
      // Maintenance only: it must never keep the process alive.
      this.#tickTimer = setInterval(() => this.#tick(), tickMs);
      this.#tickTimer.unref();
    }
    this.#fillDemand();
  }

  // ---------------------------------------------------------------- acquire

  acquire(options?: AcquireOptions): Promise<PooledConnection<C>> {
    if (options === undefined && this.#waiters.size === 0 && this.#idleTop > 0 && !this.#closed) {
      const slot = this.#takeIdle();
      if (slot >= 0) {
        this.#waitHistogram.record(0);
        // A failed validation inside takeIdle may have dropped the pool below minSize.
        if (this.#size < this.#minSize) this.#fillDemand();
        return Promise.resolve(this.#lend(slot, undefined));
      }
      // An async check started for this caller: queue it behind that check instead of starting another.
      return this.#acquireSlow(undefined, true);
    }
    return this.#acquireSlow(options, false);
  }

  #acquireSlow(options: AcquireOptions | undefined, triedIdle: boolean): Promise<PooledConnection<C>> {
    let timeoutMs = this.#acquireTimeoutMs;
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      const bag = readOptions('options', options, ACQUIRE_OPTION_KEYS);
      timeoutMs = optional('timeoutMs', bag.timeoutMs, expectDelayMs, timeoutMs);
      signal = optional('signal', bag.signal, expectSignal, undefined);
    }
    if (this.#closed) return Promise.reject(new PoolClosedError(this.#name));
    // AbortSignal convention: reject with the reason exactly as the caller gave it.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (!triedIdle && this.#waiters.size === 0 && this.#idleTop > 0) {
      const slot = this.#takeIdle();
      if (slot >= 0) {
        this.#waitHistogram.record(0);
        if (this.#size < this.#minSize) this.#fillDemand();
        return Promise.resolve(this.#lend(slot, undefined));
      }
    }
    if (this.#waiters.size >= this.#maxWaiters) return Promise.reject(new PoolQueueFullError(this.#name, this.#maxWaiters));

    const now = this.#now();
    const deadline = now + timeoutMs;
    const waiter = this.#waiters.node();
    waiter.enqueuedAt = now;
    waiter.deadline = deadline;
    waiter.timeoutMs = timeoutMs;
    waiter.signal = signal;
    if (this.#trackLoans) waiter.stack = new Error('acquired here');
    const promise = waiterPromise(waiter);
    this.#waiters.push(waiter, now);
    if (signal !== undefined) {
      const abortSignal = signal;
      waiter.onAbort = () => {
        if (!waiter.linked) return;
        this.#waiters.remove(waiter);
        this.#aborted += 1;
        waiter.reject(abortSignal.reason);
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    }
    this.#dispatch();
    return promise;
  }

  /** Pops idle connections until one is ready to lend; -1 when none is (an async check may have started). */
  #takeIdle(): number {
    while (this.#idleTop > 0) {
      const slot = this.#idle[--this.#idleTop]!;
      if (!this.#validateOnBorrow) return slot;
      const now = this.#now();
      if (now - this.#lastUsedAt[slot]! <= this.#skipWindowMs) return slot;
      const verdict = this.#check(slot, true);
      if (verdict === true) return slot;
      if (verdict === undefined) return -1;
    }
    return -1;
  }

  #lend(slot: number, stack: Error | undefined): PooledConnection<C> {
    this.#state[slot] = BORROWED;
    this.#loaned += 1;
    this.#acquired += 1;
    const loan = new PooledConnection<C>(this, slot, this.#conns[slot] as C);
    this.#loans[slot] = loan;
    if (this.#trackLoans) {
      this.#borrowedAt[slot] = performance.now();
      this.#stacks[slot] = stack ?? new Error('acquired here');
      this.#leakReported[slot] = 0;
    }
    return loan;
  }

  // ---------------------------------------------------------------- release

  release(slot: number, loan: object, suspect: boolean): void {
    if (this.#loans[slot] !== loan) return;
    this.#loans[slot] = undefined;
    this.#loaned -= 1;
    if (this.#trackLoans) this.#stacks[slot] = undefined;
    const now = this.#coarseNow;
    if (this.#closed || this.#broken[slot] !== 0 || this.#size > this.#maxSize || (this.#maxLifetimeMs > 0 && now >= this.#expiresAt[slot]!)) {
      this.#destroySlot(slot, this.#closed ? 'closed' : this.#broken[slot] !== 0 ? 'error' : this.#size > this.#maxSize ? 'resize' : 'lifetime');
      this.#afterRelease();
      return;
    }
    this.#lastUsedAt[slot] = suspect ? -Infinity : now;
    if (this.#hasRecycle) {
      this.#recycle(slot);
      return;
    }
    if (this.#waiters.size > 0) {
      this.#serve(slot);
      return;
    }
    this.#state[slot] = IDLE;
    this.#idle[this.#idleTop++] = slot;
  }

  destroyLoan(slot: number, loan: object, error: unknown): void {
    if (this.#loans[slot] !== loan) return;
    this.#loans[slot] = undefined;
    this.#loaned -= 1;
    if (this.#trackLoans) this.#stacks[slot] = undefined;
    this.#destroySlot(slot, 'destroyed', error);
    this.#afterRelease();
  }

  countDoubleRelease(): void {
    this.#doubleReleases += 1;
  }

  #afterRelease(): void {
    if (this.#closed) this.#checkDrained();
    else this.#dispatch();
  }

  #recycle(slot: number): void {
    const conn = this.#conns[slot] as C;
    this.#state[slot] = RECYCLING;
    this.#checking += 1;
    let result: unknown;
    try {
      result = this.#manager.recycle!(conn);
    } catch (error) {
      this.#recycled(slot, conn, error);
      return;
    }
    if (!isThenable(result)) {
      this.#recycled(slot, conn, undefined);
      return;
    }
    this.#calls.run(result, 'recycle', this.#validationTimeoutMs).then(
      () => this.#recycled(slot, conn, undefined),
      (error: unknown) => this.#recycled(slot, conn, error),
    );
  }

  #recycled(slot: number, conn: C, error: unknown): void {
    if (this.#conns[slot] !== conn || this.#state[slot] !== RECYCLING) return;
    this.#checking -= 1;
    if (error !== undefined) {
      if (error instanceof CallTimeoutError) this.#validationTimeouts += 1;
      this.#reportManagerError('recycle', error);
      this.#destroySlot(slot, 'recycle-failed', error);
    } else if (this.#closed || this.#broken[slot] !== 0) {
      this.#destroySlot(slot, this.#closed ? 'closed' : 'error');
    } else {
      this.#offer(slot);
    }
    this.#afterRelease();
  }

  // ---------------------------------------------------------------- dispatch

  /** Hands a ready connection to the next waiter, or puts it on the idle stack. */
  #offer(slot: number): void {
    if (this.#waiters.size > 0) {
      this.#serve(slot);
    } else {
      this.#state[slot] = IDLE;
      this.#idle[this.#idleTop++] = slot;
    }
  }

  #serve(slot: number): void {
    const waiter = this.#waiters.take(this.#fairQueue);
    if (this.#pendingWaitCount === PENDING_WAITS) this.#now();
    this.#pendingWaits[this.#pendingWaitCount++] = waiter.enqueuedAt;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flushTask);
    }
    waiter.resolve(this.#lend(slot, waiter.stack));
    this.#waiters.recycle(waiter);
  }

  /** Serves waiters from the idle stack, then starts the creates that waiters and `minSize` still need. */
  #dispatch(): void {
    while (this.#waiters.size > this.#borrowChecks && this.#idleTop > 0) {
      const slot = this.#takeIdle();
      if (slot >= 0) this.#serve(slot);
    }
    this.#fillDemand();
  }

  #fillDemand(): void {
    if (this.#closed || this.#retryTimer !== undefined) return;
    let want = Math.max(this.#waiters.size - this.#pendingCreates - this.#borrowChecks, this.#minSize - this.#size);
    want = Math.min(want, this.#maxSize - this.#size);
    // While creates fail, probe with one at a time instead of hammering a dead server with maxSize.
    if (this.#consecutiveFailures > 0) want = Math.min(want, 1 - this.#pendingCreates);
    for (; want > 0; want -= 1) this.#spawnCreate();
  }

  // ---------------------------------------------------------------- waiters

  /** Settles a waiter whose deadline passed (the queue already removed it) with POOL_TIMEOUT. */
  #expire(waiter: Waiter<PooledConnection<C>>, now: number): void {
    this.#timeouts += 1;
    const connecting = this.#pendingCreates > 0 || this.#retryTimer !== undefined || (this.#lastCreateError !== undefined && this.#size < this.#maxSize);
    const phase = connecting ? 'connect' : 'queue';
    const waitedMs = Math.round(now - waiter.enqueuedAt);
    // In the queue phase a validation failure is only the cause if it happened while this caller waited.
    const cause = connecting ? this.#lastCreateError : this.#lastValidationAt >= waiter.enqueuedAt ? this.#lastValidationError : undefined;
    waiter.reject(
      new PoolTimeoutError(
        connecting
          ? `Pool "${this.#name}" could not open a connection within ${waitedMs} ms${cause === undefined ? '' : `: ${describeThrown(cause)}`}`
          : `Pool "${this.#name}" had no free connection within ${waitedMs} ms (${this.#loaned} of ${this.#maxSize} borrowed)`,
        phase,
        {
          pool: this.#name,
          waitedMs,
          timeoutMs: waiter.timeoutMs,
          size: this.#size,
          maxSize: this.#maxSize,
          borrowed: this.#loaned + this.#checking,
          waiting: this.#waiters.size,
        },
        cause,
      ),
    );
  }

  // ---------------------------------------------------------------- slots

  #allocSlot(): number {
    if (this.#freeTop === 0) this.#grow();
    return this.#freeSlots[--this.#freeTop]!;
  }

  #grow(): void {
    const old = this.#capacity;
    const capacity = Math.max(old + 1, Math.min(Math.max(8, old * 2), Math.max(this.#maxSize, old + 1)));
    const state = new Uint8Array(capacity);
    state.set(this.#state);
    this.#state = state;
    const broken = new Uint8Array(capacity);
    broken.set(this.#broken);
    this.#broken = broken;
    // Per-connection fields of features that are off stay empty: an idle connection costs only what it uses.
    this.#lastUsedAt = growFloat(this.#lastUsedAt, capacity);
    if (this.#maxLifetimeMs > 0) this.#expiresAt = growFloat(this.#expiresAt, capacity);
    if (this.#healthCheckIntervalMs > 0) this.#checkAt = growFloat(this.#checkAt, capacity);
    if (this.#trackLoans) {
      const leakReported = new Uint8Array(capacity);
      leakReported.set(this.#leakReported);
      this.#leakReported = leakReported;
      this.#borrowedAt = growFloat(this.#borrowedAt, capacity);
      this.#stacks = growArray(this.#stacks, capacity);
    }
    const idle = new Int32Array(capacity);
    idle.set(this.#idle);
    this.#idle = idle;
    const freeSlots = new Int32Array(capacity);
    freeSlots.set(this.#freeSlots.subarray(0, this.#freeTop));
    // Push new slots highest first so the lowest index is used first.
    for (let slot = capacity - 1; slot >= old; slot -= 1) freeSlots[this.#freeTop++] = slot;
    this.#freeSlots = freeSlots;
    // Exact-size backing stores: push() would leave up to 50 % slack per connection.
    this.#conns = growArray(this.#conns, capacity);
    this.#loans = growArray(this.#loans, capacity);
    if (this.#hasWatch) this.#unwatch = growArray(this.#unwatch, capacity);
    this.#capacity = capacity;
  }

  #freeSlot(slot: number): void {
    this.#conns[slot] = undefined;
    this.#state[slot] = FREE;
    this.#broken[slot] = 0;
    this.#freeSlots[this.#freeTop++] = slot;
    this.#size -= 1;
  }

  #destroySlot(slot: number, reason: string, cause?: unknown): void {
    const conn = this.#conns[slot] as C;
    const unwatch = this.#hasWatch ? this.#unwatch[slot] : undefined;
    if (unwatch !== undefined) {
      this.#unwatch[slot] = undefined;
      try {
        unwatch();
      } catch (error) {
        this.#reportManagerError('unwatch', error);
      }
    }
    this.#freeSlot(slot);
    this.#destroyed += 1;
    this.#event(POOL_EVENTS.connectionDestroyed, { reason, size: this.#size, ...(cause === undefined ? {} : { error: describeThrown(cause) }) });
    this.#callDestroy(conn);
  }

  #callDestroy(conn: C): void {
    let result: unknown;
    try {
      result = this.#manager.destroy(conn);
    } catch (error) {
      this.#reportManagerError('destroy', error);
      return;
    }
    if (isThenable(result)) {
      const pending: Promise<void> = this.#calls.run(result, 'destroy', this.#destroyTimeoutMs).then(
        () => {
          this.#destroying.delete(pending);
        },
        (error: unknown) => {
          this.#destroying.delete(pending);
          if (error instanceof CallTimeoutError) this.#destroyTimeouts += 1;
          this.#reportManagerError('destroy', error);
        },
      );
      this.#destroying.add(pending);
    }
  }

  #removeIdle(slot: number): void {
    const idle = this.#idle;
    let keep = 0;
    for (let i = 0; i < this.#idleTop; i += 1) {
      const s = idle[i]!;
      if (s !== slot) idle[keep++] = s;
    }
    this.#idleTop = keep;
  }

  // ---------------------------------------------------------------- create

  #spawnCreate(): void {
    const slot = this.#allocSlot();
    this.#state[slot] = CREATING;
    this.#size += 1;
    this.#pendingCreates += 1;
    const controller = new AbortController();
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      this.#creates.delete(abandon);
      this.#pendingCreates -= 1;
      return true;
    };
    const abandon = (error: Error): void => {
      if (!finish()) return;
      controller.abort(error);
      this.#freeSlot(slot);
      this.#createFailed(error);
    };
    const timer = setTimeout(() => {
      abandon(
        new PoolTimeoutError(`create did not finish within ${this.#createTimeoutMs} ms`, 'connect', {
          pool: this.#name,
          timeoutMs: this.#createTimeoutMs,
        }),
      );
    }, this.#createTimeoutMs);
    // A hung create must not keep the process alive; waiters have their own (ref'd) deadline timer.
    timer.unref();
    this.#creates.add(abandon);
    let result: unknown;
    try {
      result = this.#manager.create(controller.signal);
    } catch (error) {
      result = Promise.reject(toError(error));
    }
    Promise.resolve(result).then(
      (conn) => {
        if (!finish()) {
          this.#event(POOL_EVENTS.connectionDestroyed, { reason: 'late', size: this.#size });
          this.#callDestroy(conn as C);
          return;
        }
        this.#onCreated(slot, conn as C);
      },
      (error: unknown) => {
        if (!finish()) return;
        this.#freeSlot(slot);
        this.#createFailed(toError(error));
      },
    );
  }

  #onCreated(slot: number, conn: C): void {
    this.#conns[slot] = conn;
    this.#created += 1;
    this.#consecutiveFailures = 0;
    this.#lastCreateError = undefined;
    const now = this.#now();
    this.#lastUsedAt[slot] = now;
    if (this.#maxLifetimeMs > 0) this.#expiresAt[slot] = now + this.#maxLifetimeMs * (1 - 0.1 * this.#rand());
    if (this.#healthCheckIntervalMs > 0) this.#checkAt[slot] = this.#nextCheck(now);
    if (this.#manager.watch !== undefined) {
      try {
        const unwatch = this.#manager.watch(conn, (error) => this.#connectionError(slot, conn, error));
        if (typeof unwatch === 'function') this.#unwatch[slot] = unwatch;
      } catch (error) {
        this.#reportManagerError('watch', error);
      }
    }
    this.#event(POOL_EVENTS.connectionCreated, { size: this.#size });
    if (this.#broken[slot] !== 0) {
      // The connection reported an error from inside watch(): never lend it.
      this.#destroySlot(slot, 'error');
    } else if (this.#size > this.#maxSize) {
      this.#destroySlot(slot, 'resize');
    } else {
      this.#offer(slot);
    }
    this.#dispatch();
  }

  /** Reads the clock, records the waits of callers served since the last read, and returns the time. */
  #now(): number {
    const now = performance.now();
    this.#coarseNow = now;
    const count = this.#pendingWaitCount;
    if (count > 0) {
      this.#pendingWaitCount = 0;
      const pending = this.#pendingWaits;
      for (let i = 0; i < count; i += 1) this.#waitHistogram.record(now - pending[i]!);
    }
    return now;
  }

  /** The injected random source, clamped so a broken one cannot disable jitter bounds or backoff. */
  #rand(): number {
    const r = this.#random();
    return r >= 0 && r < 1 ? r : 0.5;
  }

  #nextCheck(now: number): number {
    return this.#healthCheckIntervalMs > 0 ? now + this.#healthCheckIntervalMs * (0.9 + 0.2 * this.#rand()) : Infinity;
  }

  #createFailed(error: Error): void {
    if (this.#closed) return;
    this.#createErrors += 1;
    this.#consecutiveFailures += 1;
    this.#lastCreateError = error;
    const ceiling = Math.min(this.#retryMaxDelayMs, this.#retryDelayMs * 2 ** Math.min(30, this.#consecutiveFailures - 1));
    // Equal jitter: at least half the ceiling, so the retry rate stays bounded even with an unlucky random.
    const delayMs = Math.round(ceiling / 2 + (ceiling / 2) * this.#rand());
    this.#event(POOL_EVENTS.createFailed, { error: describeThrown(error), attempt: this.#consecutiveFailures, retryInMs: delayMs });
    if (isPatinoxError(error) && error.recovery === 'fail') {
      this.#waiters.rejectAll(
        () => new PoolManagerError(`Pool "${this.#name}" cannot create connections: ${describeThrown(error)}`, { pool: this.#name }, error),
      );
    }
    if (this.#retryTimer === undefined) {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#dispatch();
      }, delayMs);
      this.#retryTimer.unref();
    }
  }

  // ---------------------------------------------------------------- validation

  /**
   * Runs `isValid` on a slot taken out of the idle stack: true when it passed at once, false when it
   * failed (the slot is destroyed), undefined when the answer is pending (the slot is CHECKING).
   */
  #check(slot: number, forBorrow: boolean): boolean | undefined {
    const conn = this.#conns[slot] as C;
    let verdict: unknown;
    try {
      verdict = this.#manager.isValid(conn);
    } catch (error) {
      this.#invalid(slot, error);
      return false;
    }
    if (!isThenable(verdict)) {
      if (verdict === true) return true;
      this.#invalid(slot, undefined);
      return false;
    }
    this.#state[slot] = CHECKING;
    this.#checking += 1;
    if (forBorrow) this.#borrowChecks += 1;
    this.#calls.run(verdict, 'isValid', this.#validationTimeoutMs).then(
      (valid) => this.#checked(slot, conn, forBorrow, valid === true, undefined),
      (error: unknown) => this.#checked(slot, conn, forBorrow, false, error),
    );
    return undefined;
  }

  #checked(slot: number, conn: C, forBorrow: boolean, valid: boolean, error: unknown): void {
    if (this.#conns[slot] !== conn || this.#state[slot] !== CHECKING) return;
    this.#checking -= 1;
    if (forBorrow) this.#borrowChecks -= 1;
    if (this.#closed || this.#broken[slot] !== 0) {
      this.#destroySlot(slot, this.#closed ? 'closed' : 'error');
    } else if (valid) {
      const now = this.#now();
      if (forBorrow) this.#lastUsedAt[slot] = now;
      else if (this.#healthCheckIntervalMs > 0) this.#checkAt[slot] = this.#nextCheck(now);
      this.#offer(slot);
    } else {
      this.#invalid(slot, error);
    }
    this.#afterRelease();
  }

  #invalid(slot: number, cause: unknown): void {
    this.#validationFailures += 1;
    const timedOut = cause instanceof CallTimeoutError;
    if (timedOut) this.#validationTimeouts += 1;
    const error = new PoolValidationError(
      `A connection of pool "${this.#name}" failed validation${cause === undefined ? '' : `: ${describeThrown(cause)}`}`,
      { pool: this.#name },
      cause,
    );
    this.#lastValidationError = error;
    this.#lastValidationAt = performance.now();
    this.#event(POOL_EVENTS.validationFailed, { error: error.message, timedOut });
    this.#destroySlot(slot, 'invalid', cause);
  }

  // ---------------------------------------------------------------- connection errors

  #connectionError(slot: number, conn: C, error: unknown): void {
    try {
      if (this.#conns[slot] !== conn) return;
      this.#event(POOL_EVENTS.connectionError, { error: describeThrown(error), state: this.#state[slot] === IDLE ? 'idle' : 'borrowed' });
      if (this.#state[slot] === IDLE) {
        this.#removeIdle(slot);
        this.#destroySlot(slot, 'error', error);
        if (!this.#closed) this.#dispatch();
      } else {
        this.#broken[slot] = 1;
      }
    } catch (failure) {
      // Called from a connection's event emitter: throwing here would crash the process.
      this.#reportManagerError('watch', failure);
    }
  }

  // ---------------------------------------------------------------- maintenance

  #tick(): void {
    const now = this.#now();
    const idle = this.#idle;
    let evictable = this.#size - this.#minSize;
    let keep = 0;
    let expired: number[] | undefined;
    let idleOut: number[] | undefined;
    let due: number[] | undefined;
    // Bottom of the stack first: those are the connections idle the longest.
    for (let i = 0; i < this.#idleTop; i += 1) {
      const slot = idle[i]!;
      if (this.#maxLifetimeMs > 0 && now >= this.#expiresAt[slot]!) {
        (expired ??= []).push(slot);
      } else if (this.#idleTimeoutMs > 0 && evictable > 0 && now - this.#lastUsedAt[slot]! >= this.#idleTimeoutMs) {
        evictable -= 1;
        (idleOut ??= []).push(slot);
      } else if (this.#healthCheckIntervalMs > 0 && now >= this.#checkAt[slot]!) {
        (due ??= []).push(slot);
      } else {
        idle[keep++] = slot;
      }
    }
    this.#idleTop = keep;
    if (expired !== undefined) for (const slot of expired) this.#destroySlot(slot, 'lifetime');
    if (idleOut !== undefined) for (const slot of idleOut) this.#destroySlot(slot, 'idle');
    if (due !== undefined) {
      for (const slot of due) {
        if (this.#check(slot, false) === true) {
          this.#checkAt[slot] = this.#nextCheck(now);
          this.#offer(slot);
        }
      }
    }
    if (this.#leakDetectionMs > 0) this.#detectLeaks(now);
    this.#dispatch();
  }

  #detectLeaks(now: number): void {
    for (let slot = 0; slot < this.#capacity; slot += 1) {
      if (this.#loans[slot] === undefined || this.#leakReported[slot] !== 0) continue;
      const heldMs = now - this.#borrowedAt[slot]!;
      if (heldMs < this.#leakDetectionMs) continue;
      this.#leakReported[slot] = 1;
      this.#event(POOL_EVENTS.leakSuspected, { heldMs: Math.round(heldMs), stack: this.#stacks[slot]?.stack });
    }
  }

  // ---------------------------------------------------------------- close and resize

  close(deadlineMs: number): Promise<CloseReport> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    if (this.#tickTimer !== undefined) clearInterval(this.#tickTimer);
    this.#tickTimer = undefined;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#waiters.rejectAll(() => new PoolClosedError(this.#name));
    const closedError = new PoolClosedError(this.#name);
    for (const abandon of [...this.#creates]) abandon(closedError);
    while (this.#idleTop > 0) this.#destroySlot(this.#idle[--this.#idleTop]!, 'closed');
    this.#closing = this.#drain(performance.now() + deadlineMs);
    return this.#closing;
  }

  #checkDrained(): void {
    if (this.#loaned + this.#checking === 0) this.#onDrained?.();
  }

  /** Waits for loans and pending destroys until `endAt` (a `performance.now()` time), never past it. */
  async #drain(endAt: number): Promise<CloseReport> {
    let timedOut = endAt <= performance.now() && this.#loaned + this.#checking > 0;
    if (!timedOut && this.#loaned + this.#checking > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timedOut = true;
          this.#onDrained = undefined;
          resolve();
        }, Math.max(0, endAt - performance.now()));
        this.#onDrained = () => {
          clearTimeout(timer);
          this.#onDrained = undefined;
          resolve();
        };
      });
    }
    const leaked: LeakReport[] = [];
    const now = performance.now();
    for (let slot = 0; slot < this.#capacity; slot += 1) {
      const state = this.#state[slot];
      if (state === BORROWED && this.#loans[slot] !== undefined) {
        const report: LeakReport = {
          heldMs: this.#trackLoans ? Math.round(now - this.#borrowedAt[slot]!) : undefined,
          stack: this.#trackLoans ? this.#stacks[slot]?.stack : undefined,
        };
        leaked.push(report);
        this.#event(POOL_EVENTS.leakReported, { heldMs: report.heldMs, stack: report.stack });
        this.#loans[slot] = undefined;
        if (this.#trackLoans) this.#stacks[slot] = undefined;
        this.#loaned -= 1;
        this.#destroySlot(slot, 'leaked');
      } else if (state === CHECKING || state === RECYCLING) {
        this.#checking -= 1;
        if (state === CHECKING && this.#borrowChecks > 0) this.#borrowChecks = Math.max(0, this.#borrowChecks - 1);
        this.#destroySlot(slot, 'closed');
      }
    }
    // Each destroy is bounded by destroyTimeoutMs, but the close deadline is a promise to the caller: never wait past it.
    const remainingMs = endAt - performance.now();
    if (this.#destroying.size > 0 && remainingMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.#destroying]),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, remainingMs);
        }),
      ]);
      clearTimeout(timer);
    }
    const unsettledDestroys = this.#destroying.size;
    if (unsettledDestroys > 0) timedOut = true;
    this.#destroying.clear();
    this.#calls.stopAll();
    this.#event(POOL_EVENTS.closed, { leaked: leaked.length, timedOut, unsettledDestroys, created: this.#created, destroyed: this.#destroyed });
    return { leaked, timedOut, unsettledDestroys };
  }

  resize(minSize: number, maxSize: number): void {
    if (this.#closed) throw new PoolClosedError(this.#name);
    const from = { minSize: this.#minSize, maxSize: this.#maxSize };
    this.#minSize = minSize;
    this.#maxSize = maxSize;
    // Shrink through the idle connections first, oldest (bottom of the stack) first; borrowed ones go on release.
    const excess = Math.min(this.#size - maxSize, this.#idleTop);
    if (excess > 0) {
      const victims = Array.from(this.#idle.subarray(0, excess));
      this.#idle.copyWithin(0, excess, this.#idleTop);
      this.#idleTop -= excess;
      for (const slot of victims) this.#destroySlot(slot, 'resize');
    }
    this.#event(POOL_EVENTS.resized, { from, to: { minSize, maxSize } });
    this.#dispatch();
  }

  // ---------------------------------------------------------------- observation

  get name(): string {
    return this.#name;
  }

  get minSize(): number {
    return this.#minSize;
  }

  get maxSize(): number {
    return this.#maxSize;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get waitHistogram(): Histogram {
    if (this.#pendingWaitCount > 0) this.#now();
    return this.#waitHistogram;
  }

  stats(): PoolStats {
    if (this.#pendingWaitCount > 0) this.#now();
    const wait = this.#waitHistogram;
    const borrowed = this.#loaned + this.#checking;
    return {
      size: this.#size,
      idle: this.#idleTop,
      borrowed,
      waiting: this.#waiters.size,
      pendingCreates: this.#pendingCreates,
      minSize: this.#minSize,
      maxSize: this.#maxSize,
      created: this.#created,
      destroyed: this.#destroyed,
      acquired: this.#acquired,
      timeouts: this.#timeouts,
      aborted: this.#aborted,
      createErrors: this.#createErrors,
      validationFailures: this.#validationFailures,
      validationTimeouts: this.#validationTimeouts,
      destroyTimeouts: this.#destroyTimeouts,
      doubleReleases: this.#doubleReleases,
      acquireWait: {
        count: wait.count,
        mean: wait.count === 0 ? 0 : wait.sum / wait.count,
        p50: wait.percentile(0.5),
        p95: wait.percentile(0.95),
        p99: wait.percentile(0.99),
        max: wait.max,
      },
      utilization: borrowed / this.#maxSize,
      closed: this.#closed,
    };
  }

  /** Consecutive failed creates since the last success; the health check reads it. */
  get consecutiveCreateFailures(): number {
    return this.#consecutiveFailures;
  }

  #event(type: PoolEventName, data: Record<string, unknown>): void {
    safeRecord(this.#monitor, createEvent(type, this.#name, data));
  }

  #reportManagerError(operation: string, error: unknown): void {
    const wrapped = new PoolManagerError(`Connection manager ${operation} failed in pool "${this.#name}": ${describeThrown(error)}`, { pool: this.#name, operation }, error);
    this.#event(POOL_EVENTS.managerError, { operation, error: wrapped.message, code: wrapped.code });
  }
}

function growArray<T>(old: (T | undefined)[], capacity: number): (T | undefined)[] {
  const next = new Array<T | undefined>(capacity).fill(undefined);
  for (let i = 0; i < old.length; i += 1) next[i] = old[i];
  return next;
}

function growFloat(old: Float64Array<ArrayBuffer>, capacity: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(capacity);
  next.set(old);
  return next;
}
