import { LockAbortedError, LockTimeoutError } from '../errors.js';
import type { SharingMetrics } from '../sharing-metrics.js';

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
  cleanup(): void;
}

export type LockMode = 'read' | 'write';

/**
 * A phase-fair reader-writer lock for one event loop. Arriving readers queue behind a waiting writer
 * (writers are not starved); when a writer releases, every reader queued so far goes in as one batch
 * before the next writer (readers are not starved). State changes happen synchronously at grant time,
 * so the invariants hold between any two microtasks.
 */
export class PhaseFairLock {
  readers = 0;
  writing = false;
  readonly #readQueue: Waiter[] = [];
  readonly #writeQueue: Waiter[] = [];
  #lastPhase: LockMode = 'read';

  readonly #name: string;
  readonly #metrics: SharingMetrics;

  constructor(name: string, metrics: SharingMetrics) {
    this.#name = name;
    this.#metrics = metrics;
  }

  get waitingReaders(): number {
    return this.#readQueue.length;
  }

  get waitingWriters(): number {
    return this.#writeQueue.length;
  }

  tryRead(): boolean {
    if (this.writing || this.#writeQueue.length > 0) return false;
    this.readers += 1;
    return true;
  }

  tryWrite(): boolean {
    if (this.writing || this.readers > 0 || this.#writeQueue.length > 0 || this.#readQueue.length > 0) return false;
    this.writing = true;
    this.#lastPhase = 'write';
    return true;
  }

  /** Waits for the lock; the grant is already recorded in the state when the promise resolves. */
  acquire(mode: LockMode, timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    this.#metrics.lockWaits += 1;
    const queue = mode === 'read' ? this.#readQueue : this.#writeQueue;
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const giveUp = (error: Error): void => {
        const index = queue.indexOf(waiter);
        /* c8 ignore next */
        if (index < 0) return;
        queue.splice(index, 1);
        waiter.cleanup();
        reject(error);
        // A writer that leaves can unblock the readers queued behind it, and the other way round.
        this.#dispatch();
      };
      const onAbort = (): void => {
        this.#metrics.lockAborts += 1;
        giveUp(new LockAbortedError(mode, this.#name, signal?.reason));
      };
      const waiter: Waiter = {
        resolve,
        reject,
        cleanup: () => {
          if (timer !== undefined) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      queue.push(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.#metrics.lockTimeouts += 1;
          giveUp(new LockTimeoutError(mode, timeoutMs, this.#name));
        }, timeoutMs);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  releaseRead(): void {
    this.readers -= 1;
    if (this.readers === 0) this.#dispatch();
  }

  releaseWrite(): void {
    this.writing = false;
    this.#dispatch();
  }

  #dispatch(): void {
    if (this.writing) return;
    if (this.readers > 0) {
      // Only reachable after the last waiting writer gave up: nothing holds the queued readers back.
      if (this.#writeQueue.length === 0) this.#admitReaders();
      return;
    }
    if (this.#readQueue.length > 0 && (this.#writeQueue.length === 0 || this.#lastPhase === 'write')) {
      this.#admitReaders();
    } else if (this.#writeQueue.length > 0) {
      const writer = this.#writeQueue.shift() as Waiter;
      this.writing = true;
      this.#lastPhase = 'write';
      writer.cleanup();
      writer.resolve();
    }
  }

  #admitReaders(): void {
    const batch = this.#readQueue.splice(0);
    if (batch.length === 0) return;
    this.readers += batch.length;
    this.#lastPhase = 'read';
    for (const reader of batch) {
      reader.cleanup();
      reader.resolve();
    }
  }
}
