import type { Registry } from 'prom-client';
import { describeThrown, describeValue, expectObject, readKnownOptions } from '@patinox/errors';
import { expectSource } from './internal/expect-source.js';
import { findMetricClashes } from './internal/metric-clashes.js';
import { promClientPeer } from './internal/peers.js';
import type { MetricSnapshot, MetricsRegistry } from './metrics.js';
import { expectMethods } from './internal/expect-methods.js';

/** The subset of prom-client this bridge uses; pass your own copy as `client` to share its registries. */
export interface PromClientLike {
  Registry: new () => Registry;
}

/** Options of {@link PrometheusExporter}. */
export interface PrometheusExporterOptions {
  /** A prom-client module to use instead of the bundled peer import. @default import('prom-client') */
  client?: PromClientLike;
  /** The prom-client registry to publish into. @default a new Registry of `client` */
  register?: Registry;
  /** Prefix added to every metric name, e.g. `myapp_`: empty, or a valid start of a metric name. @default '' */
  prefix?: string;
}

const PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function checkPrefix(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || (value !== '' && !PREFIX.test(value))) {
    throw new TypeError(`Expected \`prefix\` to be empty or match ${String(PREFIX)}, got ${describeValue(value)}`);
  }
  return value;
}

const REGISTER_METHODS = ['registerMetric', 'removeSingleMetric', 'metrics'] as const;

// By shape: a Registry of the caller's own prom-client copy is one too. Checked here, so a wrong object
// is named at construction instead of surfacing as a "name clash" from registerMetric.
function expectRegister(value: unknown): Registry {
  return expectMethods<Registry>('register', value, 'a prom-client Registry', REGISTER_METHODS);
}

interface PromValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

function toPromValues(name: string, snapshots: MetricSnapshot[]): PromValue[] {
  const values: PromValue[] = [];
  for (const s of snapshots) {
    if (s.type !== 'histogram') {
      values.push({ value: s.value, labels: { ...s.labels } });
      continue;
    }
    s.bounds.forEach((bound, i) => {
      values.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le: bound }, value: s.cumulativeCounts[i] ?? 0 });
    });
    values.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.summary.count });
    values.push({ metricName: `${name}_sum`, labels: { ...s.labels }, value: s.summary.sum });
    values.push({ metricName: `${name}_count`, labels: { ...s.labels }, value: s.summary.count });
  }
  return values;
}

/**
 * Publishes a {@link MetricsRegistry} through prom-client: every metric is pulled from its owner at
 * scrape time (nothing is copied on the hot path), histograms with their cumulative `le` buckets.
 *
 * @example
 * ```ts
 * const exporter = new PrometheusExporter(metrics, { prefix: 'app_' });
 * http.createServer(async (_, res) => res.end(await exporter.metrics())).listen(9464);
 * ```
 */
export class PrometheusExporter implements Disposable {
  /** The prom-client registry the metrics are published in. */
  readonly register: Registry;
  readonly #source: MetricsRegistry;
  readonly #prefix: string;
  // Each registered name with the kind it was registered as (its TYPE line).
  readonly #known = new Map<string, MetricSnapshot['type']>();
  readonly #exportedAs = (name: string): MetricSnapshot['type'] | undefined => this.#known.get(name);
  #scrape: { at: number; byName: Map<string, MetricSnapshot[]>; clashes: Map<string, string> } | undefined;
  #closed = false;

  constructor(source: MetricsRegistry, options: PrometheusExporterOptions = {}) {
    this.#source = expectSource(source);
    const o = readKnownOptions('options', options, ['client', 'register', 'prefix']);
    this.#prefix = checkPrefix(o.prefix);
    if (o.register !== undefined) {
      this.register = expectRegister(o.register);
    } else {
      const client = o.client === undefined ? promClientPeer() : expectObject<PromClientLike>('client', o.client, 'the prom-client module (with Registry)');
      if (typeof client.Registry !== 'function') throw new TypeError(`Expected \`client\` to be the prom-client module (with Registry), got ${describeValue(client)}`);
      this.register = new client.Registry();
    }
    try {
      this.sync();
    } catch (error) {
      // The caller gets no exporter to close: take back what this one put in a shared register.
      this.close();
      throw error;
    }
  }

  /**
   * Registers metrics that appeared in the source since the last call. `metrics()` calls it for you.
   *
   * @throws TypeError when a metric's name is already taken in `register` (by a metric of your own or of
   * another exporter): every other metric is registered first, and the next call tries that one again, so
   * the clash fails each scrape until it is resolved (a `prefix` separates two exporters) instead of
   * leaving the metric out unnoticed. The same holds when collectors export one name as two kinds, one
   * series twice, or as a histogram's `_bucket` / `_count` / `_sum` series: the clashing names are left out
   * of each scrape (an exposition carrying them would be wrong or refused whole) until it is resolved.
   */
  sync(): void {
    if (this.#closed) return; // a closed exporter stays detached
    let clash: TypeError | undefined;
    this.#collect(true);
    const { byName, clashes } = this.#scrape!;
    for (const [name, snapshots] of byName) {
      if (this.#known.has(name) || clashes.has(name)) continue;
      const first = snapshots[0]!;
      try {
        this.#register(name, first);
        this.#known.set(name, first.type);
      } catch (cause) {
        clash ??= new TypeError(`Expected metric \`${name}\` to be free in the prom-client \`register\`, but registering it threw: ${describeThrown(cause)}`, { cause });
      }
    }
    const collected = clashes.values().next();
    if (collected.done !== true) throw new TypeError(collected.value);
    if (clash !== undefined) throw clash;
  }

  #register(name: string, first: MetricSnapshot): void {
    const help = first.help === '' ? name : first.help;
    this.register.registerMetric({
      name,
      help,
      type: first.type,
      aggregator: 'sum',
      get: () => ({ name, help, type: first.type, aggregator: 'sum', values: toPromValues(name, this.#series(name)) }),
    } as never);
  }

  /**
   * Removes this exporter's metrics from `register` and stops registering new ones, so a shared registry
   * (prom-client's global `register`, say) can take a new exporter for the same names. Also `using`.
   * Idempotent; `metrics()` afterwards serves what else the registry holds.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const name of this.#known.keys()) this.register.removeSingleMetric(name);
    this.#known.clear();
    this.#scrape = undefined;
  }

  /** Whether {@link close} has run. */
  get closed(): boolean {
    return this.#closed;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** The Prometheus text exposition of every metric. */
  async metrics(): Promise<string> {
    this.sync();
    return this.register.metrics();
  }

  /** The content type to serve `metrics()` with. */
  get contentType(): string {
    return this.register.contentType;
  }

  // A metric's series in this scrape; none while its name clashes (sync() reports why).
  #series(name: string): MetricSnapshot[] {
    const byName = this.#collect(false);
    return this.#scrape!.clashes.has(name) ? [] : (byName.get(name) ?? []);
  }

  #collect(fresh: boolean): Map<string, MetricSnapshot[]> {
    // One scrape reads the source once, not once per metric name.
    const now = Date.now();
    if (!fresh && this.#scrape !== undefined && now - this.#scrape.at < 50) return this.#scrape.byName;
    const byName = new Map<string, MetricSnapshot[]>();
    const snapshots = this.#source.collect();
    for (const snapshot of snapshots) {
      const name = `${this.#prefix}${snapshot.name}`;
      const list = byName.get(name);
      if (list === undefined) byName.set(name, [snapshot]);
      else list.push(snapshot);
    }
    this.#scrape = { at: now, byName, clashes: findMetricClashes(snapshots, this.#prefix, this.#exportedAs) };
    return byName;
  }
}
