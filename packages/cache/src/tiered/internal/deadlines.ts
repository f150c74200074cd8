import { toError } from '@patinox/errors';
import { CacheBackendError } from '../../errors.js';

interface Entry {
  deadline: number;
  done: boolean;
  operation: string;
  reject: (error: Error) => void;
  onFailure: (error: unknown, operation: string) => Error;
}

// Every call of one cache has the same timeout, so deadlines arrive in order: one FIFO queue and one
// timer armed for the oldest pending call replace a setTimeout/clearTimeout pair per call.
export class Deadlines {
  readonly #ms: number;
  #queue: Entry[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(ms: number) {
    this.#ms = ms;
  }

  /** Settles with `promise`, or rejects with a timeout error after the deadline; `onFailure` maps every error. */
  track<T>(promise: Promise<T>, operation: string, onSuccess: () => void, onFailure: (error: unknown, operation: string) => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = { deadline: performance.now() + this.#ms, done: false, operation, reject, onFailure };
      this.#queue.push(entry);
      if (this.#timer === undefined) this.#arm(this.#ms);
      promise.then(
        (value) => {
          if (entry.done) return;
          entry.done = true;
          onSuccess();
          resolve(value);
        },
        (err: unknown) => {
          if (entry.done) return;
          entry.done = true;
          reject(toError(onFailure(err, operation)));
        },
      );
    });
  }

  /** Stops the timer (pending calls then settle only by themselves). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#expire(), Math.max(1, ms));
    this.#timer.unref();
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const queue = this.#queue;
    while (this.#head < queue.length) {
      const entry = queue[this.#head]!;
      if (!entry.done) {
        if (entry.deadline > now) break;
        entry.done = true;
        const error = new CacheBackendError(`L2 ${entry.operation} did not answer within ${this.#ms} ms`, { operation: entry.operation, timeoutMs: this.#ms, timeout: true });
        entry.reject(entry.onFailure(error, entry.operation));
      }
      this.#head += 1;
    }
    if (this.#head === queue.length) {
      this.#queue = [];
      this.#head = 0;
      return;
    }
    if (this.#head > 1024) {
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    }
    this.#arm(this.#queue[this.#head]!.deadline - now);
  }
}
