import { describeValue } from '@patinox/errors';
import type { Monitor } from './monitor.js';

/**
 * Throws a `TypeError` unless `value` is a {@link Monitor} (anything with a `record` function); the one
 * check every package runs on its `monitor` option. Pair it with `optional` for the default.
 *
 * @example
 * ```ts
 * const monitor = optional('monitor', options.monitor, expectMonitor, noopMonitor);
 * ```
 */
export function expectMonitor(name: string, value: unknown): Monitor {
  let ok = false;
  if ((typeof value === 'object' && value !== null) || typeof value === 'function') {
    try {
      ok = typeof (value as Monitor).record === 'function';
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new TypeError(`Expected \`${name}\` to be a Monitor (an object with a record method), got ${describeValue(value)}`);
  return value as Monitor;
}
