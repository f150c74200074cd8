import { describeValue, expectOneOf } from '@patinox/errors';

/** The element types a mapping can be viewed as: unsigned/signed integers of 8 to 64 bits and floats. */
export type ElementType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64' | 'u64' | 'i64';

/** Every {@link ElementType}, for validation and exhaustive handling. */
export const ELEMENT_TYPES: readonly ElementType[] = Object.freeze(['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'f64', 'u64', 'i64']);

/** The typed array class that views an {@link ElementType}. */
export interface TypedArrayMap {
  u8: Uint8Array;
  i8: Int8Array;
  u16: Uint16Array;
  i16: Int16Array;
  u32: Uint32Array;
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
  u64: BigUint64Array;
  i64: BigInt64Array;
}

/** The typed array over elements of type `T`. */
export type TypedArrayOf<T extends ElementType> = TypedArrayMap[T];

/** The JavaScript value of one element: `bigint` for the 64-bit integers, `number` otherwise. */
export type ValueOf<T extends ElementType> = T extends 'u64' | 'i64' ? bigint : number;

type TypedArrayCtor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => TypedArrayOf<ElementType>;

/** @internal */
export interface ElementInfo {
  readonly type: ElementType;
  readonly bytes: number;
  readonly isBigInt: boolean;
  /** True for f32/f64, which take any number (f32 rounds it, as a float does). */
  readonly isFloat: boolean;
  /** Smallest and largest value an integer element stores exactly (number types; ±Infinity for floats). */
  readonly min: number;
  readonly max: number;
  /** The same for u64/i64 (0n for the other types). */
  readonly minBig: bigint;
  readonly maxBig: bigint;
  readonly ctor: TypedArrayCtor;
  readonly empty: () => TypedArrayOf<ElementType>;
}

// Every ElementInfo has the same fields in the same order, so the checks on the write paths see one shape.
function info(type: ElementType, bytes: number, ctor: TypedArrayCtor, kind: 'unsigned' | 'signed' | 'float', isBigInt = false): ElementInfo {
  const bits = bytes * 8;
  const isFloat = kind === 'float';
  const min = isFloat ? -Infinity : kind === 'signed' ? -(2 ** (bits - 1)) : 0;
  const max = isFloat ? Infinity : kind === 'signed' ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const minBig = isBigInt && kind === 'signed' ? -(1n << BigInt(bits - 1)) : 0n;
  const maxBig = !isBigInt ? 0n : kind === 'signed' ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  return Object.freeze({ type, bytes, isBigInt, isFloat, min, max, minBig, maxBig, ctor, empty: () => new ctor(new ArrayBuffer(0), 0, 0) });
}

/** @internal Size, value range and typed array constructor of each element type. */
export const ELEMENT_INFO: Readonly<Record<ElementType, ElementInfo>> = Object.freeze({
  u8: info('u8', 1, Uint8Array, 'unsigned'),
  i8: info('i8', 1, Int8Array, 'signed'),
  u16: info('u16', 2, Uint16Array, 'unsigned'),
  i16: info('i16', 2, Int16Array, 'signed'),
  u32: info('u32', 4, Uint32Array, 'unsigned'),
  i32: info('i32', 4, Int32Array, 'signed'),
  f32: info('f32', 4, Float32Array, 'float'),
  f64: info('f64', 8, Float64Array, 'float'),
  u64: info('u64', 8, BigUint64Array, 'unsigned', true),
  i64: info('i64', 8, BigInt64Array, 'signed', true),
});

/**
 * @internal True when an element of `info` stores `value` exactly: a number for f32/f64; an integer in range for
 * the other number types; a bigint in range for u64/i64. Typed arrays wrap (300 → 44 in a u8), truncate (1.5 → 1)
 * or zero (NaN → 0) anything else, which would be silently lost data. Allocates nothing: it runs on every write.
 */
export function fitsElement(info: ElementInfo, value: unknown): boolean {
  if (typeof value === 'number') return !info.isBigInt && (info.isFloat || (Number.isInteger(value) && value >= info.min && value <= info.max));
  return typeof value === 'bigint' && info.isBigInt && value >= info.minBig && value <= info.maxBig;
}

/**
 * @internal The error for a `value` that {@link fitsElement} refused, naming it as `what` (a field name, or
 * `value` at index N): a TypeError for the wrong JS type, a RangeError for a value out of the type's range.
 */
export function elementValueError(info: ElementInfo, what: string, value: unknown): TypeError | RangeError {
  const expected = info.isBigInt ? 'bigint' : 'number';
  if (typeof value !== expected) return new TypeError(`Expected ${what} to be a ${expected} (${info.type}), got ${describeValue(value)}`);
  const range = info.isBigInt ? `a bigint in [${info.minBig}, ${info.maxBig}]` : `an integer in [${info.min}, ${info.max}]`;
  return new RangeError(`Expected ${what} to be ${range} (${info.type}), got ${describeValue(value)}`);
}

/**
 * Size in bytes of one element of `type` (`u32` → 4).
 * @throws TypeError when `type` is not one of {@link ELEMENT_TYPES}.
 */
export function elementSize(type: ElementType): number {
  // expectOneOf, not a lookup alone: 'toString' or 'constructor' would find inherited properties of the table.
  return ELEMENT_INFO[expectOneOf('type', type, ELEMENT_TYPES)].bytes;
}
