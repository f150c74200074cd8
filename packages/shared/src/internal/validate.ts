import { describeValue, expectFunction, expectNonEmptyString, expectNonNegativeFinite, expectObject } from '@patinox/errors';
import { noopMonitor, type Monitor } from '@patinox/monitor';

/** Validates a `name` option: a non-empty string. */
export function expectName(value: unknown, fallback: string): string {
  return value === undefined ? fallback : expectNonEmptyString('name', value);
}

/** Validates an optional `timeoutMs`: `undefined` (wait for ever) or a non-negative finite number. */
export function expectTimeout(name: string, value: unknown, fallback: number | undefined): number | undefined {
  return value === undefined ? fallback : expectNonNegativeFinite(name, value);
}

/** Validates an optional `signal`. */
export function expectSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || typeof (value as AbortSignal).aborted !== 'boolean' || typeof (value as AbortSignal).addEventListener !== 'function') {
    throw new TypeError(`Expected \`signal\` to be an AbortSignal, got ${describeValue(value)}`);
  }
  return value as AbortSignal;
}

/** Validated per-call lock options. */
export interface WaitOptions {
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
}

/** Validates a `LockOptions` bag, falling back to the owner's default timeout. */
export function resolveLockOptions(options: unknown, defaultTimeoutMs: number | undefined): WaitOptions {
  expectObject('options', options);
  const bag = options as { timeoutMs?: unknown; signal?: unknown };
  return { timeoutMs: expectTimeout('timeoutMs', bag.timeoutMs, defaultTimeoutMs), signal: expectSignal(bag.signal) };
}

/** Validates an optional function option. */
export function optionalFunction<F>(name: string, value: unknown): F | undefined {
  return value === undefined ? undefined : (expectFunction(name, value) as F);
}

/** True for a SharedArrayBuffer of any realm (a buffer received from another context fails `instanceof`). */
export function isSharedArrayBuffer(value: unknown): value is SharedArrayBuffer {
  return Object.prototype.toString.call(value) === '[object SharedArrayBuffer]';
}

/** Validates an optional `monitor`: anything with a `record` method. */
export function expectMonitor(value: unknown): Monitor {
  if (value === undefined) return noopMonitor;
  if (typeof value !== 'object' || value === null || typeof (value as Monitor).record !== 'function') {
    throw new TypeError(`Expected \`monitor\` to be a Monitor, got ${describeValue(value)}`);
  }
  return value as Monitor;
}
