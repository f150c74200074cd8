import { expectBoolean, expectFunction, expectNonNegativeFinite, expectSignal, optional } from '@patinox/errors';
import { checkTags } from './key-check.js';
import { TIERED_GET_MANY_KEYS, TIERED_GET_OR_LOAD_KEYS, checkCallOptions } from './option-keys.js';
import { readLoadTiming, type LoadTiming } from '../loading/load-timing.js';
import type { TieredGetManyOptions, TieredGetOrLoadOptions } from './options.js';
import { expectTtlMs } from './ttl-check.js';

/** The options of a `getOrLoad` called without any: nothing to check, the cache's own policy applies. */
export const NO_GET_OR_LOAD_OPTIONS: TieredGetOrLoadOptions = Object.freeze({});

/**
 * Checks the arguments of `getOrLoad` and returns the call's load policy (the cache's own when the call
 * sets no load option).
 *
 * @throws TypeError / RangeError naming the argument or option.
 */
export function checkGetOrLoad(loader: unknown, options: TieredGetOrLoadOptions, defaults: LoadTiming): LoadTiming {
  expectFunction('loader', loader);
  if (options === NO_GET_OR_LOAD_OPTIONS) return defaults;
  checkCallOptions(options, TIERED_GET_OR_LOAD_KEYS);
  optional('ttlMs', options.ttlMs, expectTtlMs, 0);
  optional('staleWhileRevalidateMs', options.staleWhileRevalidateMs, expectNonNegativeFinite, 0);
  optional('sliding', options.sliding, expectBoolean, false);
  checkTags(options.tags);
  checkSignal(options.signal);
  return readLoadTiming(options, defaults);
}

/** Checks the options of `getMany(keys, loader, options)`; returns its policy (only `hardTimeoutMs` applies). */
export function checkGetMany(loader: unknown, options: TieredGetManyOptions, defaults: LoadTiming): LoadTiming {
  expectFunction('loader', loader);
  checkCallOptions(options, TIERED_GET_MANY_KEYS);
  optional('ttlMs', options.ttlMs, expectTtlMs, 0);
  optional('sliding', options.sliding, expectBoolean, false);
  checkTags(options.tags);
  checkSignal(options.signal);
  const policy = readLoadTiming(options, defaults);
  return { ...policy, softTimeoutMs: 0, refreshAfterMs: 0 };
}

function checkSignal(signal: unknown): void {
  if (signal !== undefined) expectSignal('signal', signal);
}
