import { describe, expect, it } from '@jest/globals';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import * as promClient from 'prom-client';
import { MetricsRegistry } from '../src/index.js';
import { bridgeToOpenTelemetry } from '../src/opentelemetry.js';
import { PrometheusExporter } from '../src/prometheus.js';

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('PrometheusExporter arguments', () => {
  it('refuses a prefix that would make invalid metric names, a source that is not a registry, and a bad options bag', () => {
    const metrics = new MetricsRegistry();
    expect(() => new PrometheusExporter(metrics, { client: promClient, prefix: 'my-app ' })).toThrow(
      new TypeError('Expected `prefix` to be empty or match /^[a-zA-Z_:][a-zA-Z0-9_:]*$/, got "my-app " (string)'),
    );
    expect(() => new PrometheusExporter(metrics, { client: promClient, prefix: 5 as never })).toThrow(TypeError);
    expect(() => new PrometheusExporter({} as never, { client: promClient })).toThrow(new TypeError('Expected `source` to be a MetricsRegistry (with collect()), got an object'));
    expect(() => new PrometheusExporter(metrics, null as never)).toThrow(new TypeError('Expected `options` to be an object, got null'));
    expect(() => new PrometheusExporter(metrics, { client: {} as never })).toThrow(new TypeError('Expected `client` to be the prom-client module (with Registry), got an object'));
  });
});

describe('bridgeToOpenTelemetry arguments and collection', () => {
  it('refuses a meter, a source or a prefix of the wrong shape at once, even with no metrics yet', () => {
    const meter = new MeterProvider().getMeter('x');
    expect(() => bridgeToOpenTelemetry(new MetricsRegistry(), {} as never)).toThrow(
      new TypeError('Expected `meter` to be an OpenTelemetry Meter (with createObservableCounter, createObservableGauge, addBatchObservableCallback, removeBatchObservableCallback), got an object'),
    );
    expect(() => bridgeToOpenTelemetry({} as never, meter)).toThrow(new TypeError('Expected `source` to be a MetricsRegistry (with collect()), got an object'));
    expect(() => bridgeToOpenTelemetry(new MetricsRegistry(), meter, { prefix: 5 as never })).toThrow(new TypeError('Expected `prefix` to be a string, got 5 (number)'));
    expect(() => bridgeToOpenTelemetry(new MetricsRegistry(), meter, null as never)).toThrow(new TypeError('Expected `options` to be an object, got null'));
  });

  it('reads the source once per collection however many times sync() added metrics', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const metrics = new MetricsRegistry();
    let reads = 0;
    metrics.addCollector(() => {
      reads += 1;
      return [];
    });
    const bridge = bridgeToOpenTelemetry(metrics, provider.getMeter('test'));
    for (let i = 0; i < 5; i += 1) {
      metrics.counter(`c${i}`).inc(i + 1);
      bridge.sync();
    }
    reads = 0;
    const { resourceMetrics } = await reader.collect();
    expect(reads).toBe(1);
    const values = new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => [m.descriptor.name, m.dataPoints[0]?.value])));
    expect([0, 1, 2, 3, 4].map((i) => values.get(`c${i}`))).toEqual([1, 2, 3, 4, 5]);
    bridge.close();
    reads = 0;
    await reader.collect();
    expect(reads).toBe(0);
    await provider.shutdown();
  });
});

describe('PrometheusExporter name clashes in a shared register', () => {
  it('fails each scrape with a TypeError naming the metric until the clash is resolved, never dropping it unnoticed', async () => {
    const register = new promClient.Registry();
    const theirs = new promClient.Gauge({ name: 'late', help: 'theirs', registers: [register] });
    const metrics = new MetricsRegistry();
    metrics.counter('ok_total').inc();
    const exporter = new PrometheusExporter(metrics, { client: promClient, register });
    metrics.counter('late').inc(5);
    metrics.counter('later_total').inc(2);
    const clash = 'Expected metric `late` to be free in the prom-client `register`, but registering it threw: A metric with the name late has already been registered.';
    for (let scrape = 0; scrape < 2; scrape += 1) {
      const error = await exporter.metrics().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toBe(clash);
    }
    // The metrics around the clash are registered all the same.
    expect((await register.getMetricsAsJSON()).map((m) => m.name).sort()).toEqual(['late', 'later_total', 'ok_total']);
    register.removeSingleMetric('late');
    theirs.reset();
    expect(await exporter.metrics()).toContain('late 5');
  });
});

describe('PrometheusExporter.close', () => {
  it('removes its metrics from a shared register, so a new exporter can take the same names', async () => {
    const register = new promClient.Registry();
    const own = new promClient.Counter({ name: 'theirs_total', help: 'not ours', registers: [register] });
    own.inc();
    const first = new MetricsRegistry();
    first.counter('jobs_total').inc(3);
    {
      using exporter = new PrometheusExporter(first, { client: promClient, register });
      expect(await exporter.metrics()).toContain('jobs_total 3');
    }
    expect((await register.getMetricsAsJSON()).map((m) => m.name)).toEqual(['theirs_total']);
    const second = new MetricsRegistry();
    second.counter('jobs_total').inc(7);
    const next = new PrometheusExporter(second, { client: promClient, register });
    expect(await next.metrics()).toContain('jobs_total 7');
    next.close();
    next.close();
    expect(next.closed).toBe(true);
    first.counter('late_total').inc();
    next.sync();
    expect(await next.metrics()).toBe(await register.metrics());
    expect((await register.getMetricsAsJSON()).map((m) => m.name)).toEqual(['theirs_total']);
  });
});
