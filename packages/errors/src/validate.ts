import { describeValue } from './patinox-error.js';

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
