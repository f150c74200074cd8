import { Buffer } from 'node:buffer';
import { describeThrown, describeValue } from '@patinox/errors';

/** Turns a {@link SharedMap}'s values into bytes and back (e.g. msgpackr's `pack`/`unpack`). */
export interface SharedMapCodec<V> {
  /** The value's bytes; may return a view that is only valid until the next call. */
  encode(value: V): Uint8Array;
  /** The value of `bytes`, which are the map's own copy: views of them (msgpackr's bin fields) stay valid. */
  decode(bytes: Uint8Array): V;
}

/** The built-in value codecs, by name. */
export type SharedMapCodecName = 'json' | 'string' | 'bytes';

/** A codec as the map uses it: encodes straight into its scratch buffer. */
export interface SlotCodec<V> {
  readonly name: SharedMapCodecName | 'custom';
  /** Writes the value's bytes into `out` and returns their count; a count above `out.length` means it did not fit. */
  encodeInto(value: V, out: Uint8Array): number;
  decode(bytes: Uint8Array, length: number): V;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes `text` as UTF-8 into `out`; the byte count (above `out.length` when it does not fit). */
export function encodeText(text: string, out: Uint8Array): number {
  // ASCII fast path: keys and JSON text are mostly ASCII, and a loop beats encodeInto's call overhead.
  const length = text.length;
  if (length <= out.length) {
    let i = 0;
    for (; i < length; i += 1) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      out[i] = c;
    }
    if (i === length) return length;
  }
  const { read, written } = encoder.encodeInto(text, out);
  return read === length ? written : Buffer.byteLength(text);
}

/** A private scratch buffer whose bytes decode fast (`Buffer#toString` beats TextDecoder on small inputs). */
export function scratch(bytes: number): Buffer {
  return Buffer.alloc(bytes);
}

// Buffer#utf8Slice skips toString's argument checks; it exists on every Node Buffer.
type FastBuffer = Buffer & { utf8Slice?: (start: number, end: number) => string };

export function decodeText(bytes: Uint8Array, length: number): string {
  const buffer = bytes as FastBuffer;
  if (buffer.utf8Slice !== undefined) return buffer.utf8Slice(0, length);
  return decoder.decode(bytes.subarray(0, length));
}

const stringCodec: SlotCodec<string> = {
  name: 'string',
  encodeInto(value, out) {
    if (typeof value !== 'string') throw new TypeError(`Expected \`value\` to be a string, got ${describeValue(value)}`);
    return encodeText(value, out);
  },
  decode: decodeText,
};

const bytesCodec: SlotCodec<Uint8Array> = {
  name: 'bytes',
  encodeInto(value, out) {
    if (!(value instanceof Uint8Array)) throw new TypeError(`Expected \`value\` to be a Uint8Array, got ${describeValue(value)}`);
    if (value.length <= out.length) out.set(value);
    return value.length;
  },
  // A copy: the scratch buffer is read into again by the next get (Buffer#slice would be a view of it).
  decode: (bytes, length) => new Uint8Array(bytes.subarray(0, length)),
};

const jsonCodec: SlotCodec<unknown> = {
  name: 'json',
  encodeInto(value, out) {
    // JSON.stringify throws for a BigInt, a cycle, a toJSON or a Proxy trap that throws (not always a
    // TypeError), and returns undefined for values JSON has no text for: either way, `value` is named.
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (cause) {
      throw new TypeError(`Expected \`value\` to be JSON-serializable, but serializing it threw: ${describeThrown(cause)}`, { cause });
    }
    if (text === undefined) throw new TypeError(`Expected \`value\` to be JSON-serializable, got ${describeValue(value)}`);
    return encodeText(text, out);
  },
  decode: (bytes, length) => JSON.parse(decodeText(bytes, length)) as unknown,
};

function customCodec<V>(codec: SharedMapCodec<V>): SlotCodec<V> {
  return {
    name: 'custom',
    encodeInto(value, out) {
      const bytes = codec.encode(value);
      if (!(bytes instanceof Uint8Array)) throw new TypeError(`Expected \`codec.encode\` to return a Uint8Array, got ${describeValue(bytes)}`);
      if (bytes.length <= out.length) out.set(bytes);
      return bytes.length;
    },
    // A copy, not a view of the scratch buffer: decoders such as msgpackr's unpack return views of
    // their input for binary fields, which the next get would overwrite.
    decode: (bytes, length) => codec.decode(new Uint8Array(bytes.subarray(0, length))),
  };
}

/** Resolves the `codec` option; a TypeError for anything else. */
export function resolveCodec<V>(codec: unknown): SlotCodec<V> {
  if (codec === undefined || codec === 'json') return jsonCodec as SlotCodec<V>;
  if (codec === 'string') return stringCodec as unknown as SlotCodec<V>;
  if (codec === 'bytes') return bytesCodec as unknown as SlotCodec<V>;
  if (typeof codec === 'object' && codec !== null && typeof (codec as SharedMapCodec<V>).encode === 'function' && typeof (codec as SharedMapCodec<V>).decode === 'function') {
    return customCodec(codec as SharedMapCodec<V>);
  }
  throw new TypeError(`Expected \`codec\` to be 'json', 'string', 'bytes' or { encode, decode }, got ${describeValue(codec)}`);
}

/** FNV-1a over the key's bytes, finished with murmur3's avalanche so low and high bits both spread. */
export function hashBytes(bytes: Uint8Array, length: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < length; i += 1) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
