import { describeValue, rejectUnknownKeys } from '@patinox/errors';
import { TieredCacheError } from '../errors.js';
import type { Compressor } from '../serialization/codec.js';
import { SERIALIZER_OPTION_KEYS, Serializer, type SerializerOptions } from '../serialization/serializer.js';
import type { TieredCacheOptions } from './options.js';

/** The serializer of a root cache: at once when the codec is given, else after loading msgpackr (and lz4-napi). */
export function createSerializer(options: TieredCacheOptions<unknown>): Serializer | Promise<Serializer> {
  const given = options.serializer;
  if (given instanceof Serializer) return given;
  if (given !== undefined && (typeof given !== 'object' || given === null)) {
    throw new TypeError(`Expected \`serializer\` to be a Serializer or serializer options, got ${describeValue(given)}`);
  }
  if (given !== undefined) rejectUnknownKeys('serializer', given, SERIALIZER_OPTION_KEYS);
  const base: SerializerOptions = { ...given };
  const compression = options.compression ?? base.compression ?? false;
  if (options.compressionThresholdBytes !== undefined) base.compressionThresholdBytes = options.compressionThresholdBytes;
  if (compression !== false && compression !== 'lz4' && (typeof compression !== 'object' || compression === null)) {
    throw new TypeError(`Expected \`compression\` to be 'lz4', a Compressor or false, got ${describeValue(compression)}`);
  }
  if (base.codec !== undefined && compression !== 'lz4') return new Serializer({ ...base, compression: compression });
  // msgpackr and lz4-napi are optional peers: loaded on first use, only when chosen.
  return (async () => {
    const codec = base.codec ?? (await loadMsgpack());
    const compressor = compression === 'lz4' ? await loadLz4() : compression;
    return new Serializer({ ...base, codec, compression: compressor });
  })();
}

async function loadMsgpack(): Promise<NonNullable<SerializerOptions['codec']>> {
  try {
    const mod = await import('../serialization/msgpack.js');
    return mod.createMsgpackCodec();
  } catch (err) {
    throw new TieredCacheError('The default MessagePack codec needs the msgpackr package: install it, or pass `serializer: { codec: jsonCodec }`', 'CACHE_SERIALIZATION_FAILED', {}, err);
  }
}

async function loadLz4(): Promise<Compressor> {
  try {
    const mod = await import('../serialization/lz4.js');
    return mod.createLz4Compressor();
  } catch (err) {
    throw new TieredCacheError("compression: 'lz4' needs the lz4-napi package: install it, or pass another Compressor", 'CACHE_SERIALIZATION_FAILED', {}, err);
  }
}
