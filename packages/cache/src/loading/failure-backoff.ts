import { backoffDelay } from '@patinox/errors';

interface Failure {
  failures: number;
  retryAt: number;
  error: Error;
}

function one(): number {
  return 1;
}

/**
 * Consecutive loader failures per key, and when the loader may be called again:
 * `backoffDelay(failures, baseMs, capMs)` without jitter after the last failure. A success forgets the
 * key. At most `limit` keys are remembered (the oldest failure goes first), so a stream of distinct
 * failing keys cannot grow it without bound.
 */
export class FailureBackoff<K> {
  readonly #failures = new Map<K, Failure>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#failures.size;
  }

  /** The last failure while `key` is backing off at `now`, otherwise undefined. */
  blocked(key: K, now: number): Error | undefined {
    const f = this.#failures.get(key);
    return f !== undefined && now < f.retryAt ? f.error : undefined;
  }

  /** Records a failure at `now`; `baseMs` 0 records nothing (backoff off). */
  failed(key: K, error: Error, now: number, baseMs: number, capMs: number): void {
    if (baseMs === 0) {
      if (this.#failures.size !== 0) this.#failures.delete(key);
      return;
    }
    const previous = this.#failures.get(key);
    const failures = previous === undefined ? 1 : previous.failures + 1;
    if (previous !== undefined) this.#failures.delete(key);
    else if (this.#failures.size >= this.#limit) this.#failures.delete(this.#failures.keys().next().value as K);
    this.#failures.set(key, { failures, retryAt: now + backoffDelay(failures, baseMs, capMs, one), error });
  }

  succeeded(key: K): void {
    if (this.#failures.size !== 0) this.#failures.delete(key);
  }

  clear(): void {
    this.#failures.clear();
  }
}
