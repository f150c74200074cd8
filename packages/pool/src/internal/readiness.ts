import { PoolStartupError, PoolTimeoutError } from '../errors.js';

interface ReadyWaiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The callers of `ready()`: each waits until the pool has created `initialSize` connections, its own
 * deadline passes (`POOL_TIMEOUT`, phase `connect`, the last create error as cause), its signal aborts,
 * or the pool rejects them all (closed, a permanent create error, or a failure in fail-fast mode).
 */
export class Readiness {
  readonly #failFast: boolean;
  #isReady: boolean;
  /** Creates start-up still needs: `initialSize` minus those created so far, 0 once ready. */
  missing: number;
  readonly #waiters = new Set<ReadyWaiter>();
  readonly #poolName: string;
  readonly #defaultTimeoutMs: number;
  readonly #lastError: () => Error | undefined;

  constructor(poolName: string, initialSize: number, failFast: boolean, defaultTimeoutMs: number, lastError: () => Error | undefined) {
    this.#poolName = poolName;
    this.#isReady = initialSize === 0;
    this.missing = initialSize;
    this.#failFast = failFast;
    this.#defaultTimeoutMs = defaultTimeoutMs;
    this.#lastError = lastError;
  }

  /** A promise settled as the class comment says. */
  wait(timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (this.#isReady) return Promise.resolve();
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const limitMs = timeoutMs ?? this.#defaultTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      const startedAt = performance.now();
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort);
      };
      const waiter: ReadyWaiter = {
        resolve: () => {
          cleanup();
          resolve();
        },
        reject: (error) => {
          cleanup();
          // An abort rejects with `signal.reason` exactly as the caller gave it.
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(error);
        },
      };
      // Ref'd on purpose, like an acquire deadline: a caller is waiting on it.
      const timer = setTimeout(() => {
        const cause = this.#lastError();
        const waitedMs = Math.round(performance.now() - startedAt);
        waiter.reject(
          new PoolTimeoutError(
            `Pool "${this.#poolName}" was not ready within ${waitedMs} ms${cause === undefined ? '' : `: ${cause.message}`}`,
            'connect',
            { pool: this.#poolName, waitedMs, timeoutMs: limitMs },
            cause,
          ),
        );
      }, limitMs);
      const onAbort = signal === undefined ? undefined : (): void => waiter.reject(signal.reason);
      if (onAbort !== undefined) signal!.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  /** Counts a created connection; the last one start-up needed resolves every caller, and later ones at once. */
  created(): void {
    if (this.#isReady) return;
    this.missing -= 1;
    if (this.missing > 0) return;
    this.#isReady = true;
    for (const waiter of [...this.#waiters]) waiter.resolve();
  }

  /** A create failed during start-up: in fail-fast mode every current caller rejects with `POOL_STARTUP_FAILED`. */
  createFailed(error: Error): void {
    if (!this.#isReady && this.#failFast) this.reject(() => new PoolStartupError(this.#poolName, error));
  }

  /** Rejects every current caller with a fresh error from `makeError`; later callers still wait. */
  reject(makeError: () => Error): void {
    for (const waiter of [...this.#waiters]) waiter.reject(makeError());
  }
}
