import { Waiter, resetWaiter } from './waiter.js';

const MAX_SPARE_WAITERS = 1024;

/**
 * The callers waiting for a connection: an intrusive doubly linked list (oldest at the head, O(1) removal
 * on abort or timeout) behind one deadline timer armed at the earliest deadline, and a free list of
 * waiter nodes so a steady queue allocates nothing. The pool decides what an expired waiter is told.
 */
export class WaiterQueue<L> {
  /** Callers waiting; a plain field, read on every acquire. */
  size = 0;
  #head: Waiter<L> | undefined = undefined;
  #tail: Waiter<L> | undefined = undefined;
  readonly #spare: Waiter<L>[] = [];
  readonly #defaultTimeoutMs: number;
  readonly #onExpire: (waiter: Waiter<L>, now: number) => void;
  // While every waiter uses the default timeout, list order is deadline order and expiry scans stop early.
  #uniformDeadlines = true;
  #deadlineTimer: NodeJS.Timeout | undefined = undefined;
  #deadlineAt = Infinity;

  /** `onExpire` settles a waiter whose deadline passed; it is already out of the queue. */
  constructor(defaultTimeoutMs: number, onExpire: (waiter: Waiter<L>, now: number) => void) {
    this.#defaultTimeoutMs = defaultTimeoutMs;
    this.#onExpire = onExpire;
  }

  /** A cleared waiter node, reused when one is spare. */
  node(): Waiter<L> {
    return this.#spare.pop() ?? new Waiter<L>();
  }

  /** Queues `waiter` (its `deadline` and `timeoutMs` set) at the tail, arming the deadline timer if it is the earliest. */
  push(waiter: Waiter<L>, now: number): void {
    waiter.linked = true;
    waiter.prev = this.#tail;
    if (this.#tail === undefined) this.#head = waiter;
    else this.#tail.next = waiter;
    this.#tail = waiter;
    this.size += 1;
    if (waiter.timeoutMs !== this.#defaultTimeoutMs) this.#uniformDeadlines = false;
    if (waiter.deadline < this.#deadlineAt) this.#arm(waiter.deadline, now);
  }

  /** Takes the waiter to serve next: the oldest (`fifo`) or the newest; its abort listener is removed. */
  take(fifo: boolean): Waiter<L> {
    const waiter = fifo ? this.#head! : this.#tail!;
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
    this.size -= 1;
    if (this.size === 0) {
      this.#uniformDeadlines = true;
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

  #arm(deadline: number, now: number): void {
    if (this.#deadlineTimer !== undefined) clearTimeout(this.#deadlineTimer);
    this.#deadlineAt = deadline;
    // Ref'd on purpose: a caller is waiting, and its promise must settle before the process may exit.
    this.#deadlineTimer = setTimeout(this.#onDeadline, Math.max(1, Math.ceil(deadline - now)));
  }

  readonly #onDeadline = (): void => {
    this.#deadlineTimer = undefined;
    this.#deadlineAt = Infinity;
    const now = performance.now();
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
