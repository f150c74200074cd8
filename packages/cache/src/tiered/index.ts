export { CACHE_ERROR_CODES, CacheBackendError, TieredCacheError } from '../errors.js';
export type { TieredCacheErrorCode } from '../errors.js';
export type { BackendBatchOperation, BackendCheck, BackendEntry, BackendSetOptions, BackendTouch, BackendWrite, CacheBackend } from './backend.js';
export { MemoryBackend } from '../backends/memory-backend.js';
export type { MemoryBackendOptions } from '../backends/memory-backend.js';
export { assertEncodable, jsonCodec } from '../serialization/codec.js';
export type { Codec, Compressor, EncodableProfile } from '../serialization/codec.js';
export { COUNTER_CODEC_ID, COUNTER_HEADER, HEADER_VERSION, Serializer } from '../serialization/serializer.js';
export type { SerializerOptions } from '../serialization/serializer.js';
export { MemoryBus, preciseNow } from './bus.js';
export type { BusListener, BusState, InvalidationBus, InvalidationMessage } from './bus.js';
export type { CircuitBreakerOptions, CircuitState } from './circuit-breaker.js';
export type { Store } from './store.js';
export type { SnapshotImportOptions, SnapshotInfo } from './snapshot.js';
export type {
  TieredCacheOptions,
  TieredConsistency,
  TieredEntry,
  TieredGetManyOptions,
  TieredGetOptions,
  TieredGetOrLoadOptions,
  TieredLoadOptions,
  TieredLoaderContext,
  TieredPeekOptions,
  TieredScanOptions,
  TieredSetOptions,
} from './options.js';
export type { TieredBulkLoader } from './bulk-load.js';
export type { TieredStatsOptions } from './tiered-stats.js';
export { TieredAtomic, TieredBatch } from './builders.js';
export { TieredCache } from './tiered-cache.js';
export { KeyLayout } from './key-layout.js';
export type { InvalidationEvent, TieredCacheStats } from './tiered-cache.js';
export type { RemoteStats } from './remote-tier.js';
