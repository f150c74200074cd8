import { Histogram } from '@patinox/monitor';

/**
 * The acquire-wait histogram, and the time of the last clock read, which release uses to stamp
 * connections instead of reading the clock.
 */
export class WaitRecorder {
  readonly histogram = new Histogram();
  /** Time of the last clock read (`performance.now()`). */
  coarseNow = performance.now();

  /** Records a caller served at once (a wait of 0). */
  servedAtOnce(): void {
    this.histogram.record(0);
  }

  /**
   * Records a queued caller served now; it had been enqueued at `enqueuedAt`. One clock read per
   * hand-off: deferring it to a microtask (to batch several hand-offs per read) cost more than the read,
   * since `queueMicrotask` allocates an async resource per call and hand-offs rarely come in batches.
   */
  served(enqueuedAt: number): void {
    const now = performance.now();
    this.coarseNow = now;
    this.histogram.record(now - enqueuedAt);
  }

  /** Reads the clock and returns the time. */
  now(): number {
    const now = performance.now();
    this.coarseNow = now;
    return now;
  }
}
