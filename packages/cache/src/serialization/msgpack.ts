import { msgpackrPeer } from '../internal/peers.js';
import { assertEncodable, type Codec } from './codec.js';

/**
 * Creates the MessagePack codec (id 2) on msgpackr: compact and fast, and carries `Date`, `Set`,
 * binary data, `RegExp` and `BigInt`. Values it would change (a `Map`, `-0`, class instances, lone surrogates,
 * see `assertEncodable`), functions, symbols and cycles are rejected with `CACHE_SERIALIZATION_FAILED`.
 *
 * @example
 * ```ts
 * import { createMsgpackCodec } from '@patinox/cache/msgpack';
 * const cache = new TieredCache({ l2, namespace: 'app', serializer: { codec: createMsgpackCodec() } });
 * ```
 */
export function createMsgpackCodec(): Codec {
  // Records off: shared structures would make one process's bytes unreadable by another.
  const packr = new (msgpackrPeer().Packr)({ useRecords: false, moreTypes: true, int64AsType: 'bigint' });
  return Object.freeze({
    id: 2,
    name: 'msgpack',
    encode(value: unknown): Uint8Array {
      assertEncodable(value, 'msgpack', true, 'msgpack');
      return packr.pack(value);
    },
    decode(bytes: Uint8Array): unknown {
      return packr.unpack(bytes) as unknown;
    },
  });
}
