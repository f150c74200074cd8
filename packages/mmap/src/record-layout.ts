import { describeThrown, describeValue, expectBoolean, expectObject } from '@patinox/errors';
import { ELEMENT_INFO, ELEMENT_TYPES, elementValueError, fitsElement, type ElementType, type ValueOf } from './element-type.js';
import type { RecordSchema } from './options.js';

/** One field of a {@link RecordLayout}. */
export interface RecordField {
  readonly name: string;
  readonly type: ElementType;
  /** Byte offset inside the record. */
  readonly offset: number;
  /** Size in bytes. */
  readonly bytes: number;
}

/** Where each field of a record schema lives, and the record size including padding. */
export interface RecordLayout {
  readonly fields: readonly RecordField[];
  /** Bytes per record, a multiple of `alignment`. */
  readonly recordSize: number;
  /** Largest field alignment (1 when packed). */
  readonly alignment: number;
  readonly packed: boolean;
}

/** The plain values of one record of schema `S`. */
export type RecordValues<S extends RecordSchema> = { -readonly [K in keyof S]: ValueOf<S[K]> };

const RESERVED = new Set(['index', 'toObject', 'toJSON', 'constructor', '__proto__', 'prototype']);

/**
 * Computes the byte layout of `schema`: C-like natural alignment (each field at a multiple of its size,
 * the record padded to the largest alignment), or back to back when `packed`. Fields keep declaration order,
 * so names that are array indexes (`'0'`, `'2'`), which JavaScript lists before all others, are refused.
 *
 * @example
 * ```ts
 * computeRecordLayout({ id: 'u32', price: 'f64' }).recordSize; // 16 (4 bytes of padding after id)
 * computeRecordLayout({ id: 'u32', price: 'f64' }, true).recordSize; // 12
 * ```
 */
export function computeRecordLayout(schema: RecordSchema, packed = false): RecordLayout {
  expectObject('schema', schema, 'an object of field types');
  // expectObject accepts arrays; a schema must name its fields.
  if (Array.isArray(schema)) throw new TypeError(`Expected \`schema\` to be an object of field types, got ${describeValue(schema)}`);
  expectBoolean('packed', packed);
  const entries = readSchema(schema);
  if (entries.length === 0) throw new TypeError('Expected `schema` to have at least one field, got an empty object');
  const fields: RecordField[] = [];
  let offset = 0;
  let alignment = 1;
  for (const [name, type] of entries) {
    if (RESERVED.has(name)) throw new TypeError(`Expected schema field names other than ${[...RESERVED].join(', ')}, got ${JSON.stringify(name)}`);
    if (isArrayIndex(name)) {
      throw new TypeError(`Expected \`schema\` field names that are not array indexes (JavaScript lists those first, out of declaration order), got ${JSON.stringify(name)}`);
    }
    if (!ELEMENT_TYPES.includes(type as ElementType)) {
      throw new TypeError(`Expected \`schema.${name}\` to be one of ${ELEMENT_TYPES.join(', ')}, got ${describeValue(type)}`);
    }
    const bytes = ELEMENT_INFO[type as ElementType].bytes;
    if (!packed) {
      offset = Math.ceil(offset / bytes) * bytes;
      alignment = Math.max(alignment, bytes);
    }
    fields.push(Object.freeze({ name, type: type as ElementType, offset, bytes }));
    offset += bytes;
  }
  const recordSize = Math.ceil(offset / alignment) * alignment;
  return Object.freeze({ fields: Object.freeze(fields), recordSize, alignment, packed });
}

/** True for the names ('0' … '4294967294') that every object lists first, in numeric order, whatever the declaration order. */
function isArrayIndex(name: string): boolean {
  const n = Number(name);
  return String(n) === name && Number.isInteger(n) && n >= 0 && n < 2 ** 32 - 1;
}

/** Reads each field of `schema` once; a getter or Proxy trap that throws is a TypeError naming the schema. */
function readSchema(schema: RecordSchema): [string, unknown][] {
  let reading = 'its field names';
  try {
    return Object.keys(schema).map((name) => {
      reading = `\`${name}\``;
      return [name, schema[name]];
    });
  } catch (cause) {
    throw new TypeError(`Expected \`schema\` to be readable, but reading ${reading} threw: ${describeThrown(cause)}`, { cause });
  }
}

type Reader = (view: DataView, at: number) => number | bigint;
type Writer = (view: DataView, at: number, value: number | bigint) => void;

// Records are little-endian on every platform, so files move between machines unchanged.
/** @internal */
export const FIELD_READERS: Readonly<Record<ElementType, Reader>> = {
  u8: (v, at) => v.getUint8(at),
  i8: (v, at) => v.getInt8(at),
  u16: (v, at) => v.getUint16(at, true),
  i16: (v, at) => v.getInt16(at, true),
  u32: (v, at) => v.getUint32(at, true),
  i32: (v, at) => v.getInt32(at, true),
  f32: (v, at) => v.getFloat32(at, true),
  f64: (v, at) => v.getFloat64(at, true),
  u64: (v, at) => v.getBigUint64(at, true),
  i64: (v, at) => v.getBigInt64(at, true),
};

/** @internal */
export const FIELD_WRITERS: Readonly<Record<ElementType, Writer>> = {
  u8: (v, at, x) => v.setUint8(at, x as number),
  i8: (v, at, x) => v.setInt8(at, x as number),
  u16: (v, at, x) => v.setUint16(at, x as number, true),
  i16: (v, at, x) => v.setInt16(at, x as number, true),
  u32: (v, at, x) => v.setUint32(at, x as number, true),
  i32: (v, at, x) => v.setInt32(at, x as number, true),
  f32: (v, at, x) => v.setFloat32(at, x as number, true),
  f64: (v, at, x) => v.setFloat64(at, x as number, true),
  u64: (v, at, x) => v.setBigUint64(at, x as bigint, true),
  i64: (v, at, x) => v.setBigInt64(at, x as bigint, true),
};

/**
 * @internal Returns `value` when field `field` stores it exactly; else throws a TypeError (wrong JS type) or a
 * RangeError (out of the type's range, or not an integer for an integer type) naming the field.
 */
export function checkFieldValue(field: RecordField, value: unknown): number | bigint {
  const info = ELEMENT_INFO[field.type];
  if (!fitsElement(info, value)) throw elementValueError(info, `\`${field.name}\``, value);
  return value as number | bigint;
}
