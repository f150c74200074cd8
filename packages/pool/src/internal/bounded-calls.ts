import { toError } from '@patinox/errors';

/** The rejection of a manager call that overran its timeout; the pool tells it apart from the call's own failures. */
export class CallTimeoutError extends Error {
  constructor(operation: string, timeoutMs: number) {
    super(`${operation} did not answer within ${timeoutMs} ms`);
    this.name = 'CallTimeoutError';
  }
}

/**
 * Bounds manager calls (`isValid`, `recycle`, `destroy`) by a timeout each, and owns their timers so
 * `close()` can stop every one of them: after close nothing of the pool's holds the event loop, even
 * while a manager promise never settles.
 */
export class BoundedCalls {
  readonly #timers = new Set<NodeJS.Timeout>();

  /** Settles like `promise`, or rejects with a {@link CallTimeoutError} once `timeoutMs` passes. */
  run<T>(promise: PromiseLike<T>, operation: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        reject(new CallTimeoutError(operation, timeoutMs));
      }, timeoutMs);
      // A hung manager call must not keep the process alive.
      timer.unref();
      this.#timers.add(timer);
      Promise.resolve(promise).then(
        (value) => {
          clearTimeout(timer);
          this.#timers.delete(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          this.#timers.delete(timer);
          // A rejection with `undefined` still is a failure.
          reject(error === undefined ? new Error(`${operation} failed`) : toError(error));
        },
      );
    });
  }

  /** Timers still armed. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Stops every timer; calls still pending then never settle through this helper. */
  stopAll(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
