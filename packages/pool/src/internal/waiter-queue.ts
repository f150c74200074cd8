import { Waiter, resetWaiter } from './waiter.js';
import { CLOCK_BATCH } from './wait-recorder.js';

// Enough for the churn of a steady queue (one node out, one back per hand-off); a burst of thousands of
// waiters is not kept around afterwards, which would cost every idle pool that much memory.
const MAX_SPARE_WAITERS = 128;

/**
 * Of any this many consecutive hand-offs while callers of several priorities wait, at least one goes
 * to the caller that has waited longest: priorities reorder the queue but cannot starve anyone.
 */
export const PRIORITY_AGING_HANDOFFS = 8;

/** The waiters of one priority, oldest at the head. */
class PriorityLevel<L> {
  head: Waiter<L> | undefined = undefined;
  tail: Waiter<L> | undefined = undefined;
  size = 0;
  constructor(readonly priority: number) {}
}

/** Puts `waiter` at the tail of `level`. */
function append<L>(level: PriorityLevel<L>, waiter: Waiter<L>): void {
  waiter.levelPrev = level.tail;
  waiter.levelNext = undefined;
  if (level.tail === undefined) level.head = waiter;
  else level.tail.levelNext = waiter;
  level.tail = waiter;
  level.size += 1;
}

/**
 * The callers waiting for a connection: an intrusive doubly linked list in arrival order (O(1) removal
 * on abort or timeout), one more list per priority in use, one deadline timer armed at the earliest
 * deadline, and a free list of waiter nodes so a steady queue allocates nothing. The pool decides what
 * an expired waiter is told.
 *
 * Hand-off order: the highest priority first, oldest first within it (`fifo`) or newest first; in `fifo`
 * mode the longest-waiting caller is passed over at most {@link PRIORITY_AGING_HANDOFFS} − 1 times in a row.
 */
export class WaiterQueue<L> {
  /** Callers waiting; a plain field, read on every acquire. */
  size = 0;
  #head: Waiter<L> | undefined = undefined;
  #tail: Waiter<L> | undefined = undefined;
  readonly #defaultLevel = new PriorityLevel<L>(0);
  // Levels in use, highest priority first; the default level always stays, others leave when empty.
  readonly #levels: PriorityLevel<L>[] = [this.#defaultLevel];
  // Hand-offs in a row that passed over the oldest waiter.
  #passedOver = 0;
  readonly #spare: Waiter<L>[] = [];
  readonly #defaultTimeoutMs: number;
  readonly #onExpire: (waiter: Waiter<L>, now: number) => void;
  // While every waiter uses the default timeout, list order is deadline order and expiry scans stop early.
  #uniformDeadlines = true;
  #deadlineTimer: NodeJS.Timeout | undefined = undefined;
  #deadlineAt = Infinity;
  // Waiters queued since the last clock read, to stamp at the next (see WaitRecorder); may hold
  // waiters that left the queue since, which stamp() skips.
  readonly #unstamped: (Waiter<L> | undefined)[] = new Array<Waiter<L> | undefined>(CLOCK_BATCH).fill(undefined);
  #unstampedCount = 0;
  readonly #now: () => number;

  /**
   * `onExpire` settles a waiter whose deadline passed; it is already out of the queue. `now` reads the
   * pool's clock (which calls {@link stamp}).
   */
  constructor(defaultTimeoutMs: number, now: () => number, onExpire: (waiter: Waiter<L>, now: number) => void) {
    this.#defaultTimeoutMs = defaultTimeoutMs;
    this.#now = now;
    this.#onExpire = onExpire;
  }

  /** A cleared waiter node, reused when one is spare. */
  node(): Waiter<L> {
    return this.#spare.pop() ?? new Waiter<L>();
  }

  /**
   * Queues `waiter` (its `timeoutMs` and `priority` set) at the tail, unstamped: the caller then notes it
   * to the pool's clock, whose next read (within {@link CLOCK_BATCH} notes) stamps it through {@link stamp}.
   */
  push(waiter: Waiter<L>): void {
    waiter.enqueuedAt = NaN;
    waiter.deadline = Infinity;
    this.#unstamped[this.#unstampedCount++] = waiter;
    waiter.linked = true;
    waiter.prev = this.#tail;
    if (this.#tail === undefined) this.#head = waiter;
    else this.#tail.next = waiter;
    this.#tail = waiter;
    // While only the default priority is in use, its level list would repeat the arrival list: it is
    // not kept, and is rebuilt from the arrival list when a second priority arrives.
    if (waiter.priority !== 0 || this.#levels.length > 1) this.#linkLevel(waiter);
    this.size += 1;
    if (waiter.timeoutMs !== this.#defaultTimeoutMs) this.#uniformDeadlines = false;
  }

  /**
   * Stamps the waiters queued since the last clock read with `now` (their deadlines count from it) and
   * arms the deadline timer if one of them is the earliest. Stamps come in queue order, so while every
   * waiter has the default timeout, queue order stays deadline order.
   */
  stamp(now: number): void {
    const count = this.#unstampedCount;
    if (count === 0) return;
    this.#unstampedCount = 0;
    const unstamped = this.#unstamped;
    let earliest = Infinity;
    for (let i = 0; i < count; i += 1) {
      const waiter = unstamped[i]!;
      unstamped[i] = undefined;
      // Skips waiters that left (a node reused since is listed again, and stamped once).
      if (!waiter.linked || waiter.enqueuedAt === waiter.enqueuedAt) continue;
      waiter.enqueuedAt = now;
      waiter.deadline = now + waiter.timeoutMs;
      if (waiter.deadline < earliest) earliest = waiter.deadline;
    }
    if (earliest < this.#deadlineAt) this.#arm(earliest, now);
  }

  /**
   * Rejects `waiter` with `signal.reason` and takes it out of the queue when `signal` aborts while it
   * waits, then calls `aborted`; the listener goes when the waiter leaves the queue otherwise.
   */
  listen(waiter: Waiter<L>, signal: AbortSignal, aborted: () => void): void {
    waiter.onAbort = () => {
      if (!waiter.linked) return;
      this.remove(waiter);
      waiter.reject(signal.reason);
      aborted();
    };
    signal.addEventListener('abort', waiter.onAbort, { once: true });
  }

  /** Takes the waiter to serve next (see the class comment); its abort listener is removed. */
  take(fifo: boolean): Waiter<L> {
    let waiter: Waiter<L>;
    if (this.#levels.length === 1) {
      waiter = fifo ? this.#head! : this.#tail!;
    } else {
      let level = this.#levels[0]!;
      for (let i = 1; level.size === 0; i += 1) level = this.#levels[i]!;
      waiter = fifo ? level.head! : level.tail!;
      if (fifo && waiter !== this.#head) {
        if (this.#passedOver >= PRIORITY_AGING_HANDOFFS - 1) waiter = this.#head!;
        else this.#passedOver += 1;
      }
    }
    if (waiter === this.#head) this.#passedOver = 0;
    this.remove(waiter);
    if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort);
    return waiter;
  }

  /** Unlinks `waiter`; the deadline timer stops with the last one. */
  remove(waiter: Waiter<L>): void {
    waiter.linked = false;
    const { prev, next } = waiter;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    waiter.prev = undefined;
    waiter.next = undefined;
    if (this.#levels.length > 1) this.#unlinkLevel(waiter);
    this.size -= 1;
    if (this.size === 0) {
      this.#uniformDeadlines = true;
      this.#passedOver = 0;
      if (this.#deadlineTimer !== undefined) {
        clearTimeout(this.#deadlineTimer);
        this.#deadlineTimer = undefined;
        this.#deadlineAt = Infinity;
      }
    }
  }

  /** Keeps a settled waiter's node for reuse; one with an abort listener may still be referenced by it. */
  recycle(waiter: Waiter<L>): void {
    if (waiter.onAbort === undefined && this.#spare.length < MAX_SPARE_WAITERS) {
      resetWaiter(waiter);
      this.#spare.push(waiter);
    }
  }

  /** Rejects every waiter with a fresh error from `makeError`. */
  rejectAll(makeError: () => Error): void {
    while (this.#head !== undefined) {
      const waiter = this.#head;
      this.remove(waiter);
      if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort);
      waiter.reject(makeError());
    }
  }

  #linkLevel(waiter: Waiter<L>): void {
    let level = this.#defaultLevel;
    if (waiter.priority !== 0) {
      if (this.#levels.length === 1) this.#rebuildDefaultLevel();
      level = this.#level(waiter.priority);
    }
    append(level, waiter);
  }

  #unlinkLevel(waiter: Waiter<L>): void {
    const level = waiter.priority === 0 ? this.#defaultLevel : this.#level(waiter.priority);
    const { levelPrev, levelNext } = waiter;
    if (levelPrev === undefined) level.head = levelNext;
    else levelPrev.levelNext = levelNext;
    if (levelNext === undefined) level.tail = levelPrev;
    else levelNext.levelPrev = levelPrev;
    waiter.levelPrev = undefined;
    waiter.levelNext = undefined;
    level.size -= 1;
    if (level.size === 0 && level !== this.#defaultLevel) this.#levels.splice(this.#levels.indexOf(level), 1);
  }

  /** Lists the queued default-priority waiters in the default level, in arrival order (a second priority arrived). */
  #rebuildDefaultLevel(): void {
    const level = this.#defaultLevel;
    level.head = undefined;
    level.tail = undefined;
    level.size = 0;
    for (let waiter = this.#head; waiter !== undefined; waiter = waiter.next) {
      if (waiter.priority !== 0) continue;
      append(level, waiter);
    }
  }

  /** The level of a non-default priority, created (in order) when missing. */
  #level(priority: number): PriorityLevel<L> {
    const levels = this.#levels;
    let i = 0;
    while (i < levels.length && levels[i]!.priority > priority) i += 1;
    if (i < levels.length && levels[i]!.priority === priority) return levels[i]!;
    const level = new PriorityLevel<L>(priority);
    levels.splice(i, 0, level);
    return level;
  }

  #arm(deadline: number, now: number): void {
    if (this.#deadlineTimer !== undefined) clearTimeout(this.#deadlineTimer);
    this.#deadlineAt = deadline;
    // Ref'd on purpose: a caller is waiting, and its promise must settle before the process may exit.
    this.#deadlineTimer = setTimeout(this.#onDeadline, Math.max(1, Math.ceil(deadline - now)));
  }

  readonly #onDeadline = (): void => {
    this.#deadlineTimer = undefined;
    this.#deadlineAt = Infinity;
    // Stamps the waiters queued since the last read (they cannot be due yet), maybe arming the timer anew.
    const now = this.#now();
    let next = Infinity;
    for (let waiter = this.#head; waiter !== undefined; ) {
      const following = waiter.next;
      if (waiter.deadline <= now) {
        this.remove(waiter);
        if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort);
        this.#onExpire(waiter, now);
        this.recycle(waiter);
      } else if (this.#uniformDeadlines) {
        next = waiter.deadline;
        break;
      } else if (waiter.deadline < next) {
        next = waiter.deadline;
      }
      waiter = following;
    }
    if (next < Infinity && this.size > 0) this.#arm(next, now);
  };
}
