import type { ConnectionManager } from '../connection-manager.js';
import { PoolClosedError, PoolDrainingError, PoolQueueFullError } from '../errors.js';
import type { AcquireOptions } from '../options.js';
import { PooledConnection } from '../pooled-connection.js';
import type { PoolStats } from '../stats.js';
import { readAcquireOptions, type AcquireRequest } from './acquire-request.js';
import type { Closer } from './closer.js';
import type { Connector } from './connector.js';
import { createCoreParts, type CoreParts } from './core-parts.js';
import type { Destroyer } from './destroyer.js';
import { GATE_DRAINING, GATE_SUSPENDED, type Gate } from './gate.js';
import { NOT_LENT, type LoanOwner } from './loan-owner.js';
import type { ResolvedOptions } from './resolve-options.js';
import type { Returns } from './returns.js';
import { BORROWED, brokenReason, SOUND, type SlotTable } from './slot-table.js';
import type { Supply } from './supply.js';
import { expiredWaiterError } from './timeout-error.js';
import type { Validator } from './validator.js';
import type { WaitRecorder } from './wait-recorder.js';
import { waiterPromise, type Waiter } from './waiter.js';
import type { WaiterQueue } from './waiter-queue.js';

/** The counters of {@link PoolStats} that the core keeps. */
export type CoreCounts = Pick<PoolStats, 'acquired' | 'timeouts' | 'aborted' | 'doubleReleases'>;

/**
 * The pool's lending machinery: acquire, release and dispatch to waiters. {@link Supply} opens the
 * connections it lends and {@link Returns} brings back those that went through a check; {@link Pool} is
 * its validated public face; {@link PoolControl} runs the operations that are not lending (close, resize,
 * eviction, stats).
 */
export class PoolCore<C> implements LoanOwner {
  readonly #name: string;
  readonly #acquireTimeoutMs: number;
  readonly #maxLifetimeMs: number;
  readonly #validateOnBorrow: boolean;
  readonly #validateOnReturn: boolean;
  readonly #skipWindowMs: number;
  readonly #fairQueue: boolean;
  readonly #maxWaiters: number;
  readonly #trackLoans: boolean;
  readonly #captureStacks: boolean;
  readonly #hasRecycle: boolean;
  #minSize: number;
  #maxSize: number;

  readonly #slots: SlotTable<C>;
  readonly #connector: Connector<C>;
  readonly #validator: Validator<C>;
  readonly #waiters: WaiterQueue<PooledConnection<C>>;

  readonly #destroyer: Destroyer<C>;
  readonly #waits: WaitRecorder;
  readonly #gate: Gate;
  readonly #closer: Closer<C>;
  readonly #supply: Supply<C>;
  readonly #returns: Returns<C>;

  #acquired = 0;
  #timeouts = 0;
  #aborted = 0;
  #doubleReleases = 0;

  #closed = false;
  readonly #parts: CoreParts<C>;

  constructor(manager: ConnectionManager<C>, options: ResolvedOptions) {
    this.#name = options.name;
    this.#minSize = options.minSize;
    this.#maxSize = options.maxSize;
    this.#acquireTimeoutMs = options.acquireTimeoutMs;
    this.#maxLifetimeMs = options.maxLifetimeMs;
    this.#validateOnBorrow = options.validateOnBorrow;
    this.#validateOnReturn = options.validateOnReturn;
    this.#skipWindowMs = options.validationSkipWindowMs;
    this.#fairQueue = options.fairQueue;
    this.#maxWaiters = options.maxWaiters;
    this.#captureStacks = options.captureAcquireStacks;
    this.#trackLoans = options.leakDetectionMs > 0 || options.captureAcquireStacks;
    this.#hasRecycle = manager.recycle !== undefined;
    const parts = createCoreParts(manager, options, {
      isClosed: () => this.#closed,
      minSize: () => this.#minSize,
      maxSize: () => this.#maxSize,
      dispatch: () => this.#dispatch(),
      expire: (waiter, now) => this.#expire(waiter, now),
      afterRelease: () => this.#afterRelease(),
      offer: (slot) => this.#offer(slot),
    });
    this.#parts = parts;
    // Each part again in a field of its own: the lending path reads them without going through #parts.
    this.#slots = parts.slots;
    this.#connector = parts.connector;
    this.#validator = parts.validator;
    this.#waiters = parts.waiters;
    this.#destroyer = parts.destroyer;
    this.#waits = parts.waits;
    this.#gate = parts.gate;
    this.#closer = parts.closer;
    this.#supply = parts.supply;
    this.#returns = parts.returns;
    this.#supply.fill();
  }

  // ---------------------------------------------------------------- acquire

  acquire(options?: AcquireOptions): Promise<PooledConnection<C>> {
    if (options === undefined && this.#waiters.size === 0 && this.#slots.idleCount > 0 && this.#gate.bits === 0) {
      // When none passed its check at once (an async one started), the caller queues behind that check.
      return this.#lendIdle() ?? this.#acquireSlow(undefined, true);
    }
    return this.#acquireSlow(options === undefined ? undefined : readAcquireOptions(options, this.#acquireTimeoutMs), false);
  }

  /** Validates `acquire`'s options; throws a `TypeError`/`RangeError` for a malformed one. */
  readAcquireOptions(options: AcquireOptions): AcquireRequest {
    return readAcquireOptions(options, this.#acquireTimeoutMs);
  }

  /** `acquire` with options already read by {@link readAcquireOptions}. */
  acquireRequest(request: AcquireRequest | undefined): Promise<PooledConnection<C>> {
    return this.#acquireSlow(request, false);
  }

  #acquireSlow(request: AcquireRequest | undefined, triedIdle: boolean): Promise<PooledConnection<C>> {
    let timeoutMs = this.#acquireTimeoutMs;
    let signal: AbortSignal | undefined;
    let priority = 0;
    if (request !== undefined) {
      timeoutMs = request.timeoutMs;
      signal = request.signal;
      priority = request.priority;
    }
    if (this.#closed) return Promise.reject(new PoolClosedError(this.#name));
    if ((this.#gate.bits & GATE_DRAINING) !== 0) return Promise.reject(new PoolDrainingError(this.#name));
    // AbortSignal convention: reject with the reason exactly as the caller gave it.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (!triedIdle && this.#gate.bits === 0 && this.#waiters.size === 0 && this.#slots.idleCount > 0) {
      const loan = this.#lendIdle();
      if (loan !== undefined) return loan;
    }
    if (this.#waiters.size >= this.#maxWaiters && this.#waiters.size >= this.#maxWaiters + this.#openingRoom()) {
      return Promise.reject(new PoolQueueFullError(this.#name, this.#maxWaiters));
    }
    const promise = this.#enqueue(timeoutMs, signal, priority);
    // Saturated (nothing idle, no room to open more), a dispatch pass would find nothing to do.
    if (this.#slots.idleCount > 0 || this.#slots.size < this.#maxSize) this.#dispatch();
    return promise;
  }

  /**
   * Waiters that are served by a connection being opened or checked for them, or one there is still room
   * to open: they do not wait for a busy connection, so `maxWaiters` does not count them.
   */
  #openingRoom(): number {
    if ((this.#gate.bits & GATE_SUSPENDED) !== 0) return 0;
    return Math.max(0, this.#maxSize - this.#slots.size) + this.#connector.pending + this.#validator.borrowChecks;
  }

  /** Lends an idle connection at once; undefined when none passed its check (an async one may have started). */
  #lendIdle(): Promise<PooledConnection<C>> | undefined {
    const slot = this.#takeIdle();
    if (slot < 0) return undefined;
    this.#waits.servedAtOnce();
    // A failed validation inside takeIdle may have dropped the pool below minSize.
    if (this.#slots.size < this.#minSize) this.#supply.fill();
    return Promise.resolve(this.#lend(slot, undefined));
  }

  /** Queues a caller (who then dispatches if a connection may be idle or due to be opened). */
  #enqueue(timeoutMs: number, signal: AbortSignal | undefined, priority: number): Promise<PooledConnection<C>> {
    const waiter = this.#waiters.node();
    waiter.timeoutMs = timeoutMs;
    waiter.signal = signal;
    waiter.priority = priority;
    if (this.#captureStacks) waiter.stack = new Error('acquired here');
    const promise = waiterPromise(waiter);
    const first = this.#waiters.size === 0;
    this.#waiters.push(waiter);
    // Stamped (its deadline set) at the clock's next read (see WaitRecorder), at once when it waits behind
    // no one: the deadline timer starts with it, and a pool that queues now and then stays exact.
    this.#waits.queued();
    if (first) this.#waits.now();
    if (signal !== undefined) this.#waiters.listen(waiter, signal, this.#onAborted);
    return promise;
  }

  readonly #onAborted = (): void => {
    this.#aborted += 1;
    this.#gate.settled();
  };

  /** Takes idle connections until one is ready to lend; -1 when none is (an async check may have started). */
  #takeIdle(): number {
    const slots = this.#slots;
    while (slots.idleCount > 0) {
      const slot = slots.popIdle();
      if (!this.#validateOnBorrow) return slot;
      const now = this.#waits.now();
      if (now - slots.lastUsedAt[slot]! <= this.#skipWindowMs) return slot;
      const verdict = this.#validator.check(slot, true);
      if (verdict === true) return slot;
      if (verdict === undefined) return -1;
    }
    return -1;
  }

  #lend(slot: number, stack: Error | undefined): PooledConnection<C> {
    const slots = this.#slots;
    slots.state[slot] = BORROWED;
    this.#slots.loaned += 1;
    this.#acquired += 1;
    const loan = new PooledConnection<C>(this, slot);
    slots.loans[slot] = loan;
    if (slots.fresh[slot] !== 0) {
      slots.fresh[slot] = 0;
      this.#connector.confirmed();
    }
    if (this.#trackLoans) {
      slots.borrowedAt[slot] = performance.now();
      slots.stacks[slot] = this.#captureStacks ? (stack ?? new Error('acquired here')) : undefined;
      slots.leakReported[slot] = 0;
    }
    return loan;
  }

  // ---------------------------------------------------------------- release

  release(slot: number, loan: object, suspect: boolean): void {
    const slots = this.#slots;
    if (slots.loans[slot] !== loan) return;
    slots.loans[slot] = undefined;
    this.#slots.loaned -= 1;
    if (this.#trackLoans) slots.stacks[slot] = undefined;
    const now = this.#waits.coarseNow;
    if (this.#closed || slots.broken[slot] !== SOUND || this.#slots.size > this.#maxSize || (this.#maxLifetimeMs > 0 && now >= slots.expiresAt[slot]!)) {
      this.#destroyer.slot(slot, this.#closed ? 'closed' : slots.broken[slot] !== SOUND ? brokenReason(slots.broken[slot]!) : this.#slots.size > this.#maxSize ? 'resize' : 'lifetime');
      this.#afterRelease();
      return;
    }
    slots.lastUsedAt[slot] = suspect ? -Infinity : now;
    if (this.#hasRecycle) {
      this.#validator.recycle(slot);
      return;
    }
    if (this.#validateOnReturn) {
      this.#returns.check(slot);
      return;
    }
    if (this.#waiters.size > 0 && (this.#gate.bits & GATE_SUSPENDED) === 0) {
      this.#serve(slot);
    } else {
      slots.pushIdle(slot);
    }
    if (this.#gate.bits !== 0) this.#gate.settled();
  }

  destroyLoan(slot: number, loan: object, error: unknown): void {
    const slots = this.#slots;
    if (slots.loans[slot] !== loan) return;
    slots.loans[slot] = undefined;
    this.#slots.loaned -= 1;
    if (this.#trackLoans) slots.stacks[slot] = undefined;
    this.#destroyer.slot(slot, 'destroyed', error);
    this.#afterRelease();
  }

  connectionOf(slot: number, loan: object): unknown {
    const slots = this.#slots;
    return slots.loans[slot] === loan ? slots.conns[slot] : NOT_LENT;
  }

  countDoubleRelease(): void {
    this.#doubleReleases += 1;
  }

  #afterRelease(): void {
    if (this.#closed) this.#closer.settled();
    else {
      this.#dispatch();
      if (this.#gate.bits !== 0) this.#gate.settled();
    }
  }

  // ---------------------------------------------------------------- dispatch

  /** Hands a ready connection to the next waiter, or puts it with the idle ones. */
  #offer(slot: number): void {
    if (this.#waiters.size > 0 && (this.#gate.bits & GATE_SUSPENDED) === 0) this.#serve(slot);
    else this.#slots.pushIdle(slot);
  }

  #serve(slot: number): void {
    const waiter = this.#waiters.take(this.#fairQueue);
    this.#waits.served(waiter.enqueuedAt);
    waiter.resolve(this.#lend(slot, waiter.stack));
    this.#waiters.recycle(waiter);
  }

  /** Serves waiters from the idle connections, then starts the creates that waiters and `minSize` still need. */
  #dispatch(): void {
    if ((this.#gate.bits & GATE_SUSPENDED) === 0) {
      while (this.#waiters.size > this.#validator.borrowChecks && this.#slots.idleCount > 0) {
        const slot = this.#takeIdle();
        if (slot >= 0) this.#serve(slot);
      }
    }
    this.#supply.fill();
  }

  // ---------------------------------------------------------------- waiters

  /** Settles a waiter whose deadline passed (the queue already removed it) with POOL_TIMEOUT. */
  #expire(waiter: Waiter<PooledConnection<C>>, now: number): void {
    this.#timeouts += 1;
    waiter.reject(expiredWaiterError(this.#name, waiter, now, this.#parts, this.#maxSize));
    this.#gate.settled();
  }

  // ---------------------------------------------------------------- for PoolControl

  /** The collaborators, for {@link PoolControl}, which runs the operations that are not lending. */
  get parts(): CoreParts<C> {
    return this.#parts;
  }

  /** The counters `stats()` reports. */
  counts(): CoreCounts {
    return {
      acquired: this.#acquired,
      timeouts: this.#timeouts,
      aborted: this.#aborted,
      doubleReleases: this.#doubleReleases,
    };
  }

  /** From now on nothing is lent, created or offered; returned connections are destroyed. */
  markClosed(): void {
    this.#closed = true;
  }

  setSizes(minSize: number, maxSize: number): void {
    this.#minSize = minSize;
    this.#maxSize = maxSize;
  }

  /** Serves waiters and starts the creates still needed (see `#dispatch`). */
  dispatch(): void {
    this.#dispatch();
  }

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
}
