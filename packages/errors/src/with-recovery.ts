import { describeValue } from './describe.js';
import { isPatinoxError, toError, type RecoveryStrategy } from './patinox-error.js';
import { expectFunction, expectPositiveInteger, expectSignal, expectTimerMsOrZero, optional, readKnownOptions } from './validate.js';

/** Sleeps `ms`, rejecting with the signal's reason if it aborts first. */
export type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Context handed to each attempt of {@link withRecovery}. */
export interface AttemptContext {
  /** 1 for the first call. */
  attempt: number;
  /** Aborts when the caller's signal aborts. */
  signal: AbortSignal;
}

/** Options of {@link withRecovery}; every field is optional. */
export interface WithRecoveryOptions<T> {
  /** Total attempts including the first. @default 3 */
  maxAttempts?: number;
  /** Base of the exponential backoff, in ms. @default 100 */
  baseDelayMs?: number;
  /** Ceiling of one backoff delay, in ms. @default 10000 */
  maxDelayMs?: number;
  /** Stops retrying and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called for errors whose strategy is `fallback`; its result becomes the result. */
  fallback?: (error: Error) => T | Promise<T>;
  /**
   * Strategy for errors that are not Patinox errors (plain `Error`s, non-Error throwables).
   * @default () => 'fail'
   */
  classify?: (error: Error) => RecoveryStrategy;
  /** Called before each backoff sleep. */
  onRetry?: (error: Error, attempt: number, delayMs: number) => void;
  /** Random source in [0, 1) for full jitter. @default Math.random */
  random?: () => number;
  /** How to wait; inject for tests (jest fake timers also work with the default). */
  sleep?: SleepFn;
}

/** The default sleep: an abortable `setTimeout`. */
export const defaultSleep: SleepFn = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(toError(signal.reason));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(toError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Backoff delay for `attempt` (1-based) with full jitter: uniform in [0, min(maxDelayMs, base·2^(attempt-1))).
 *
 * @throws RangeError when `random()` returns anything but a number in [0, 1] (1 gives the ceiling itself: no jitter).
 */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const unit = random();
  // An injected source out of range would sleep past maxDelayMs, or for NaN ms (which Node turns into 1 ms).
  if (!(unit >= 0 && unit <= 1)) throw new RangeError(`Expected \`random\` to return a number in [0, 1], got ${describeValue(unit)}`);
  return Math.floor(unit * ceiling);
}

/**
 * Runs an async operation and applies the error's recovery strategy: `retry` errors are retried with
 * exponential backoff and full jitter, `fallback` errors go to `options.fallback`, `fail` errors are
 * rethrown at once.
 *
 * @example
 * ```ts
 * const rows = await withRecovery(({ signal }) => query(signal), { maxAttempts: 5, signal });
 * ```
 * @throws the last error when attempts run out, the error itself for `fail`, the signal's reason on abort.
 */
export async function withRecovery<T>(fn: (context: AttemptContext) => Promise<T> | T, options: WithRecoveryOptions<T> = {}): Promise<T> {
  expectFunction('fn', fn);
  // Read once: a bag whose getters throw is a TypeError here, not a failure in the middle of a retry.
  const o = readKnownOptions('options', options, ['maxAttempts', 'baseDelayMs', 'maxDelayMs', 'signal', 'fallback', 'classify', 'onRetry', 'random', 'sleep']);
  const maxAttempts = optional('maxAttempts', o.maxAttempts, expectPositiveInteger, 3);
  // Delays feed a timer: above 2^31-1 ms Node would fire after 1 ms.
  const baseDelayMs = optional('baseDelayMs', o.baseDelayMs, expectTimerMsOrZero, 100);
  const maxDelayMs = optional('maxDelayMs', o.maxDelayMs, expectTimerMsOrZero, 10_000);
  const random = optional<() => number>('random', o.random, expectFunction, Math.random);
  const sleep = optional<SleepFn>('sleep', o.sleep, expectFunction, defaultSleep);
  const classify = optional<(error: Error) => RecoveryStrategy>('classify', o.classify, expectFunction, (): RecoveryStrategy => 'fail');
  const fallback = o.fallback === undefined ? undefined : expectFunction<(error: Error) => T | Promise<T>>('fallback', o.fallback);
  const onRetry = o.onRetry === undefined ? undefined : expectFunction<(error: Error, attempt: number, delayMs: number) => void>('onRetry', o.onRetry);
  const signal = o.signal === undefined ? new AbortController().signal : expectSignal('signal', o.signal);

  for (let attempt = 1; ; attempt += 1) {
    if (signal.aborted) throw toError(signal.reason);
    try {
      return await fn({ attempt, signal });
    } catch (thrown) {
      const error = toError(thrown);
      if (signal.aborted) throw toError(signal.reason);
      const strategy = isPatinoxError(error) ? error.recovery : classify(error);
      if (strategy === 'fallback' && fallback !== undefined) return fallback(error);
      if (strategy !== 'retry' || attempt >= maxAttempts) throw error;
      const delayMs = backoffDelay(attempt, baseDelayMs, maxDelayMs, random);
      onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, signal);
    }
  }
}
