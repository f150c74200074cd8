import { describeValue } from '@patinox/errors';
import type { MetricsRegistry } from '../metrics.js';

/** The bridges' check of their `source`: anything with a `collect()` (a MetricsRegistry of any copy of this package). */
export function expectSource(value: unknown): MetricsRegistry {
  let ok = false;
  if (typeof value === 'object' && value !== null) {
    try {
      ok = typeof (value as MetricsRegistry).collect === 'function';
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new TypeError(`Expected \`source\` to be a MetricsRegistry (with collect()), got ${describeValue(value)}`);
  return value as MetricsRegistry;
}
