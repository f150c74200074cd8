import { Histogram } from '@patinox/monitor';

/**
 * Hand-offs (serves and queued acquires) between two clock reads, at most: the bound of
 * {@link WaitRecorder}'s batching, and the size of the buffers that hold them.
 */
export const CLOCK_BATCH = 32;

/**
 * The pool's clock and its acquire-wait histogram.
 *
 * A clock read (`performance.now()`) costs about as much as the rest of a hand-off, so hand-offs share
 * reads: a caller that queues, and a queued caller that is served, only note that they need the time,
 * and the next read serves them all. A read happens at the latest after {@link CLOCK_BATCH} such notes,
 * or at the end of the event-loop turn (one `setImmediate` per turn that needs it), or when the histogram,
 * `stats()`, the deadline timer or a caller queueing behind no one reads the clock, whichever comes first. So a queued caller's deadline
 * counts from that read, which is never before its `acquire()` call and at most that much later (a
 * timeout can come late by it, never early), and a recorded wait is off by at most the same window.
 * `coarseNow` (the last read) is what release stamps connections with.
 */
export class WaitRecorder {
  readonly #histogram = new Histogram();
  /** Time of the last clock read (`performance.now()`). */
  coarseNow = performance.now();
  // Enqueue times of the callers served since the last read.
  readonly #served = new Float64Array(CLOCK_BATCH);
  #servedCount = 0;
  // Serves and queued acquires since the last read.
  #owed = 0;
  #turnEnd: NodeJS.Immediate | undefined = undefined;
  readonly #onRead: (now: number) => void;

  /** `onRead(now)` runs at every clock read, before `now` is returned: it stamps the callers queued since the last one. */
  constructor(onRead: (now: number) => void) {
    this.#onRead = onRead;
  }

  /** Records a caller served at once (a wait of 0). */
  servedAtOnce(): void {
    this.#histogram.record(0);
  }

  /**
   * Records a queued caller served now; `enqueuedAt` is its stamp, NaN when it queued after the last
   * read (so it waited less than the batching window: recorded as 0).
   */
  served(enqueuedAt: number): void {
    if (enqueuedAt !== enqueuedAt) {
      this.#histogram.record(0);
      return;
    }
    this.#served[this.#servedCount++] = enqueuedAt;
    this.#owe();
  }

  /** Notes a caller queued unstamped; the next read stamps it (through `onRead`). */
  queued(): void {
    this.#owe();
  }

  /** Reads the clock and returns the time, settling everything noted since the last read. */
  now(): number {
    const now = performance.now();
    this.coarseNow = now;
    if (this.#owed > 0) this.#settle(now);
    return now;
  }

  /** The waits so far, those noted since the last clock read included. */
  get histogram(): Histogram {
    if (this.#owed > 0) this.now();
    return this.#histogram;
  }

  #settle(now: number): void {
    this.#owed = 0;
    const count = this.#servedCount;
    if (count > 0) {
      this.#servedCount = 0;
      for (let i = 0; i < count; i += 1) this.#histogram.record(now - this.#served[i]!);
    }
    this.#onRead(now);
  }

  #owe(): void {
    if (++this.#owed >= CLOCK_BATCH) this.now();
    else this.#turnEnd ??= setImmediate(this.#onTurnEnd);
  }

  /** Settles what is noted and cancels the end-of-turn read (the pool is closing). */
  stop(): void {
    if (this.#owed > 0) this.now();
    if (this.#turnEnd !== undefined) {
      clearImmediate(this.#turnEnd);
      this.#turnEnd = undefined;
    }
  }

  readonly #onTurnEnd = (): void => {
    this.#turnEnd = undefined;
    if (this.#owed > 0) this.now();
  };
}
