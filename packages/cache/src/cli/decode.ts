import { toError } from '@patinox/errors';
import { jsonCodec, type Codec, type Compressor } from '../serialization/codec.js';
import { COUNTER_CODEC_ID, HEADER_VERSION, Serializer } from '../serialization/serializer.js';
import { CLI_EXIT_CODES, CliFailure } from './exit-codes.js';

/** What the header byte of a stored value says. */
export interface ValueHeader {
  /** `json`, `msgpack`, `counter`, or `codec <id>` for a custom codec. */
  codec: string;
  codecId: number;
  compressed: boolean;
}

const CODEC_NAMES: Record<number, string> = { [COUNTER_CODEC_ID]: 'counter', 1: 'json', 2: 'msgpack' };

/** Reads the header byte; undefined when the bytes were not written by a patinox cache. */
export function readHeader(bytes: Uint8Array): ValueHeader | undefined {
  if (bytes.byteLength === 0 || bytes[0]! >> 5 !== HEADER_VERSION) return undefined;
  const codecId = (bytes[0]! >> 1) & 0x0f;
  return { codec: CODEC_NAMES[codecId] ?? `codec ${codecId}`, codecId, compressed: (bytes[0]! & 1) === 1 };
}

/**
 * Decodes a stored value with the codec its header names. msgpackr and lz4-napi are optional peers:
 * each is loaded only when a value actually needs it, and its absence is reported by package name.
 */
export async function decodeValue(bytes: Buffer, key: string): Promise<{ header: ValueHeader | undefined; value: unknown }> {
  const header = readHeader(bytes);
  const decoders: Codec[] = [];
  let compression: Compressor | false = false;
  if (header !== undefined) {
    if (header.codecId === 2) decoders.push(await loadMsgpack(`the value of key ${JSON.stringify(key)} is MessagePack`));
    if (header.compressed) compression = await loadLz4(`the value of key ${JSON.stringify(key)} is LZ4-compressed`);
  }
  // The Serializer turns unknown headers, custom codecs and corrupt bytes into CACHE_DECODE_FAILED.
  const value = new Serializer({ codec: jsonCodec, decoders, compression }).deserialize(bytes, key);
  return { header, value };
}

/** A serializer writing with `codec` (never compressing: every reader can read an uncompressed value). */
export async function writerFor(codec: 'json' | 'msgpack'): Promise<Serializer> {
  return new Serializer({ codec: codec === 'json' ? jsonCodec : await loadMsgpack('--codec msgpack') });
}

/** Whether msgpackr can be loaded (the default codec of a `TieredCache` when it is installed). */
export async function hasMsgpack(): Promise<boolean> {
  try {
    await loadMsgpack('');
    return true;
  } catch {
    return false;
  }
}

async function loadMsgpack(why: string): Promise<Codec> {
  try {
    const { createMsgpackCodec } = await import('../serialization/msgpack.js');
    return createMsgpackCodec();
  } catch (err) {
    throw new CliFailure(`${why}: install the msgpackr package to read it (npm install msgpackr), or use --raw (${toError(err).message})`, CLI_EXIT_CODES.failed, { cause: err });
  }
}

async function loadLz4(why: string): Promise<Compressor> {
  try {
    const { createLz4Compressor } = await import('../serialization/lz4.js');
    return createLz4Compressor();
  } catch (err) {
    throw new CliFailure(`${why}: install the lz4-napi package to read it (npm install lz4-napi), or use --raw (${toError(err).message})`, CLI_EXIT_CODES.failed, { cause: err });
  }
}

/** A decoded value as JSON: BigInt as a decimal string, Set as an array, Map as an object, bytes as base64. */
export function toJson(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, function (this: unknown, k: string, v: unknown) {
      const original = (this as Record<string, unknown>)[k];
      if (typeof v === 'bigint') return v.toString();
      if (original instanceof Uint8Array) return { base64: Buffer.from(original).toString('base64') };
      if (v instanceof Set) return [...(v as Set<unknown>)];
      if (v instanceof Map) return Object.fromEntries(v as Map<PropertyKey, unknown>) as unknown;
      return v;
    }) ?? 'null',
  ) as unknown;
}
