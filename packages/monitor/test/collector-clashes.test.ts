import { describe, expect, it } from '@jest/globals';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import * as promClient from 'prom-client';
import { MetricsRegistry, type MetricSnapshot } from '../src/index.js';
import { bridgeToOpenTelemetry } from '../src/opentelemetry.js';
import { PrometheusExporter } from '../src/prometheus.js';

// Two collectors exporting one metric name in ways an exporter cannot carry: as two kinds, the same
// series twice, or a histogram's derived series. Both bridges answer as the Prometheus exporter answers a
// name taken in its register: a TypeError naming the metric from every sync()/scrape until it is resolved,
// with every other metric exported, and the clashing one left out rather than exported wrong.

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const scalar = (type: 'counter' | 'gauge', name: string, value: number, labels: Record<string, string> = {}): MetricSnapshot => ({ type, name, help: '', labels, value });

const clashes: [string, MetricSnapshot[], MetricSnapshot[], string, RegExp][] = [
  ['two kinds', [scalar('counter', 'jobs', 1, { q: 'a' })], [scalar('gauge', 'jobs', 2, { q: 'b' })], 'jobs', /Expected metric `p_jobs` to have one kind, but collectors export it as a counter and a gauge/],
  ['one series twice', [scalar('gauge', 'depth', 1, { q: 'a' })], [scalar('gauge', 'depth', 2, { q: 'a' })], 'depth', /Expected metric `p_depth` to have each series once, but \{q="a"\} comes twice/],
  [
    "a histogram's series",
    [scalar('counter', 'wait_count', 7)],
    [],
    'wait_count',
    /Expected metric `p_wait_count` to be free, but it is the `p_wait_count` series of histogram `p_wait`/,
  ],
];

function setup(first: MetricSnapshot[], second: MetricSnapshot[]): { metrics: MetricsRegistry; fix: () => void } {
  const metrics = new MetricsRegistry();
  metrics.counter('ok_total').inc(3);
  metrics.histogram('wait').record(1);
  let clashing = true;
  metrics.addCollector(() => first);
  metrics.addCollector(() => (clashing ? second : []));
  return {
    metrics,
    fix: () => {
      clashing = false;
    },
  };
}

async function otelNames(reader: TestReader): Promise<Map<string, unknown[]>> {
  const { resourceMetrics } = await reader.collect();
  return new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => [m.descriptor.name, m.dataPoints.map((p) => p.value)])));
}

describe('bridgeToOpenTelemetry with collectors whose metric names clash', () => {
  it.each(clashes)('refuses %s with a TypeError naming the metric, leaving no callback behind', (_label, first, second, _name, message) => {
    const { metrics } = setup(first, second);
    const meter = new MeterProvider().getMeter('t');
    const added: unknown[] = [];
    const removed: unknown[] = [];
    const spy = Object.assign(Object.create(meter) as typeof meter, {
      addBatchObservableCallback: (cb: never, obs: never) => {
        added.push(cb);
        meter.addBatchObservableCallback(cb, obs);
      },
      removeBatchObservableCallback: (cb: never, obs: never) => {
        removed.push(cb);
        meter.removeBatchObservableCallback(cb, obs);
      },
    });
    expect(() => bridgeToOpenTelemetry(metrics, spy, { prefix: 'p_' })).toThrow(message);
    expect(() => bridgeToOpenTelemetry(metrics, spy, { prefix: 'p_' })).toThrow(TypeError);
    expect(removed).toEqual(added);
  });

  it.each(clashes)('a clash (%s) appearing later fails each sync() until resolved, exporting the rest and leaving it out', async (_label, first, second, name, message) => {
    const metrics = new MetricsRegistry();
    metrics.counter('ok_total').inc(3);
    metrics.histogram('wait').record(1);
    let on = false;
    metrics.addCollector(() => (on ? first : []));
    metrics.addCollector(() => (on ? second : []));
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const bridge = bridgeToOpenTelemetry(metrics, provider.getMeter('t'), { prefix: 'p_' });
    on = true;
    for (let i = 0; i < 2; i += 1) expect(() => bridge.sync()).toThrow(message);
    const points = await otelNames(reader);
    expect(points.get('p_ok_total')).toEqual([3]);
    // Left out, never a wrong value: not the histogram's count taken over, not one of two series.
    const clashed = points.get(`p_${name}`) ?? [];
    if (name === 'wait_count') expect(clashed).not.toContain(7);
    else expect(clashed).toEqual([]);
    on = false;
    expect(() => bridge.sync()).not.toThrow();
    bridge.close();
    await provider.shutdown();
  });
});

describe('PrometheusExporter with collectors whose metric names clash', () => {
  it.each(clashes)('refuses %s at each scrape with a TypeError naming the metric, until resolved', async (_label, first, second, name, message) => {
    const { metrics, fix } = setup(first, second);
    const register = new promClient.Registry();
    expect(() => new PrometheusExporter(metrics, { client: promClient, register, prefix: 'p_' })).toThrow(message);
    // A refused construction leaves nothing of its own in a shared register.
    expect(await register.getMetricsAsJSON()).toEqual([]);
    const exporter = new PrometheusExporter(new MetricsRegistry(), { client: promClient, register, prefix: 'p_' });
    exporter.close();
    const late = new MetricsRegistry();
    let on = false;
    late.counter('ok_total').inc(3);
    late.histogram('wait').record(1);
    late.addCollector(() => (on ? first : []));
    late.addCollector(() => (on ? second : []));
    const live = new PrometheusExporter(late, { client: promClient, register, prefix: 'p_' });
    on = true;
    for (let i = 0; i < 2; i += 1) await expect(live.metrics()).rejects.toThrow(message);
    const text = await register.metrics();
    expect(text).toContain('p_ok_total 3');
    if (name === 'wait_count') expect(text).not.toContain('p_wait_count 7');
    else expect(text).not.toContain(`p_${name}{`);
    on = false;
    fix();
    await expect(live.metrics()).resolves.toContain('p_ok_total 3');
  });
});

describe('a metric whose kind changes after it was exported', () => {
  it('bridgeToOpenTelemetry: sync() names it while it is collected as another kind, and stops once it is back', async () => {
    const metrics = new MetricsRegistry();
    let kind: 'counter' | 'gauge' = 'counter';
    metrics.addCollector(() => [scalar(kind, 'jobs', 4)]);
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const bridge = bridgeToOpenTelemetry(metrics, provider.getMeter('t'));
    kind = 'gauge';
    expect(() => bridge.sync()).toThrow(new TypeError('Expected metric `jobs` to stay a counter, as first exported, but collectors now export it as a gauge'));
    kind = 'counter';
    expect(() => bridge.sync()).not.toThrow();
    expect((await otelNames(reader)).get('jobs')).toEqual([4]);
    bridge.close();
    await provider.shutdown();
  });

  it('PrometheusExporter: each scrape names it while it is collected as another kind, and it is left out meanwhile', async () => {
    const metrics = new MetricsRegistry();
    let kind: 'counter' | 'gauge' = 'counter';
    metrics.addCollector(() => [scalar(kind, 'jobs', 4)]);
    metrics.counter('ok_total').inc();
    const exporter = new PrometheusExporter(metrics, { client: promClient });
    expect(await exporter.metrics()).toContain('jobs 4');
    kind = 'gauge';
    await expect(exporter.metrics()).rejects.toThrow(new TypeError('Expected metric `jobs` to stay a counter, as first exported, but collectors now export it as a gauge'));
    const text = await exporter.register.metrics();
    expect(text).toContain('ok_total 1');
    expect(text).not.toContain('jobs 4');
    kind = 'counter';
    expect(await exporter.metrics()).toContain('jobs 4');
  });
});
