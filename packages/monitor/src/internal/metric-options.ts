import { describeValue, expectFunction, expectObject, expectString, optional, readKnownOptions } from '@patinox/errors';
import { DEFAULT_EXPORT_BOUNDS, checkBounds } from '../histogram.js';
/** Static labels of one metric series (as `Labels` in metrics.ts, kept here so this file imports nothing back). */
type Labels = Readonly<Record<string, string>>;

// What a registry factory accepts, checked once when the metric is created (never on record or collect):
// anything here that an exporter could not write (a label name with a dash, a histogram's own `le`) would
// otherwise surface as a scrape Prometheus rejects whole.

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Labels the exporters add to every histogram series: Prometheus's `le`, the OpenTelemetry bridge's `quantile`. */
const HISTOGRAM_LABELS = ['le', 'quantile'];

/** A registry factory's options bag, read once and checked. */
export interface CheckedMetricOptions {
  help: string;
  labels: Labels;
  exportBounds: readonly number[];
  read: (() => number) | undefined;
}

/**
 * True when a collector's `labels` can be written by both exporters: absent, or a plain object of valid
 * label names (not `le` / `quantile` on a histogram) with string values. Never throws: reading labels
 * whose getters or Proxy traps throw is a false.
 */
export function isExportableLabels(value: unknown, isHistogram: boolean): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  try {
    for (const [key, label] of Object.entries(value)) {
      if (typeof label !== 'string' || !LABEL_NAME.test(key) || key.startsWith('__') || (isHistogram && HISTOGRAM_LABELS.includes(key))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function checkLabels(value: unknown, metric: string, isHistogram: boolean): Labels {
  if (value === undefined) return Object.freeze({});
  const record = expectObject('labels', value);
  if (Array.isArray(record)) throw new TypeError(`Expected \`labels\` to be an object, got ${describeValue(value)}`);
  const labels: Record<string, string> = {};
  for (const [key, label] of Object.entries(record)) {
    if (!LABEL_NAME.test(key) || key.startsWith('__')) throw new TypeError(`Expected label name \`${key}\` to match ${String(LABEL_NAME)} and not start with __`);
    if (isHistogram && HISTOGRAM_LABELS.includes(key)) throw new TypeError(`Expected histogram \`${metric}\` to have no \`${key}\` label: exporters add it`);
    labels[key] = expectString(`labels.${key}`, label);
  }
  return Object.freeze(labels);
}

const METRIC_OPTION_KEYS = {
  counter: ['help', 'labels'],
  gauge: ['help', 'labels', 'read'],
  histogram: ['help', 'labels', 'exportBounds'],
} as const satisfies Record<string, readonly string[]>;

/** Reads and checks the options of `counter()`, `gauge()` or `histogram()` for metric `name`. */
export function checkMetricOptions(name: string, kind: 'counter' | 'gauge' | 'histogram', options: unknown): CheckedMetricOptions {
  // Each factory knows its own keys: `read` on a counter or `exportBounds` on a gauge would be ignored.
  const o: { help?: unknown; labels?: unknown; exportBounds?: unknown; read?: unknown } = readKnownOptions<string>('options', options, METRIC_OPTION_KEYS[kind]);
  return {
    help: optional('help', o.help, expectString, ''),
    labels: checkLabels(o.labels, name, kind === 'histogram'),
    exportBounds: kind === 'histogram' ? checkBounds('exportBounds', o.exportBounds) : DEFAULT_EXPORT_BOUNDS,
    read: kind === 'gauge' && o.read !== undefined ? expectFunction<() => number>('read', o.read) : undefined,
  };
}
