import { describeValue, expectFunction, expectNonEmptyString, expectSignal, expectTimerMs, readKnownOptions } from '@patinox/errors';

const LOCK_OPTION_KEYS = ['timeoutMs', 'signal'] as const;

/** Validates a `name` option: a non-empty string. */
export function expectName(value: unknown, fallback: string): string {
  return value === undefined ? fallback : expectNonEmptyString('name', value);
}

/** Validates an optional `timeoutMs`: `undefined` (wait for ever) or 0 to `MAX_TIMER_MS` ms (a timer honours no more). */
export function expectTimeout(name: string, value: unknown, fallback: number | undefined): number | undefined {
  return value === undefined ? fallback : expectTimerMs(name, value, { allowZero: true });
}

/** Validated per-call lock options. */
export interface WaitOptions {
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
}

/** Validates a `LockOptions` bag, falling back to the owner's default timeout. */
export function resolveLockOptions(options: unknown, defaultTimeoutMs: number | undefined): WaitOptions {
  const bag = readKnownOptions('options', options, LOCK_OPTION_KEYS);
  return {
    timeoutMs: expectTimeout('timeoutMs', bag.timeoutMs, defaultTimeoutMs),
    signal: bag.signal === undefined ? undefined : expectSignal('signal', bag.signal),
  };
}

/** Validates an optional function option. */
export function optionalFunction<F>(name: string, value: unknown): F | undefined {
  return value === undefined ? undefined : (expectFunction(name, value) as F);
}

/** True for a SharedArrayBuffer of any realm (a buffer received from another context fails `instanceof`). */
export function isSharedArrayBuffer(value: unknown): value is SharedArrayBuffer {
  try {
    return Object.prototype.toString.call(value) === '[object SharedArrayBuffer]';
  } catch {
    // A revoked Proxy throws here; it is no buffer.
    return false;
  }
}

/**
 * A SharedArrayBuffer of `bytes`, sized from the caller's argument `name` (= `value`): a size the engine
 * cannot allocate is a RangeError naming that argument, with the engine's error as `cause`.
 */
export function allocateShared(bytes: number, name: string, value: number): SharedArrayBuffer {
  try {
    if (!Number.isSafeInteger(bytes)) throw new RangeError(`Invalid array buffer length ${bytes}`);
    return new SharedArrayBuffer(bytes);
  } catch (cause) {
    throw new RangeError(`Expected \`${name}\` to fit in memory (${bytes} bytes), got ${describeValue(value)}`, { cause });
  }
}
