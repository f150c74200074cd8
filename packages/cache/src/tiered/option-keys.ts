import { expectObject, rejectUnknownKeys } from '@patinox/errors';
import { LOAD_TIMING_KEYS } from '../loading/load-timing.js';
import type { SnapshotImportOptions } from './snapshot.js';
import type { TieredStatsOptions } from './tiered-stats.js';
import type {
  TieredCacheOptions,
  TieredGetManyOptions,
  TieredGetOptions,
  TieredGetOrLoadOptions,
  TieredPeekOptions,
  TieredScanOptions,
  TieredSetOptions,
} from './options.js';

// Every bag a TieredCache takes is closed: a key it does not list is a typo (`ttl`, `consistant`) that
// would otherwise be ignored, leaving the default in force.

/** Every option of {@link TieredCacheOptions}. */
export const TIERED_OPTION_KEYS = [
  'l2',
  'namespace',
  'consistency',
  'l1',
  'serializer',
  'compression',
  'compressionThresholdBytes',
  'defaultTtlMs',
  'bus',
  'store',
  'operationTimeoutMs',
  'circuitBreaker',
  'degradeToL1',
  'lockTtlMs',
  'lockWaitTimeoutMs',
  'lockPollIntervalMs',
  'maxKeyBytes',
  'monitor',
  'clock',
  'tracer',
  'traceL1Hits',
  'slidingTtl',
  ...LOAD_TIMING_KEYS,
] as const satisfies readonly (keyof TieredCacheOptions)[];

// A region shares its parent's L2, bus and serializer: these options are the parent's.
const REGION_FIXED: readonly string[] = ['l2', 'namespace', 'bus', 'serializer', 'compression', 'compressionThresholdBytes', 'circuitBreaker'];

export const TIERED_GET_KEYS = ['consistent', 'allowStale'] as const satisfies readonly (keyof TieredGetOptions)[];
export const TIERED_SET_KEYS = ['ttlMs', 'sliding', 'nx', 'tags'] as const satisfies readonly (keyof TieredSetOptions)[];
export const TIERED_PEEK_KEYS = ['allowStale'] as const satisfies readonly (keyof TieredPeekOptions)[];
export const TIERED_SCAN_KEYS = ['batchSize'] as const satisfies readonly (keyof TieredScanOptions)[];
export const TIERED_INCREMENT_KEYS = ['ttlMs'] as const;
export const TIERED_SUBSCRIBE_KEYS = ['signal', 'bufferSize'] as const;
export const TIERED_STATS_KEYS = ['reset'] as const satisfies readonly (keyof TieredStatsOptions)[];
export const SNAPSHOT_IMPORT_KEYS = ['overwrite'] as const satisfies readonly (keyof SnapshotImportOptions)[];
export const TIERED_GET_OR_LOAD_KEYS = [
  'ttlMs',
  'sliding',
  'tags',
  'signal',
  'staleWhileRevalidateMs',
  ...LOAD_TIMING_KEYS,
] as const satisfies readonly (keyof TieredGetOrLoadOptions)[];
export const TIERED_GET_MANY_KEYS = ['ttlMs', 'tags', 'sliding', 'signal', 'hardTimeoutMs'] as const satisfies readonly (keyof TieredGetManyOptions)[];

/**
 * Checks `region(name, options)`'s bag: an option only the root sets (`l2`, `bus`, `serializer`…) is a
 * TypeError saying so, any other unknown key one naming the closest option a region may set.
 */
export function checkRegionOptions(options: unknown): void {
  const bag = expectObject('options', options);
  rejectUnknownKeys('options', bag, TIERED_OPTION_KEYS);
  for (const key of REGION_FIXED) {
    if (Object.hasOwn(bag, key)) throw new TypeError(`Expected \`options\` to have only keys a region may set, got \`${key}\`: a region shares its parent's ${key}`);
  }
}

/**
 * Throws a TypeError unless `options` is an object with only `keys` (the unknown key named, with the
 * closest known one). Allocates nothing: per-call options of reads and writes take this path.
 */
export function checkCallOptions(options: unknown, keys: readonly string[]): void {
  rejectUnknownKeys('options', expectObject('options', options), keys);
}
