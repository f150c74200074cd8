import { backoffDelay } from '@patinox/errors';

/** Failures of one key's loader: how many in a row, until when no new call is made, and the last error. */
interface Failures {
  count: number;
  until: number;
  error: unknown;
}

/** Keys whose failure state is kept at most; the oldest goes first (a failure storm must not grow memory). */
const MAX_TRACKED_KEYS = 10_000;

/**
 * The failure backoff of `getOrLoad` on one instance: after a loader failure for a key, no new loader
 * call for it before `backoffDelay(failures, base, cap, () => 1)` ms have passed on the cache's clock.
 * Holds nothing for keys that never failed, so the success path costs one map lookup when enabled.
 */
export class FailureBackoff {
  readonly #failures = new Map<string, Failures>();
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** The last failure of `key` while its backoff lasts, else undefined. */
  blocked(key: string): { error: unknown } | undefined {
    const failures = this.#failures.get(key);
    if (failures === undefined || this.#clock() >= failures.until) return undefined;
    return failures;
  }

  failed(key: string, error: unknown, baseMs: number, maxMs: number): void {
    const failures = this.#failures.get(key) ?? { count: 0, until: 0, error };
    failures.count += 1;
    failures.error = error;
    failures.until = this.#clock() + backoffDelay(failures.count, baseMs, maxMs, () => 1);
    this.#failures.delete(key);
    this.#failures.set(key, failures);
    if (this.#failures.size > MAX_TRACKED_KEYS) this.#failures.delete(this.#failures.keys().next().value!);
  }

  succeeded(key: string): void {
    if (this.#failures.size !== 0) this.#failures.delete(key);
  }

  clear(): void {
    this.#failures.clear();
  }
}
