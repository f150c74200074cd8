export { Cache } from './cache.js';
export type { CacheStats } from './cache.js';
export {
  CACHE_CLOSED,
  CACHE_DUPLICATE_KEY,
  CACHE_ENTRY_TOO_LARGE,
  CACHE_LOAD_ABORTED,
  CACHE_LOAD_TIMEOUT,
  CACHE_LOADER_FAILED,
  CacheClosedError,
  CacheDuplicateKeyError,
  CacheEntryTooLargeError,
  CacheError,
  CacheLoadAbortedError,
  CacheLoaderError,
  CacheLoadTimeoutError,
} from './errors.js';
export type { CacheErrorOptions } from './errors.js';
export { CACHE_EVENTS } from './events.js';
export type { CacheEventName } from './events.js';
export { CACHE_DEFAULTS } from './options.js';
export type {
  CacheEntry,
  CacheOptions,
  EvictionPolicyName,
  EvictionReason,
  EvictionStrategy,
  GetOrLoadOptions,
  LoaderContext,
  RegionOptions,
  SetOptions,
} from './options.js';
export { DEFAULT_EVICTION_POLICY, EVICTION_POLICIES } from './policies/names.js';
export * from './tiered/index.js';
