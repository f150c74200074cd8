import { Histogram } from '@patinox/monitor';

const PENDING_WAITS = 64;

/**
 * The acquire-wait histogram, fed without a clock read per hand-off: the enqueue times of callers served
 * since the last clock read are recorded at the next read (the next enqueue, usually microseconds later)
 * or at the latest in a microtask queued before the served caller resumes. Also keeps the time of the
 * last read, which release uses to stamp connections instead of reading the clock.
 */
export class WaitRecorder {
  readonly #histogram = new Histogram();
  /** Time of the last clock read (`performance.now()`). */
  coarseNow = performance.now();
  readonly #pending = new Float64Array(PENDING_WAITS);
  #count = 0;
  #flushScheduled = false;
  readonly #flushTask = (): void => {
    this.#flushScheduled = false;
    if (this.#count > 0) this.now();
  };

  /** Records a caller served at once (a wait of 0). */
  servedAtOnce(): void {
    this.#histogram.record(0);
  }

  /** Records a queued caller served now; it had been enqueued at `enqueuedAt`. */
  served(enqueuedAt: number): void {
    if (this.#count === PENDING_WAITS) this.now();
    this.#pending[this.#count++] = enqueuedAt;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flushTask);
    }
  }

  /** Reads the clock, records the pending waits, and returns the time. */
  now(): number {
    const now = performance.now();
    this.coarseNow = now;
    const count = this.#count;
    if (count > 0) {
      this.#count = 0;
      const pending = this.#pending;
      for (let i = 0; i < count; i += 1) this.#histogram.record(now - pending[i]!);
    }
    return now;
  }

  /** The histogram, every pending wait recorded. */
  get histogram(): Histogram {
    if (this.#count > 0) this.now();
    return this.#histogram;
  }
}
