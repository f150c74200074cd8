/** One attempt waiting for its promise or its deadline. */
export interface Waiter {
  readonly deadline: number;
  readonly timeoutMs: number;
  done: boolean;
  /** Dropped once settled, so a waiter left in its list holds no entry or promise. */
  onTimeout: (() => void) | undefined;
}

/** A FIFO of waiters in a reused array: `items[head..tail)`; settled ones are dropped from the head. */
interface WaiterList {
  items: (Waiter | undefined)[];
  head: number;
  tail: number;
}

/**
 * Advances past settled waiters at the head. A drained list rewinds in place and a mostly settled one is
 * compacted, so steady one-at-a-time traffic allocates nothing here.
 */
function trim(list: WaiterList): void {
  const { items } = list;
  while (list.head < list.tail && items[list.head]!.done) {
    items[list.head] = undefined;
    list.head += 1;
  }
  if (list.head === list.tail) {
    list.head = 0;
    list.tail = 0;
  } else if (list.head > 1024 && list.head * 2 > list.tail) {
    items.copyWithin(0, list.head, list.tail);
    items.fill(undefined, list.tail - list.head, list.tail);
    list.tail -= list.head;
    list.head = 0;
  }
}

/**
 * Timeouts of in-flight cleanup attempts behind a single timer. A setTimeout/clearTimeout pair costs about
 * a microsecond on a busy VM, more than the rest of an async cleanup; here an attempt costs an array store.
 *
 * Attempts are kept in one FIFO per timeout value: `deadline = now + timeoutMs` with a monotonic clock,
 * so each FIFO is sorted and only its head can be due. The timer is ref'd while an attempt is pending
 * (something waits on its outcome) and unref'd when none is, so an idle registry never holds the process.
 * Unref'ing is deferred to the end of the macrotask when the owner can promise an `idle()` call there
 * (`deferIdle`): a ref/unref pair costs two native calls, and one-at-a-time cleanups would otherwise pay
 * them per attempt.
 */
export class DeadlineQueue {
  readonly #lists = new Map<number, WaiterList>();
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #pending = 0;
  #unrefWhenIdle = false;
  #detached = false;
  readonly #deferIdle: () => boolean;

  /**
   * `deferIdle` asks the owner to call `idle()` at the end of the current macrotask, and returns false when
   * it cannot; the promised call must run even if nothing else keeps the event loop turning.
   */
  constructor(deferIdle: () => boolean = () => false) {
    this.#deferIdle = deferIdle;
  }

  add(timeoutMs: number, now: number, onTimeout: () => void): Waiter {
    const waiter: Waiter = { deadline: now + timeoutMs, timeoutMs, done: false, onTimeout };
    let list = this.#lists.get(timeoutMs);
    if (list === undefined) {
      list = { items: [], head: 0, tail: 0 };
      this.#lists.set(timeoutMs, list);
    }
    list.items[list.tail] = waiter;
    list.tail += 1;
    this.#pending += 1;
    if (this.#timer === undefined || waiter.deadline < this.#timerAt) this.#arm(waiter.deadline, now);
    else if (this.#pending === 1 && !this.#detached) this.#timer.ref();
    return waiter;
  }

  /** Marks an attempt settled; returns false when it had already timed out. */
  finish(waiter: Waiter): boolean {
    if (waiter.done) return false;
    waiter.done = true;
    waiter.onTimeout = undefined;
    this.#pending -= 1;
    if (this.#pending === 0 && !this.#unrefWhenIdle) {
      if (this.#deferIdle()) this.#unrefWhenIdle = true;
      else this.#timer?.unref();
    }
    const list = this.#lists.get(waiter.timeoutMs);
    if (list !== undefined) trim(list);
    return true;
  }

  /** Unrefs the timer if nothing is pending (see `finish`). */
  idle(): void {
    if (!this.#unrefWhenIdle) return;
    this.#unrefWhenIdle = false;
    if (this.#pending === 0) this.#timer?.unref();
  }

  /**
   * For a shut-down registry: stops the timer when nothing is pending; otherwise lets the pending attempts
   * still time out (so their guards end failed) without holding the event loop, now or later.
   */
  detach(): void {
    this.#detached = true;
    if (this.#timer === undefined) return;
    if (this.#pending > 0) {
      this.#timer.unref();
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #arm(at: number, now: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(this.#fire, Math.max(1, Math.ceil(at - now)));
    if (this.#pending === 0 || this.#detached) this.#timer.unref();
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const [timeoutMs, list] of this.#lists) {
      const { items } = list;
      while (list.head < list.tail) {
        const waiter = items[list.head]!;
        if (waiter.done) {
          items[list.head] = undefined;
          list.head += 1;
          continue;
        }
        if (waiter.deadline > now) {
          if (waiter.deadline < next) next = waiter.deadline;
          break;
        }
        items[list.head] = undefined;
        list.head += 1;
        const onTimeout = waiter.onTimeout!;
        waiter.done = true;
        waiter.onTimeout = undefined;
        this.#pending -= 1;
        onTimeout();
      }
      if (list.head === list.tail) this.#lists.delete(timeoutMs);
      else trim(list);
    }
    if (next !== Infinity) this.#arm(next, now);
  };
}
