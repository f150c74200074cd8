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
  readonly ctor: TypedArrayCtor;
  readonly empty: () => TypedArrayOf<ElementType>;
}

function info(type: ElementType, bytes: number, ctor: TypedArrayCtor, isBigInt = false): ElementInfo {
  return Object.freeze({ type, bytes, isBigInt, ctor, empty: () => new ctor(new ArrayBuffer(0), 0, 0) });
}

/** @internal Size and typed array constructor of each element type. */
export const ELEMENT_INFO: Readonly<Record<ElementType, ElementInfo>> = Object.freeze({
  u8: info('u8', 1, Uint8Array),
  i8: info('i8', 1, Int8Array),
  u16: info('u16', 2, Uint16Array),
  i16: info('i16', 2, Int16Array),
  u32: info('u32', 4, Uint32Array),
  i32: info('i32', 4, Int32Array),
  f32: info('f32', 4, Float32Array),
  f64: info('f64', 8, Float64Array),
  u64: info('u64', 8, BigUint64Array, true),
  i64: info('i64', 8, BigInt64Array, true),
});

/** Size in bytes of one element of `type` (`u32` → 4). */
export function elementSize(type: ElementType): number {
  return ELEMENT_INFO[type].bytes;
}
