import {
  expectBoolean,
  expectNonNegativeFinite,
  expectSignal,
  optional,
  readKnownOptions,
} from '@patinox/errors';
import { validateTags } from '../internal/validate-tags.js';
import { LOAD_TIMING_KEYS, NO_LOAD_TIMING, readLoadTiming, type LoadTiming } from './load-timing.js';
import { CACHE_DEFAULTS, type CacheOptions, type GetOrLoadOptions } from '../options.js';

/** A `getOrLoad`/`getMany` call's options, checked, with the cache's defaults filled in. */
export interface LoadSettings extends LoadTiming {
  readonly ttlMs: number | undefined;
  readonly sizeBytes: number | undefined;
  readonly tags: readonly string[] | undefined;
  readonly signal: AbortSignal | undefined;
  readonly staleWhileRevalidateMs: number;
}

const LOAD_OPTION_KEYS = [
  'ttlMs',
  'sizeBytes',
  'tags',
  'signal',
  'staleWhileRevalidateMs',
  ...LOAD_TIMING_KEYS,
] as const satisfies readonly (keyof GetOrLoadOptions)[];

/**
 * The cache-wide defaults of the load options, read from the constructor's options.
 * @throws TypeError / RangeError naming the option.
 */
export function readLoadDefaults(options: CacheOptions<never, never>): LoadSettings {
  return {
    ...readLoadTiming(options, NO_LOAD_TIMING),
    ttlMs: undefined,
    sizeBytes: undefined,
    tags: undefined,
    signal: undefined,
    staleWhileRevalidateMs: optional('staleWhileRevalidateMs', options.staleWhileRevalidateMs, expectNonNegativeFinite, CACHE_DEFAULTS.staleWhileRevalidateMs),
  };
}

/** Reads `slidingTtl` from the constructor's options. */
export function readSlidingDefault(options: CacheOptions<never, never>): boolean {
  return optional('slidingTtl', options.slidingTtl, expectBoolean, CACHE_DEFAULTS.slidingTtl);
}

/**
 * One call's options over the cache's `defaults` (returned as is when the call passes none).
 * @throws TypeError / RangeError naming the option; an options bag that cannot be read is a TypeError.
 */
export function readLoadSettings(bag: unknown, defaults: LoadSettings): LoadSettings {
  if (bag === undefined) return defaults;
  const o = readKnownOptions('options', bag, LOAD_OPTION_KEYS);
  // The timing first: with no timing option it is `defaults` itself, whose other fields the call's own follow.
  return {
    ...readLoadTiming(o, defaults),
    ttlMs: o.ttlMs === undefined ? undefined : expectNonNegativeFinite('ttlMs', o.ttlMs),
    sizeBytes: o.sizeBytes === undefined ? undefined : expectNonNegativeFinite('sizeBytes', o.sizeBytes),
    tags: o.tags === undefined ? undefined : validateTags(o.tags),
    signal: o.signal === undefined ? undefined : expectSignal('signal', o.signal),
    staleWhileRevalidateMs: optional('staleWhileRevalidateMs', o.staleWhileRevalidateMs, expectNonNegativeFinite, defaults.staleWhileRevalidateMs),
  };
}
