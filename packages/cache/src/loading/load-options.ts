import {
  expectBoolean,
  expectNonNegativeFinite,
  expectSignal,
  expectTimerMsOrZero,
  optional,
  readOptions,
} from '@patinox/errors';
import { validateTags } from '../internal/validate-tags.js';
import { CACHE_DEFAULTS, type CacheOptions, type GetOrLoadOptions } from '../options.js';

/** A `getOrLoad`/`getMany` call's options, checked, with the cache's defaults filled in. */
export interface LoadSettings {
  readonly ttlMs: number | undefined;
  readonly sizeBytes: number | undefined;
  readonly tags: readonly string[] | undefined;
  readonly signal: AbortSignal | undefined;
  readonly staleWhileRevalidateMs: number;
  readonly softTimeoutMs: number;
  readonly hardTimeoutMs: number;
  readonly graceMs: number;
  readonly failureBackoffMs: number;
  readonly maxFailureBackoffMs: number;
  readonly refreshAfterMs: number;
}

const LOAD_OPTION_KEYS = [
  'ttlMs',
  'sizeBytes',
  'tags',
  'signal',
  'staleWhileRevalidateMs',
  'softTimeoutMs',
  'hardTimeoutMs',
  'graceMs',
  'failureBackoffMs',
  'maxFailureBackoffMs',
  'refreshAfterMs',
] as const satisfies readonly (keyof GetOrLoadOptions)[];

/**
 * The cache-wide defaults of the load options, read from the constructor's options.
 * @throws TypeError / RangeError naming the option.
 */
export function readLoadDefaults(options: CacheOptions<never, never>): LoadSettings {
  return {
    ttlMs: undefined,
    sizeBytes: undefined,
    tags: undefined,
    signal: undefined,
    staleWhileRevalidateMs: optional('staleWhileRevalidateMs', options.staleWhileRevalidateMs, expectNonNegativeFinite, CACHE_DEFAULTS.staleWhileRevalidateMs),
    softTimeoutMs: optional('softTimeoutMs', options.softTimeoutMs, expectTimerMsOrZero, CACHE_DEFAULTS.softTimeoutMs),
    hardTimeoutMs: optional('hardTimeoutMs', options.hardTimeoutMs, expectTimerMsOrZero, CACHE_DEFAULTS.hardTimeoutMs),
    graceMs: optional('graceMs', options.graceMs, expectTimerMsOrZero, CACHE_DEFAULTS.graceMs),
    failureBackoffMs: optional('failureBackoffMs', options.failureBackoffMs, expectTimerMsOrZero, CACHE_DEFAULTS.failureBackoffMs),
    maxFailureBackoffMs: optional('maxFailureBackoffMs', options.maxFailureBackoffMs, expectTimerMsOrZero, CACHE_DEFAULTS.maxFailureBackoffMs),
    refreshAfterMs: optional('refreshAfterMs', options.refreshAfterMs, expectTimerMsOrZero, CACHE_DEFAULTS.refreshAfterMs),
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
  const o = readOptions('options', bag, LOAD_OPTION_KEYS);
  return {
    ttlMs: o.ttlMs === undefined ? undefined : expectNonNegativeFinite('ttlMs', o.ttlMs),
    sizeBytes: o.sizeBytes === undefined ? undefined : expectNonNegativeFinite('sizeBytes', o.sizeBytes),
    tags: o.tags === undefined ? undefined : validateTags(o.tags),
    signal: o.signal === undefined ? undefined : expectSignal('signal', o.signal),
    staleWhileRevalidateMs: optional('staleWhileRevalidateMs', o.staleWhileRevalidateMs, expectNonNegativeFinite, defaults.staleWhileRevalidateMs),
    softTimeoutMs: optional('softTimeoutMs', o.softTimeoutMs, expectTimerMsOrZero, defaults.softTimeoutMs),
    hardTimeoutMs: optional('hardTimeoutMs', o.hardTimeoutMs, expectTimerMsOrZero, defaults.hardTimeoutMs),
    graceMs: optional('graceMs', o.graceMs, expectTimerMsOrZero, defaults.graceMs),
    failureBackoffMs: optional('failureBackoffMs', o.failureBackoffMs, expectTimerMsOrZero, defaults.failureBackoffMs),
    maxFailureBackoffMs: optional('maxFailureBackoffMs', o.maxFailureBackoffMs, expectTimerMsOrZero, defaults.maxFailureBackoffMs),
    refreshAfterMs: optional('refreshAfterMs', o.refreshAfterMs, expectTimerMsOrZero, defaults.refreshAfterMs),
  };
}
