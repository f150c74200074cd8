import { describeThrown, describeValue, expectNonNegativeInteger, expectObject, optional, rejectUnknownKeys } from '@patinox/errors';
import { TieredCacheError } from '../errors.js';
import { isList } from '../tiered/key-check.js';
import { jsonCodec, type Codec, type Compressor } from './codec.js';

/** Version of the one-byte header; bits 7–5 of the first byte of every stored value. */
export const HEADER_VERSION = 1;
/** Codec id of counters written by `increment`: the header byte then ASCII decimal digits. */
export const COUNTER_CODEC_ID = 0;
/** The header byte of a counter (version 1, codec 0, uncompressed). */
export const COUNTER_HEADER = (HEADER_VERSION << 5) | (COUNTER_CODEC_ID << 1);
const COMPRESSED = 1;

/** Every option of {@link SerializerOptions}: any other key is refused. */
export const SERIALIZER_OPTION_KEYS = ['codec', 'compression', 'compressionThresholdBytes', 'decoders'] as const;

/** Options of {@link Serializer}. */
export interface SerializerOptions {
  /** How values become bytes. @default jsonCodec (TieredCache defaults to MessagePack when msgpackr is installed) */
  codec?: Codec;
  /** Compressor for values of at least `compressionThresholdBytes` encoded bytes; `false` for none. @default false */
  compression?: Compressor | false;
  /** Encoded size from which values are compressed, in bytes. @default 1024 */
  compressionThresholdBytes?: number;
  /** Extra codecs able to read values written by an older codec (JSON is always readable). @default [] */
  decoders?: readonly Codec[];
}

/**
 * Encodes values as `header byte + payload`, compressing large payloads, and decodes them back,
 * turning any unreadable bytes into a `CACHE_DECODE_FAILED` error (never a crash, never garbage).
 *
 * Header layout: bits 7–5 the header version (1), bits 4–1 the codec id, bit 0 set when compressed.
 *
 * @example
 * ```ts
 * const serializer = new Serializer({ codec: jsonCodec });
 * serializer.deserialize(serializer.serialize({ a: 1 })); // { a: 1 }
 * ```
 */
export class Serializer {
  readonly codec: Codec;
  readonly #compression: Compressor | false;
  readonly #threshold: number;
  readonly #decoders = new Map<number, Codec>();

  constructor(options: SerializerOptions = {}) {
    rejectUnknownKeys('options', expectObject('options', options), SERIALIZER_OPTION_KEYS);
    this.codec = validateCodec('codec', options.codec ?? jsonCodec);
    const compression = options.compression ?? false;
    if (compression !== false && (typeof compression !== 'object' || compression === null || typeof compression.compress !== 'function' || typeof compression.decompress !== 'function')) {
      throw new TypeError(`Expected \`compression\` to be a Compressor or false, got ${describeValue(compression)}`);
    }
    this.#compression = compression;
    this.#threshold = optional('compressionThresholdBytes', options.compressionThresholdBytes, expectNonNegativeInteger, 1024);
    const decoders = options.decoders ?? [];
    if (!isList(decoders)) throw new TypeError(`Expected \`decoders\` to be an array of codecs, got ${describeValue(decoders)}`);
    this.#decoders.set(jsonCodec.id, jsonCodec);
    for (const decoder of decoders) this.#decoders.set(decoder.id, validateCodec('decoders[]', decoder));
    this.#decoders.set(this.codec.id, this.codec);
  }

  /** Encodes `value`; throws `CACHE_SERIALIZATION_FAILED` for values the codec cannot carry. */
  serialize(value: unknown): Buffer {
    let payload: Uint8Array;
    try {
      payload = this.codec.encode(value);
    } catch (err) {
      if (err instanceof TieredCacheError) throw err;
      throw new TieredCacheError(`Cannot serialize value with ${this.codec.name}: ${describeThrown(err)}`, 'CACHE_SERIALIZATION_FAILED', { codec: this.codec.name }, err);
    }
    if (!(payload instanceof Uint8Array)) {
      throw new TieredCacheError(`Cannot serialize value with ${this.codec.name}: its encode returned ${describeValue(payload)}, not a Uint8Array`, 'CACHE_SERIALIZATION_FAILED', { codec: this.codec.name });
    }
    let flags = 0;
    let body = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    if (this.#compression !== false && body.byteLength >= this.#threshold) {
      let compressed: Buffer;
      try {
        compressed = this.#compression.compress(body);
      } catch (err) {
        throw new TieredCacheError(`Cannot compress value with ${this.#compression.name}: ${describeThrown(err)}`, 'CACHE_SERIALIZATION_FAILED', { codec: this.codec.name }, err);
      }
      if (!(compressed instanceof Uint8Array)) {
        throw new TieredCacheError(`Cannot compress value: compress returned ${describeValue(compressed)}, not a Uint8Array`, 'CACHE_SERIALIZATION_FAILED', { codec: this.codec.name });
      }
      if (compressed.byteLength < body.byteLength) {
        body = compressed;
        flags = COMPRESSED;
      }
    }
    const out = Buffer.allocUnsafe(body.byteLength + 1);
    out[0] = (HEADER_VERSION << 5) | (this.codec.id << 1) | flags;
    body.copy(out, 1);
    return out;
  }

  /** Decodes bytes written by {@link serialize} or `increment`; throws `CACHE_DECODE_FAILED` otherwise. */
  deserialize(bytes: Uint8Array, key?: string): unknown {
    if (bytes.byteLength === 0) decodeFailed('the value is empty', key);
    const header = bytes[0]!;
    if (header >> 5 !== HEADER_VERSION) decodeFailed(`unknown header byte 0x${header.toString(16).padStart(2, '0')}`, key);
    const codecId = (header >> 1) & 0x0f;
    const body = Buffer.from(bytes.buffer, bytes.byteOffset + 1, bytes.byteLength - 1);
    if (codecId === COUNTER_CODEC_ID) {
      const text = body.toString('latin1');
      if (!/^-?\d{1,20}$/.test(text)) decodeFailed('a counter that is not an integer', key);
      return Number(text);
    }
    const codec = this.#decoders.get(codecId);
    if (codec === undefined) decodeFailed(`written by codec ${codecId}, which this serializer does not know`, key);
    let payload: Buffer = body;
    if ((header & COMPRESSED) !== 0) {
      if (this.#compression === false) decodeFailed('the value is compressed and no compressor is configured', key);
      try {
        payload = this.#compression.decompress(body);
      } catch (err) {
        decodeFailed(`decompression failed: ${describeThrown(err)}`, key, err);
      }
    }
    try {
      return codec.decode(payload);
    } catch (err) {
      return decodeFailed(`${codec.name} decode failed: ${describeThrown(err)}`, key, err);
    }
  }
}

function decodeFailed(reason: string, key: string | undefined, cause?: unknown): never {
  throw new TieredCacheError(`Cannot decode cached value${key === undefined ? '' : ` of key ${JSON.stringify(key)}`}: ${reason}`, 'CACHE_DECODE_FAILED', { key, reason }, cause);
}

function validateCodec(name: string, codec: unknown): Codec {
  const c = codec as Codec;
  if (typeof codec !== 'object' || codec === null || typeof c.encode !== 'function' || typeof c.decode !== 'function' || typeof c.name !== 'string') {
    throw new TypeError(`Expected \`${name}\` to be a Codec ({ id, name, encode, decode }), got ${describeValue(codec)}`);
  }
  if (!Number.isInteger(c.id) || c.id < 1 || c.id > 15) {
    throw new RangeError(`Expected \`${name}.id\` to be an integer from 1 to 15, got ${describeValue(c.id)}`);
  }
  return c;
}
