/** One attempt waiting for its promise or its deadline. */
export interface Waiter {
  readonly deadline: number;
  done: boolean;
  readonly onTimeout: () => void;
}

/**
 * Timeouts of in-flight cleanup attempts behind a single timer. A setTimeout/clearTimeout pair costs about
 * a microsecond on a busy VM, more than the rest of an async cleanup; here an attempt costs an array push.
 *
 * Attempts are kept in one FIFO per timeout value: `deadline = now + timeoutMs` with a monotonic clock,
 * so each FIFO is sorted and only its head can be due. The timer is ref'd while an attempt is pending
 * (something waits on its outcome) and unref'd when none is, so an idle registry never holds the process.
 */
export class DeadlineQueue {
  readonly #lists = new Map<number, { items: Waiter[]; head: number }>();
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #pending = 0;

  /** Number of attempts not yet finished or timed out. */
  get pending(): number {
    return this.#pending;
  }

  add(timeoutMs: number, now: number, onTimeout: () => void): Waiter {
    const waiter: Waiter = { deadline: now + timeoutMs, done: false, onTimeout };
    let list = this.#lists.get(timeoutMs);
    if (list === undefined) {
      list = { items: [], head: 0 };
      this.#lists.set(timeoutMs, list);
    }
    list.items.push(waiter);
    this.#pending += 1;
    if (this.#timer === undefined || waiter.deadline < this.#timerAt) this.#arm(waiter.deadline, now);
    else if (this.#pending === 1) this.#timer.ref();
    return waiter;
  }

  /** Marks an attempt settled; returns false when it had already timed out. */
  finish(waiter: Waiter): boolean {
    if (waiter.done) return false;
    waiter.done = true;
    this.#pending -= 1;
    if (this.#pending === 0) {
      this.#timer?.unref();
      // Nothing pending: drop the settled waiters rather than keep them until their deadlines.
      for (const list of this.#lists.values()) {
        list.items = [];
        list.head = 0;
      }
    }
    return true;
  }

  /** Stops the timer; only when nothing is pending (a shut-down registry). */
  close(): void {
    if (this.#pending > 0 || this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #arm(at: number, now: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(this.#fire, Math.max(1, Math.ceil(at - now)));
    if (this.#pending === 0) this.#timer.unref();
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const [timeoutMs, list] of this.#lists) {
      const { items } = list;
      while (list.head < items.length) {
        const waiter = items[list.head]!;
        if (waiter.done) {
          list.head += 1;
          continue;
        }
        if (waiter.deadline > now) {
          if (waiter.deadline < next) next = waiter.deadline;
          break;
        }
        list.head += 1;
        waiter.done = true;
        this.#pending -= 1;
        waiter.onTimeout();
      }
      if (list.head === items.length) this.#lists.delete(timeoutMs);
      else if (list.head > 1024 && list.head * 2 > items.length) {
        list.items = items.slice(list.head);
        list.head = 0;
      }
    }
    if (next !== Infinity) this.#arm(next, now);
  };
}
