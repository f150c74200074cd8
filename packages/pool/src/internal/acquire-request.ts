import { expectSignal, optional, readKnownOptions } from '@patinox/errors';
import type { AcquireOptions } from '../options.js';
import { expectDelayMs, expectPriority } from './resolve-options.js';

const ACQUIRE_OPTION_KEYS = ['timeoutMs', 'signal', 'priority'] as const;

/** An `acquire` options bag once validated, its defaults applied. */
export interface AcquireRequest {
  timeoutMs: number;
  signal: AbortSignal | undefined;
  priority: number;
}

/**
 * Validates `acquire`'s options (a programmer mistake throws at once, before anything is queued or
 * traced) and applies the defaults. The bag read out of `options` is filled in place: one object per call.
 */
export function readAcquireOptions(options: AcquireOptions, defaultTimeoutMs: number): AcquireRequest {
  const bag = readKnownOptions('options', options, ACQUIRE_OPTION_KEYS);
  bag.timeoutMs = optional('timeoutMs', bag.timeoutMs, expectDelayMs, defaultTimeoutMs);
  bag.signal = optional('signal', bag.signal, expectSignal, undefined);
  bag.priority = optional('priority', bag.priority, expectPriority, 0);
  return bag as AcquireRequest;
}
