import { describeValue, expectFunction, expectNonNegativeFinite } from '@patinox/errors';
import { DEFAULT_EXPORT_BOUNDS, Histogram, type HistogramSummary } from './histogram.js';
import { checkMetricOptions, isExportableLabels } from './internal/metric-options.js';

/** Static labels of one metric series. */
export type Labels = Readonly<Record<string, string>>;

/** A monotonically increasing count; `inc` is a field add. */
export class Counter {
  value = 0;

  /** @throws TypeError / RangeError unless `by` is a non-negative finite number (a counter never goes down). */
  inc(by = 1): void {
    // One compare on the way in; the type is checked too because `'2' >= 0` holds.
    if (!(by >= 0 && by < Infinity) || typeof by !== 'number') expectNonNegativeFinite('by', by);
    this.value += by;
  }
}

/** A value that goes up and down, set by the owner or computed at collect time by `read`. */
export class Gauge {
  #value = 0;
  readonly #read: (() => number) | undefined;

  constructor(read?: () => number) {
    if (read !== undefined) expectFunction('read', read);
    this.#read = read;
  }

  get value(): number {
    return this.#read === undefined ? this.#value : this.#read();
  }

  /** @throws TypeError unless `value` is a number. */
  set(value: number): void {
    if (typeof value !== 'number') expectGaugeNumber('value', value);
    this.#value = value;
  }

  /** @throws TypeError unless `by` is a number. */
  inc(by = 1): void {
    if (typeof by !== 'number') expectGaugeNumber('by', by);
    this.#value += by;
  }

  /** @throws TypeError unless `by` is a number. */
  dec(by = 1): void {
    if (typeof by !== 'number') expectGaugeNumber('by', by);
    this.#value -= by;
  }
}

/** Common fields of every metric snapshot. */
interface SnapshotBase {
  name: string;
  help: string;
  labels: Labels;
}

/** A collected counter or gauge. */
export interface ScalarSnapshot extends SnapshotBase {
  type: 'counter' | 'gauge';
  value: number;
}

/** A collected histogram: its summary and cumulative counts at `bounds`. */
export interface HistogramSnapshot extends SnapshotBase {
  type: 'histogram';
  summary: HistogramSummary;
  bounds: readonly number[];
  cumulativeCounts: number[];
}

/** One collected metric series. */
export type MetricSnapshot = ScalarSnapshot | HistogramSnapshot;

/** A source of metrics read at collect time: components expose their plain counters this way. */
export type MetricsCollector = () => Iterable<MetricSnapshot>;

/** Options shared by the registry's metric factories. */
export interface MetricOptions {
  /** One line for people. @default '' */
  help?: string;
  /**
   * Static labels of this series: names match `[a-zA-Z_][a-zA-Z0-9_]*` (not starting with `__`), values are
   * strings; a histogram may not use `le` or `quantile`, which the exporters add. @default {}
   */
  labels?: Labels;
}

/** Options of {@link MetricsRegistry.histogram}. */
export interface HistogramOptions extends MetricOptions {
  /** Upper bounds reported as cumulative buckets: increasing finite numbers. @default DEFAULT_EXPORT_BOUNDS */
  exportBounds?: readonly number[];
}

type Entry =
  | { kind: 'counter'; name: string; help: string; labels: Labels; metric: Counter }
  | { kind: 'gauge'; name: string; help: string; labels: Labels; metric: Gauge; read: (() => number) | undefined }
  | { kind: 'histogram'; name: string; help: string; labels: Labels; metric: Histogram; bounds: readonly number[] };

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function seriesKey(name: string, labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? name : `${name}{${keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`;
}

const HISTOGRAM_SERIES = ['_bucket', '_count', '_sum'] as const;

const KINDS: ReadonlySet<unknown> = new Set(['counter', 'gauge', 'histogram']);

// What a collector yields is not ours to trust: only a snapshot an exporter can read reaches `collect()`
// (a value that is not a number came out of prom-client as +Inf; a histogram without bounds failed the scrape;
// labels whose keys could not be listed failed the whole scrape and the whole OpenTelemetry collection).
// One bad snapshot is skipped alone, not with the rest of its collector: this never throws.
function isSnapshot(value: unknown): value is MetricSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  try {
    const s = value as MetricSnapshot;
    if (typeof s.name !== 'string' || !NAME.test(s.name) || !KINDS.has(s.type) || typeof s.help !== 'string') return false;
    if (!isExportableLabels(s.labels, s.type === 'histogram')) return false;
    if (s.type !== 'histogram') return typeof s.value === 'number';
    return typeof s.summary === 'object' && s.summary !== null && Array.isArray(s.bounds) && Array.isArray(s.cumulativeCounts);
  } catch {
    return false;
  }
}

/**
 * Groups the metrics components own, so monitors and exporters can pull them at any time with `collect()`.
 * Asking twice for the same name and labels returns the same metric (a gauge asked again with another `read`,
 * or a histogram with other `exportBounds`, is a TypeError); one name is one kind, whatever the labels.
 *
 * @throws TypeError / RangeError from the factories for a bad name, bad options, or a name already used by another kind.
 */
export class MetricsRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #kinds = new Map<string, Entry['kind']>();
  readonly #collectors = new Set<MetricsCollector>();

  counter(name: string, options: MetricOptions = {}): Counter {
    return this.#get(name, 'counter', options, () => new Counter()) as Counter;
  }

  gauge(name: string, options: MetricOptions & { read?: () => number } = {}): Gauge {
    return this.#get(name, 'gauge', options, (read) => new Gauge(read)) as Gauge;
  }

  histogram(name: string, options: HistogramOptions = {}): Histogram {
    return this.#get(name, 'histogram', options, () => new Histogram()) as Histogram;
  }

  /** Adds a collector read on every `collect()`; returns a function that removes it. */
  addCollector(collector: MetricsCollector): () => void {
    expectFunction('collector', collector);
    this.#collectors.add(collector);
    return () => {
      this.#collectors.delete(collector);
    };
  }

  /**
   * Snapshots every metric and every collector's output. A gauge whose `read` throws or gives something
   * other than a number and a collector that throws are skipped, and so is anything a collector yields
   * that is not a metric snapshot (a scalar without a numeric `value`, a histogram without its bounds).
   */
  collect(): MetricSnapshot[] {
    const out: MetricSnapshot[] = [];
    for (const entry of this.#entries.values()) {
      if (entry.kind === 'histogram') {
        out.push({
          type: 'histogram',
          name: entry.name,
          help: entry.help,
          labels: entry.labels,
          summary: entry.metric.summary(),
          bounds: entry.bounds,
          cumulativeCounts: entry.metric.cumulativeCounts(entry.bounds),
        });
        continue;
      }
      try {
        const value = entry.metric.value;
        // A gauge's `read` (or a `set`) may hand over anything: only a number is a sample.
        if (typeof value === 'number') out.push({ type: entry.kind, name: entry.name, help: entry.help, labels: entry.labels, value });
      } catch {
        // A gauge's `read` runs its owner's code: one that throws must not hide every other metric from a scrape.
      }
    }
    for (const collector of this.#collectors) {
      try {
        for (const snapshot of collector()) if (isSnapshot(snapshot)) out.push(snapshot);
      } catch {
        // One broken collector must not hide every other metric from a scrape.
      }
    }
    return out;
  }

  // A histogram `x` is exposed as `x_bucket`, `x_count` and `x_sum`: no other metric may take those names.
  #checkHistogramSeries(name: string, kind: Entry['kind']): void {
    for (const suffix of HISTOGRAM_SERIES) {
      const histogram = name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
      if (histogram !== undefined && this.#kinds.get(histogram) === 'histogram') {
        throw new TypeError(`Metric \`${name}\` would collide with the \`${name}\` series of histogram \`${histogram}\``);
      }
      if (kind === 'histogram' && this.#kinds.has(`${name}${suffix}`)) {
        throw new TypeError(`Histogram \`${name}\` would collide with the metric \`${name}${suffix}\` already registered`);
      }
    }
  }

  #get(name: string, kind: Entry['kind'], options: unknown, make: (read: (() => number) | undefined) => Counter | Gauge | Histogram): Counter | Gauge | Histogram {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new TypeError(`Expected \`name\` to match ${String(NAME)}, got ${describeValue(name)}`);
    }
    // One name is one kind across all its series: an exposition has a single TYPE line per name.
    const known = this.#kinds.get(name);
    if (known !== undefined && known !== kind) throw new TypeError(`Metric \`${name}\` is already registered as a ${known}, not a ${kind}`);
    if (known === undefined) this.#checkHistogramSeries(name, kind);
    const { help, labels, exportBounds, read } = checkMetricOptions(name, kind, options);
    const key = seriesKey(name, labels);
    const existing = this.#entries.get(key);
    if (existing !== undefined) {
      checkSameMetric(key, existing, read, exportBounds);
      return existing.metric;
    }
    const metric = make(read);
    const entry =
      kind === 'histogram'
        ? { kind, name, help, labels, metric: metric as Histogram, bounds: exportBounds }
        : kind === 'counter'
          ? { kind, name, help, labels, metric: metric as Counter }
          : { kind, name, help, labels, metric: metric as Gauge, read };
    this.#entries.set(key, entry);
    this.#kinds.set(name, kind);
    return metric;
  }
}

/**
 * Builds a histogram snapshot from a histogram a component owns outside any registry.
 * @throws TypeError / RangeError for a name, histogram or options a registry's `histogram()` would refuse.
 */
export function histogramSnapshot(name: string, histogram: Histogram, options: HistogramOptions = {}): HistogramSnapshot {
  // Checked as `histogram()` checks them: a snapshot an exporter cannot write fails the whole scrape.
  if (typeof name !== 'string' || !NAME.test(name)) throw new TypeError(`Expected \`name\` to match ${String(NAME)}, got ${describeValue(name)}`);
  // By shape, not instanceof: a Histogram of the other build (ESM or CJS) is one too.
  const h = histogram as Partial<Histogram> | null;
  if (typeof h !== 'object' || h === null || typeof h.summary !== 'function' || typeof h.cumulativeCounts !== 'function') {
    throw new TypeError(`Expected \`histogram\` to be a Histogram, got ${describeValue(histogram)}`);
  }
  const { help, labels, exportBounds } = checkMetricOptions(name, 'histogram', options);
  return { type: 'histogram', name, help, labels, summary: histogram.summary(), bounds: exportBounds, cumulativeCounts: histogram.cumulativeCounts(exportBounds) };
}

// Asking again returns the registered metric; options that would make it another metric are refused rather
// than ignored (a second pool's gauge would silently read the first pool's value).
function checkSameMetric(key: string, existing: Entry, read: (() => number) | undefined, bounds: readonly number[]): void {
  if (existing.kind === 'gauge' && read !== undefined && read !== existing.read) {
    const has = existing.read === undefined ? 'without a `read`' : 'with another `read`';
    throw new TypeError(`Gauge \`${key}\` is already registered ${has}; pass the same function, or none to get it back`);
  }
  if (existing.kind === 'histogram' && bounds !== DEFAULT_EXPORT_BOUNDS && (bounds.length !== existing.bounds.length || bounds.some((b, i) => b !== existing.bounds[i]))) {
    throw new TypeError(`Histogram \`${key}\` is already registered with exportBounds [${existing.bounds.join(',')}], not [${bounds.join(',')}]`);
  }
}

/** A gauge takes any number (NaN and ±Infinity are valid samples); anything else is a mistake. */
function expectGaugeNumber(name: string, value: unknown): never {
  throw new TypeError(`Expected \`${name}\` to be a number, got ${describeValue(value)}`);
}
