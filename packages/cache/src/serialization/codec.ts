import { TieredCacheError } from '../errors.js';

/**
 * Turns values into bytes and back. `id` goes into the one-byte header of every stored value, so a
 * reader knows which codec wrote it: 1 is JSON, 2 is MessagePack, 3–15 are free for custom codecs.
 */
export interface Codec {
  /** 1–15; 1 and 2 are taken by the built-in JSON and MessagePack codecs. */
  readonly id: number;
  /** For messages and the CLI. */
  readonly name: string;
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

/** A byte compressor, such as the LZ4 one of `@patinox/cache/lz4`. */
export interface Compressor {
  readonly name: string;
  compress(bytes: Buffer): Buffer;
  decompress(bytes: Buffer): Buffer;
}

const MAX_DEPTH = 512;

/** What a built-in codec carries unchanged; anything else is refused before it is written. */
export type EncodableProfile = 'json' | 'msgpack';

/**
 * Rejects, with `CACHE_SERIALIZATION_FAILED`, every value another instance would decode differently from
 * what the writer holds (the writer's L1 keeps the original): functions, symbols, cycles, `undefined` at
 * the top, strings (values and object keys) with lone surrogates, `-0`, sparse arrays, `Map`s, objects
 * that are not plain (class instances, null prototypes), symbol keys; for `json` also `undefined`
 * inside arrays and objects, `NaN`/`Infinity`, `BigInt`, `Date`, `Set`, `RegExp` and binary data.
 * Without `profile`, only the first group is checked and `allowBigInt` decides for BigInt. O(size of
 * the value), like encoding itself.
 */
export function assertEncodable(value: unknown, codec: string, allowBigInt: boolean, profile?: EncodableProfile): void {
  if (value === undefined) fail(codec, 'undefined is the miss marker and cannot be stored');
  walk(value, codec, profile === 'json' ? JSON_RULES : profile === 'msgpack' ? MSGPACK_RULES : allowBigInt ? LOOSE_BIGINT : LOOSE, 0);
}

interface Rules {
  /** Only JSON's types: no undefined inside, finite numbers, no BigInt, no Date/Set/RegExp/binary. */
  json: boolean;
  bigint: boolean;
  /** Plain objects and dense arrays only, no Map, no -0, well-formed strings (the built-in codecs). */
  strict: boolean;
}

const JSON_RULES: Rules = { json: true, bigint: false, strict: true };
const MSGPACK_RULES: Rules = { json: false, bigint: true, strict: true };
const LOOSE: Rules = { json: false, bigint: false, strict: false };
const LOOSE_BIGINT: Rules = { json: false, bigint: true, strict: false };

// No visited set (it would cost an allocation per call): a cycle is caught when it passes MAX_DEPTH.
function walk(value: unknown, codec: string, rules: Rules, depth: number): void {
  switch (typeof value) {
    case 'string':
      if (rules.strict && !isWellFormed(value)) fail(codec, 'a string holds a lone surrogate, which UTF-8 cannot carry');
      return;
    case 'number':
      if (rules.strict && value === 0 && 1 / value < 0) fail(codec, '-0 would be read back as 0');
      if (rules.json && !Number.isFinite(value)) fail(codec, `${value} would be read back as null`);
      return;
    case 'boolean':
      return;
    case 'undefined':
      if (rules.json) fail(codec, 'undefined inside a value would be dropped or read back as null');
      return;
    case 'bigint':
      if (!rules.bigint) fail(codec, 'a bigint cannot be serialized');
      return;
    case 'function':
    case 'symbol':
      fail(codec, `a ${typeof value} cannot be serialized`);
  }
  if (value === null) return;
  if (depth > MAX_DEPTH) fail(codec, `the value nests deeper than ${MAX_DEPTH} levels or contains a cycle`);
  const next = depth + 1;
  if (Array.isArray(value)) {
    if (rules.strict && Object.getPrototypeOf(value) !== Array.prototype) fail(codec, 'an array subclass would be read back as a plain array');
    for (let i = 0; i < value.length; i += 1) {
      if (rules.strict && !(i in value)) fail(codec, 'a sparse array would be read back with undefined in its holes');
      walk(value[i], codec, rules, next);
    }
    return;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype) {
    if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      if (rules.json) fail(codec, `a ${Object.prototype.toString.call(value).slice(8, -1)} would be read back as another type`);
      return;
    }
    if (value instanceof Set) {
      if (rules.json) fail(codec, 'a Set would be read back as {}');
      for (const item of value) walk(item, codec, rules, next);
      return;
    }
    if (value instanceof Map) {
      if (rules.strict) fail(codec, 'a Map would be read back as a plain object (or not at all, with non-string keys)');
      for (const [k, v] of value) {
        walk(k, codec, rules, next);
        walk(v, codec, rules, next);
      }
      return;
    }
    if (rules.strict) fail(codec, 'only plain objects, arrays and the codec\'s built-in types are read back as they were written (class instances and null-prototype objects are not)');
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    if (rules.strict) {
      if (!isWellFormed(key)) fail(codec, 'an object key holds a lone surrogate, which UTF-8 cannot carry');
      if (key === '__proto__') fail(codec, 'an own "__proto__" key is not read back as a property');
    }
    walk(record[key], codec, rules, next);
  }
  if (rules.strict && Object.getOwnPropertySymbols(record).length > 0) fail(codec, 'symbol keys are dropped');
}

function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

function fail(codec: string, reason: string): never {
  throw new TieredCacheError(`Cannot serialize value with ${codec}: ${reason}`, 'CACHE_SERIALIZATION_FAILED', { codec, reason });
}

/**
 * The JSON codec (id 1): portable and readable from any language; values JSON would change (`Date`,
 * `Map`, `Set`, binary data, `BigInt`, `NaN`, `undefined` inside, see {@link assertEncodable}) are
 * rejected with `CACHE_SERIALIZATION_FAILED`.
 */
export const jsonCodec: Codec = Object.freeze({
  id: 1,
  name: 'json',
  encode(value: unknown): Uint8Array {
    assertEncodable(value, 'json', false, 'json');
    return Buffer.from(JSON.stringify(value), 'utf8');
  },
  decode(bytes: Uint8Array): unknown {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as unknown;
  },
});
