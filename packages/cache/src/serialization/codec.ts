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

/**
 * Rejects what a codec would silently drop or mangle: functions, symbols, cycles, `undefined` at the
 * top, and BigInt unless the codec carries it. Runs in O(size of the value), like encoding itself.
 */
export function assertEncodable(value: unknown, codec: string, allowBigInt: boolean): void {
  if (value === undefined) fail(codec, 'undefined is the miss marker and cannot be stored');
  walk(value, codec, allowBigInt, 0);
}

// No visited set (it would cost an allocation per call): a cycle is caught when it passes MAX_DEPTH.
function walk(value: unknown, codec: string, allowBigInt: boolean, depth: number): void {
  const type = typeof value;
  if (type === 'function' || type === 'symbol') fail(codec, `a ${type} cannot be serialized`);
  if (type === 'bigint' && !allowBigInt) fail(codec, 'a bigint cannot be serialized');
  if (type !== 'object' || value === null) return;
  if (depth > MAX_DEPTH) fail(codec, `the value nests deeper than ${MAX_DEPTH} levels or contains a cycle`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) walk(value[i], codec, allowBigInt, depth + 1);
    return;
  }
  if (ArrayBuffer.isView(value) || value instanceof Date || value instanceof RegExp) return;
  if (value instanceof Map) {
    for (const [k, v] of value) {
      walk(k, codec, allowBigInt, depth + 1);
      walk(v, codec, allowBigInt, depth + 1);
    }
  } else if (value instanceof Set) {
    for (const v of value) walk(v, codec, allowBigInt, depth + 1);
  } else {
    const record = value as Record<string, unknown>;
    for (const key in record) if (Object.hasOwn(record, key)) walk(record[key], codec, allowBigInt, depth + 1);
  }
}

function fail(codec: string, reason: string): never {
  throw new TieredCacheError(`Cannot serialize value with ${codec}: ${reason}`, 'CACHE_SERIALIZATION_FAILED', { codec, reason });
}

/**
 * The JSON codec (id 1): portable and readable from any language, but loses `Date`, `Map`, `Set`,
 * `Buffer` and `BigInt` (rejected with `CACHE_SERIALIZATION_FAILED`).
 */
export const jsonCodec: Codec = Object.freeze({
  id: 1,
  name: 'json',
  encode(value: unknown): Uint8Array {
    assertEncodable(value, 'json', false);
    return Buffer.from(JSON.stringify(value), 'utf8');
  },
  decode(bytes: Uint8Array): unknown {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as unknown;
  },
});
