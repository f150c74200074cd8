import type { Attributes, BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import { expectString, optional, readKnownOptions } from '@patinox/errors';
import { expectSource } from './internal/expect-source.js';
import { findMetricClashes } from './internal/metric-clashes.js';
import type { MetricSnapshot, MetricsRegistry } from './metrics.js';
import { expectMethods } from './internal/expect-methods.js';

/** Options of {@link bridgeToOpenTelemetry}. */
export interface OpenTelemetryBridgeOptions {
  /** Prefix added to every instrument name. @default '' */
  prefix?: string;
}

/**
 * A live bridge; `sync()` picks up metrics added later, `close()` detaches it from the meter (also
 * through `using` / `await using`); `closed` says whether it did.
 */
export interface OpenTelemetryBridge extends Disposable, AsyncDisposable {
  sync(): void;
  close(): void;
  readonly closed: boolean;
}

const METER_METHODS = ['createObservableCounter', 'createObservableGauge', 'addBatchObservableCallback', 'removeBatchObservableCallback'] as const;

function expectMeter(value: unknown): Meter {
  return expectMethods<Meter>('meter', value, 'an OpenTelemetry Meter', METER_METHODS);
}

const QUANTILES = [
  ['0.5', 'p50'],
  ['0.95', 'p95'],
  ['0.99', 'p99'],
  ['1', 'max'],
] as const;

/**
 * Publishes a {@link MetricsRegistry} as OpenTelemetry observable instruments, read on each collection:
 * counters as ObservableCounter, gauges as ObservableGauge, histograms as an ObservableGauge per
 * quantile (`quantile` attribute) plus `<name>_count` and `<name>_sum` counters (OTel has no
 * observable histogram, and our percentiles are already exact to 1 %).
 *
 * @throws TypeError (from this call and from `sync()`) when collectors export one metric name as two
 * kinds, one series twice, or as a histogram's `_count` / `_sum` / `_bucket` series: every other metric is
 * bridged, the clashing names are left out of each collection, and each `sync()` throws until it is resolved.
 *
 * @example
 * ```ts
 * const bridge = bridgeToOpenTelemetry(metrics, metrics.getMeter('my-service'));
 * ```
 */
export function bridgeToOpenTelemetry(source: MetricsRegistry, meter: Meter, options: OpenTelemetryBridgeOptions = {}): OpenTelemetryBridge {
  expectSource(source);
  expectMeter(meter);
  const prefix = optional('prefix', readKnownOptions('options', options, ['prefix']).prefix, expectString, '');
  const instruments = new Map<string, { kind: MetricSnapshot['type']; observables: Record<string, Observable> }>();
  // One batch callback over every instrument, re-registered when sync() adds some, so a collection reads
  // the source once (a callback per sync() would run collect(), histogram summaries and all, once each).
  const observables: Observable[] = [];
  let registered = false;
  const exportedAs = (name: string): MetricSnapshot['type'] | undefined => instruments.get(name)?.kind;

  const observe = (result: BatchObservableResult): void => {
    const snapshots = source.collect();
    // A clash that appeared since the last sync() is left out, not observed wrong (sync() reports it).
    const clashes = findMetricClashes(snapshots, prefix, exportedAs);
    for (const snapshot of snapshots) {
      const name = `${prefix}${snapshot.name}`;
      const entry = instruments.get(name);
      if (entry === undefined || entry.kind !== snapshot.type || clashes.has(name)) continue;
      const attributes: Attributes = { ...snapshot.labels };
      if (snapshot.type === 'histogram') {
        for (const [quantile, field] of QUANTILES) {
          result.observe(entry.observables.value!, snapshot.summary[field], { ...attributes, quantile });
        }
        result.observe(entry.observables.count!, snapshot.summary.count, attributes);
        result.observe(entry.observables.sum!, snapshot.summary.sum, attributes);
      } else {
        result.observe(entry.observables.value!, snapshot.value, attributes);
      }
    }
  };

  let closed = false;
  const sync = (): void => {
    if (closed) return; // a closed bridge stays detached
    const added: Observable[] = [];
    const snapshots = source.collect();
    const clashes = findMetricClashes(snapshots, prefix, exportedAs);
    for (const snapshot of snapshots) {
      const name = `${prefix}${snapshot.name}`;
      if (instruments.has(name) || clashes.has(name)) continue;
      const description = snapshot.help;
      let observables: Record<string, Observable>;
      if (snapshot.type === 'counter') observables = { value: meter.createObservableCounter(name, { description }) };
      else if (snapshot.type === 'gauge') observables = { value: meter.createObservableGauge(name, { description }) };
      else {
        observables = {
          value: meter.createObservableGauge(name, { description }),
          count: meter.createObservableCounter(`${name}_count`, { description }),
          sum: meter.createObservableCounter(`${name}_sum`, { description }),
        };
      }
      instruments.set(name, { kind: snapshot.type, observables });
      added.push(...Object.values(observables));
    }
    if (added.length > 0) {
      if (registered) meter.removeBatchObservableCallback(observe, observables);
      observables.push(...added);
      meter.addBatchObservableCallback(observe, observables);
      registered = true;
    }
    // As PrometheusExporter does for a name taken in its register: every other metric is in, and each
    // sync() fails on the clash until it is resolved, instead of exporting it wrong or dropping it unnoticed.
    const clash = clashes.values().next();
    if (clash.done !== true) throw new TypeError(clash.value);
  };

  const close = (): void => {
    closed = true;
    if (registered) meter.removeBatchObservableCallback(observe, observables);
    registered = false;
  };
  try {
    sync();
  } catch (error) {
    // The caller gets no bridge to close: leave nothing registered on the meter.
    close();
    throw error;
  }
  return {
    sync,
    close,
    get closed() {
      return closed;
    },
    [Symbol.dispose]: close,
    [Symbol.asyncDispose]: () => {
      close();
      return Promise.resolve();
    },
  };
}

export { createOpenTelemetryTracer } from './opentelemetry-tracer.js';
