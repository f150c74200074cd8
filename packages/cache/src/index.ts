export { Cache } from './cache.js';
export type { CacheStats } from './cache.js';
export { DUMP_FORMAT, DUMP_VERSION } from './dump.js';
export type { CacheDump, CacheDumpEntry } from './dump.js';
export type { BulkLoader, BulkResult, Loader } from './loading/loads.js';
export {
  CACHE_CLOSED,
  CACHE_ERROR_CODES,
  CACHE_DUMP_INVALID,
  CACHE_DUPLICATE_KEY,
  CACHE_ENTRY_TOO_LARGE,
  CACHE_LOAD_ABORTED,
  CACHE_LOAD_TIMEOUT,
  CACHE_LOADER_FAILED,
  CacheClosedError,
  CacheDumpInvalidError,
  CacheDuplicateKeyError,
  CacheEntryTooLargeError,
  CacheError,
  CacheLoadAbortedError,
  CacheLoaderError,
  CacheLoadTimeoutError,
} from './errors.js';
export type { CacheErrorCode, CacheErrorOptions } from './errors.js';
export { CACHE_EVENTS } from './events.js';
export type { CacheEventName } from './events.js';
export { CACHE_DEFAULTS } from './options.js';
export type {
  CacheEntry,
  CacheOptions,
  EvictionPolicyName,
  EvictionReason,
  EvictionStrategy,
  GetManyOptions,
  GetOrLoadOptions,
  LoadTimingOptions,
  LoaderContext,
  PeekOptions,
  RegionOptions,
  SetManyEntry,
  SetOptions,
  StatsOptions,
} from './options.js';
export { DEFAULT_EVICTION_POLICY, EVICTION_POLICIES } from './policies/names.js';
export * from './tiered/index.js';
