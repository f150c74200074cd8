import { EPOCH } from './entry.js';

/** What the clock's owner does on each fresh clock read and at the end of each macrotask that read it. */
export interface TickClockHost {
  /** Runs right after a fresh read; `now` is the new {@link TickClock.timestamp} value (ms since EPOCH). */
  onRead(now: number): void;
  /** Runs at the end of a macrotask in which the clock was read (a `setImmediate`, unref'd). */
  onTick(): void;
}

/**
 * A cached clock: one `Date.now()` / `performance.now()` pair per macrotask, read again every 1024 reads
 * within one. A clock read costs 100-200 ns on some VMs, as much as the rest of a guard's round trip, and
 * guard creation stamps a time on every call. So times count, like setTimeout's, from the event loop's
 * time in the current macrotask (at most 1024 reads stale), not from the exact call.
 *
 * The first read in a macrotask schedules one tick at its end, which resets the cache and runs the
 * host's `onTick`.
 */
export class TickClock {
  readonly #host: TickClockHost;
  /** Date.now() - EPOCH at the last read. */
  #now = 0;
  /** performance.now() at the last read. */
  #clock = 0;
  #reads = 0;
  #scheduled = false;
  /** The pending tick; unref'd unless {@link TickClock.hold} asked for it to run whatever else the loop has. */
  #tick: NodeJS.Immediate | undefined;
  #held = false;

  constructor(host: TickClockHost) {
    this.#host = host;
  }

  /** Wall-clock ms since EPOCH, for creation times. */
  timestamp(): number {
    this.#reads += 1;
    if (!this.#scheduled || (this.#reads & 1023) === 0) this.#read();
    return this.#now;
  }

  /** Monotonic ms (performance.now()), for deadline origins. */
  monotonic(): number {
    this.#reads += 1;
    if (!this.#scheduled || (this.#reads & 1023) === 0) this.#read();
    return this.#clock;
  }

  #read(): void {
    this.#now = Date.now() - EPOCH;
    this.#clock = performance.now();
    this.#host.onRead(this.#now);
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#tick = setImmediate(this.#onTick).unref();
    }
  }

  /**
   * Makes the pending tick run even when nothing else keeps the event loop turning, for work deferred to
   * it that releases the loop (an unref'd immediate never runs while the loop waits on a ref'd timer).
   * Returns false when no tick is pending. At most one ref per macrotask.
   */
  hold(): boolean {
    if (!this.#scheduled) return false;
    if (!this.#held) {
      this.#held = true;
      this.#tick?.ref();
    }
    return true;
  }

  readonly #onTick = (): void => {
    this.#scheduled = false;
    this.#held = false;
    this.#tick = undefined;
    this.#host.onTick();
  };
}
