import { describeThrown, describeValue } from './describe.js';
import { rejectUnknownKeys } from './known-keys.js';

// Option validators shared by every package, so programmer mistakes get the house message:
// Expected `maxSize` to be a positive integer, got -1 (number)

function fail(Ctor: typeof TypeError | typeof RangeError, name: string, expected: string, value: unknown): never {
  throw new Ctor(`Expected \`${name}\` to be ${expected}, got ${describeValue(value)}`);
}

/** Throws a `TypeError`/`RangeError` unless `value` is an integer ≥ 1. */
export function expectPositiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number') fail(TypeError, name, 'a positive integer', value);
  if (!Number.isInteger(value) || value < 1) fail(RangeError, name, 'a positive integer', value);
  return value;
}

/** Throws a `TypeError`/`RangeError` unless `value` is an integer ≥ 0. */
export function expectNonNegativeInteger(name: string, value: unknown): number {
  if (typeof value !== 'number') fail(TypeError, name, 'a non-negative integer', value);
  if (!Number.isInteger(value) || value < 0) fail(RangeError, name, 'a non-negative integer', value);
  return value;
}

/** Throws unless `value` is a finite number ≥ 0 (a duration in ms, a size in bytes). */
export function expectNonNegativeFinite(name: string, value: unknown): number {
  if (typeof value !== 'number') fail(TypeError, name, 'a non-negative finite number', value);
  if (!Number.isFinite(value) || value < 0) fail(RangeError, name, 'a non-negative finite number', value);
  return value;
}

/** Throws unless `value` is a finite number > 0. */
export function expectPositiveFinite(name: string, value: unknown): number {
  if (typeof value !== 'number') fail(TypeError, name, 'a positive finite number', value);
  if (!Number.isFinite(value) || value <= 0) fail(RangeError, name, 'a positive finite number', value);
  return value;
}

/** Throws a `TypeError` unless `value` is a function. */
export function expectFunction<F extends (...args: never[]) => unknown>(name: string, value: unknown): F {
  if (typeof value !== 'function') fail(TypeError, name, 'a function', value);
  return value as F;
}

/** Throws a `TypeError` unless `value` is one of `allowed`. */
export function expectOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) fail(TypeError, name, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

/** Throws a `TypeError` unless `value` is a boolean. */
export function expectBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(TypeError, name, 'a boolean', value);
  return value;
}

/** Throws a `TypeError` unless `value` is a non-null object (an options bag, a record). */
export function expectObject<T extends object = Record<string, unknown>>(name: string, value: unknown, expected = 'an object'): T {
  if (typeof value !== 'object' || value === null) fail(TypeError, name, expected, value);
  return value as T;
}

/**
 * Reads the named fields of an options bag once into a plain object, so each getter runs at most once and
 * a bag that throws when read (a getter that throws, a Proxy, a revoked Proxy) becomes a `TypeError`
 * naming the bag, with what it threw as `cause`. Throws a `TypeError` unless `value` is a non-null object.
 *
 * @example
 * ```ts
 * const { timeoutMs, signal } = readOptions('options', options, ['timeoutMs', 'signal']);
 * ```
 */
export function readOptions<K extends string>(name: string, value: unknown, keys: readonly K[]): { [P in K]?: unknown } {
  expectObject(name, value);
  const out: { [P in K]?: unknown } = {};
  for (const key of keys) {
    try {
      out[key] = (value as Record<string, unknown>)[key];
    } catch (cause) {
      throw new TypeError(`Expected \`${name}\` to be readable, but reading \`${key}\` threw: ${describeThrown(cause)}`, { cause });
    }
  }
  return out;
}

/**
 * {@link readOptions} that also refuses an own enumerable string key not in `keys`, with a `TypeError`
 * naming the bag, the key and the known key it most likely meant. Symbol keys and inherited keys pass.
 *
 * @example
 * ```ts
 * const { timeoutMs } = readKnownOptions('options', { timeoutMs: 5 }, ['timeoutMs', 'signal']);
 * ```
 *
 * @throws TypeError when `value` is not an object, cannot be read, or has a key not in `keys`:
 * ``Expected `options` to have only known keys, got unknown key `timeout`; did you mean `timeoutMs`?``
 */
export function readKnownOptions<K extends string>(name: string, value: unknown, keys: readonly K[]): { [P in K]?: unknown } {
  const bag = readOptions(name, value, keys);
  rejectUnknownKeys(name, value as object, keys);
  return bag;
}

/** Throws a `TypeError` unless `value` is a string (empty allowed). */
export function expectString(name: string, value: unknown): string {
  if (typeof value !== 'string') fail(TypeError, name, 'a string', value);
  return value;
}

/** Throws a `TypeError` unless `value` is a string of at least one character (a name, a path, a key). */
export function expectNonEmptyString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) fail(TypeError, name, 'a non-empty string', value);
  return value;
}

/** Validates `value` with `check` only when it is not `undefined`; returns the fallback otherwise. */
export function optional<T>(name: string, value: unknown, check: (name: string, value: unknown) => T, fallback: T): T {
  return value === undefined ? fallback : check(name, value);
}

/**
 * The longest delay a Node timer honours, in ms (2³¹−1, about 24.8 days). Node turns a larger delay into
 * 1 ms with a warning, so a "very long" timeout would fire at once.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** Options of {@link expectTimerMs}. */
export interface TimerMsOptions {
  /** Accept `0` (for options where 0 means "off" or "at once"). @default false */
  allowZero?: boolean;
  /** Accept `Infinity` (for options where it means "never"). @default false */
  allowInfinity?: boolean;
}

const TIMER_MS_OPTION_KEYS: readonly (keyof TimerMsOptions)[] = ['allowZero', 'allowInfinity'];

/**
 * Throws a `TypeError`/`RangeError` unless `value` is a duration a timer can honour: a number > 0 (or 0
 * with `allowZero`) and at most {@link MAX_TIMER_MS} (or `Infinity` with `allowInfinity`).
 *
 * @example
 * ```ts
 * const idleTimeoutMs = optional('idleTimeoutMs', options.idleTimeoutMs, (n, v) => expectTimerMs(n, v, { allowZero: true }), 30_000);
 * ```
 */
export function expectTimerMs(name: string, value: unknown, options: TimerMsOptions = {}): number {
  rejectUnknownKeys('options', expectObject('options', options), TIMER_MS_OPTION_KEYS);
  const allowZero = options.allowZero === true;
  const allowInfinity = options.allowInfinity === true;
  const expected = `${allowZero ? 'a non-negative' : 'a positive'} number of ms at most ${MAX_TIMER_MS}${allowInfinity ? ' (or Infinity)' : ''}`;
  if (typeof value !== 'number') fail(TypeError, name, expected, value);
  if (value === Infinity && allowInfinity) return value;
  if (Number.isNaN(value) || value > MAX_TIMER_MS || value < 0 || (value === 0 && !allowZero)) fail(RangeError, name, expected, value);
  return value;
}

/** {@link expectTimerMs} with `allowZero`, shaped for `optional()`: for options where 0 means "off" or "at once". */
export function expectTimerMsOrZero(name: string, value: unknown): number {
  return expectTimerMs(name, value, { allowZero: true });
}

/**
 * Throws a `TypeError` unless `value` is an `AbortSignal` (from any realm: recognised by its shape, since
 * `instanceof` fails across realms). Never lets a hostile value's getter escape: it gets the `TypeError`.
 */
export function expectSignal(name: string, value: unknown): AbortSignal {
  let ok = false;
  if (typeof value === 'object' && value !== null) {
    try {
      const signal = value as AbortSignal;
      ok = typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function' && typeof signal.removeEventListener === 'function';
    } catch {
      ok = false;
    }
  }
  if (!ok) fail(TypeError, name, 'an AbortSignal', value);
  return value as AbortSignal;
}
