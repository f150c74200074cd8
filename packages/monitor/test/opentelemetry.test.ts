import { describe, expect, it } from '@jest/globals';
import { MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { MetricsRegistry } from '../src/index.js';
import { bridgeToOpenTelemetry } from '../src/opentelemetry.js';

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

async function read(reader: TestReader): Promise<Map<string, DataPoint<number>[]>> {
  const { resourceMetrics } = await reader.collect();
  const out = new Map<string, DataPoint<number>[]>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) out.set(metric.descriptor.name, metric.dataPoints as DataPoint<number>[]);
  }
  return out;
}

describe('bridgeToOpenTelemetry', () => {
  it('publishes counters, gauges and histogram quantiles read back by the SDK reader', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const metrics = new MetricsRegistry();
    metrics.counter('cache_hits', { labels: { region: 'a' } }).inc(5);
    metrics.gauge('pool_size').set(4);
    const h = metrics.histogram('wait_ms');
    for (let i = 1; i <= 100; i += 1) h.record(i);

    const bridge = bridgeToOpenTelemetry(metrics, provider.getMeter('test'), { prefix: 'patinox.' });
    let points = await read(reader);
    expect(points.get('patinox.cache_hits')?.[0]).toMatchObject({ value: 5, attributes: { region: 'a' } });
    expect(points.get('patinox.pool_size')?.[0]?.value).toBe(4);
    const quantiles = new Map(points.get('patinox.wait_ms')!.map((p) => [p.attributes.quantile, p.value]));
    expect(quantiles.get('0.5')).toBeCloseTo(50, -0.5);
    expect(quantiles.get('1')).toBe(100);
    expect(points.get('patinox.wait_ms_count')?.[0]?.value).toBe(100);
    expect(points.get('patinox.wait_ms_sum')?.[0]?.value).toBe(5050);

    metrics.counter('late_total').inc(2);
    bridge.sync();
    points = await read(reader);
    expect(points.get('patinox.late_total')?.[0]?.value).toBe(2);

    expect(bridge.closed).toBe(false);
    bridge.close();
    expect(bridge.closed).toBe(true);
    bridge.sync(); // a closed bridge stays detached
    metrics.counter('cache_hits', { labels: { region: 'a' } }).inc();
    points = await read(reader);
    // Detached: the SDK keeps the last cumulative point, but no longer reads the source (6 would mean it did).
    expect(points.get('patinox.cache_hits')?.[0]?.value ?? 5).toBe(5);
    await provider.shutdown();
  });

  it('closes at the end of an await using block', async () => {
    const provider = new MeterProvider();
    let seen: { closed: boolean } | undefined;
    {
      await using bridge = bridgeToOpenTelemetry(new MetricsRegistry(), provider.getMeter('t'));
      seen = bridge;
      expect(bridge.closed).toBe(false);
    }
    expect(seen.closed).toBe(true);
    await provider.shutdown();
  });
});
