import { expectTimerMsOrZero, optional } from '@patinox/errors';

/**
 * The load timing options (`softTimeoutMs`, `hardTimeoutMs`, `graceMs`, `failureBackoffMs`,
 * `maxFailureBackoffMs`, `refreshAfterMs`) checked, with defaults applied; 0 means off. One reader for
 * `Cache` and `TieredCache`, which give them the same names and limits.
 */
export interface LoadTiming {
  readonly softTimeoutMs: number;
  readonly hardTimeoutMs: number;
  readonly graceMs: number;
  readonly failureBackoffMs: number;
  readonly maxFailureBackoffMs: number;
  readonly refreshAfterMs: number;
}

/** The names of the load timing options, for the option key lists of `Cache`, regions and `getOrLoad`. */
export const LOAD_TIMING_KEYS = ['softTimeoutMs', 'hardTimeoutMs', 'graceMs', 'failureBackoffMs', 'maxFailureBackoffMs', 'refreshAfterMs'] as const satisfies readonly (keyof LoadTiming)[];

/** The timing of a cache without any load option. */
export const NO_LOAD_TIMING: LoadTiming = Object.freeze({ softTimeoutMs: 0, hardTimeoutMs: 0, graceMs: 0, failureBackoffMs: 0, maxFailureBackoffMs: 30_000, refreshAfterMs: 0 });

/**
 * Reads the load timing options of `source` over `fallback` (the cache-level timing). Returns `fallback`
 * itself when `source` sets none, so a call without them allocates nothing.
 *
 * @throws TypeError / RangeError naming the option: negative, non-finite or over 2³¹−1 ms.
 */
export function readLoadTiming(source: { readonly [P in keyof LoadTiming]?: unknown }, fallback: LoadTiming): LoadTiming {
  if (
    source.softTimeoutMs === undefined &&
    source.hardTimeoutMs === undefined &&
    source.graceMs === undefined &&
    source.failureBackoffMs === undefined &&
    source.maxFailureBackoffMs === undefined &&
    source.refreshAfterMs === undefined
  ) {
    return fallback;
  }
  return {
    softTimeoutMs: optional('softTimeoutMs', source.softTimeoutMs, expectTimerMsOrZero, fallback.softTimeoutMs),
    hardTimeoutMs: optional('hardTimeoutMs', source.hardTimeoutMs, expectTimerMsOrZero, fallback.hardTimeoutMs),
    graceMs: optional('graceMs', source.graceMs, expectTimerMsOrZero, fallback.graceMs),
    failureBackoffMs: optional('failureBackoffMs', source.failureBackoffMs, expectTimerMsOrZero, fallback.failureBackoffMs),
    maxFailureBackoffMs: optional('maxFailureBackoffMs', source.maxFailureBackoffMs, expectTimerMsOrZero, fallback.maxFailureBackoffMs),
    refreshAfterMs: optional('refreshAfterMs', source.refreshAfterMs, expectTimerMsOrZero, fallback.refreshAfterMs),
  };
}
