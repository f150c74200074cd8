/** One attempt waiting for its promise or its deadline. */
export interface Waiter {
  readonly deadline: number;
  readonly timeoutMs: number;
  done: boolean;
  /** Dropped once settled, so a waiter left in its list holds no entry or promise. */
  onTimeout: (() => void) | undefined;
}

interface WaiterList {
  items: Waiter[];
  head: number;
}

/** Advances past settled waiters at the head and compacts, so a list holds roughly the attempts in flight. */
function trim(list: WaiterList): void {
  const { items } = list;
  while (list.head < items.length && items[list.head]!.done) list.head += 1;
  if (list.head === items.length) {
    list.items = [];
    list.head = 0;
  } else if (list.head > 1024 && list.head * 2 > items.length) {
    list.items = items.slice(list.head);
    list.head = 0;
  }
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
  readonly #lists = new Map<number, WaiterList>();
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #pending = 0;

  add(timeoutMs: number, now: number, onTimeout: () => void): Waiter {
    const waiter: Waiter = { deadline: now + timeoutMs, timeoutMs, done: false, onTimeout };
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
    waiter.onTimeout = undefined;
    this.#pending -= 1;
    if (this.#pending === 0) this.#timer?.unref();
    const list = this.#lists.get(waiter.timeoutMs);
    if (list !== undefined) trim(list);
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
        const onTimeout = waiter.onTimeout!;
        waiter.done = true;
        waiter.onTimeout = undefined;
        this.#pending -= 1;
        onTimeout();
      }
      if (list.head === list.items.length) this.#lists.delete(timeoutMs);
      else trim(list);
    }
    if (next !== Infinity) this.#arm(next, now);
  };
}
