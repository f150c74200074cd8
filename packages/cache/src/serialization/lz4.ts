import { lz4Peer } from '../internal/peers.js';
import type { Compressor } from './codec.js';

/**
 * Creates the LZ4 block compressor on lz4-napi; fast enough to pay off from about 1 KiB.
 *
 * @example
 * ```ts
 * import { createLz4Compressor } from '@patinox/cache/lz4';
 * const serializer = { compression: createLz4Compressor(), compressionThresholdBytes: 1024 };
 * ```
 */
export function createLz4Compressor(): Compressor {
  const { compressSync, uncompressSync } = lz4Peer();
  return Object.freeze({
    name: 'lz4',
    compress: (bytes: Buffer): Buffer => compressSync(bytes),
    decompress: (bytes: Buffer): Buffer => uncompressSync(bytes),
  });
}
