import { afterEach, describe, expect, it, jest } from '@jest/globals';
import * as promClient from 'prom-client';
import { MetricsRegistry } from '../src/index.js';
import { PrometheusExporter } from '../src/prometheus.js';

afterEach(() => {
  jest.restoreAllMocks();
});

function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match === null) throw new Error(`unparseable exposition line: ${line}`);
    samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

describe('PrometheusExporter', () => {
  it('publishes counters, gauges and histograms with cumulative buckets through a prom-client registry', async () => {
    const metrics = new MetricsRegistry();
    metrics.counter('cache_hits_total', { help: 'Cache hits', labels: { region: 'users' } }).inc(7);
    metrics.gauge('pool_idle', { help: 'Idle connections' }).set(3);
    const wait = metrics.histogram('pool_acquire_wait_ms', { help: 'Acquire wait', exportBounds: [1, 10, 100] });
    for (const v of [0.5, 2, 20, 200]) wait.record(v);

    const exporter = new PrometheusExporter(metrics, { prefix: 'app_' });
    const text = await exporter.metrics();
    expect(text).toContain('# TYPE app_pool_acquire_wait_ms histogram');
    expect(text).toContain('# HELP app_cache_hits_total Cache hits');
    const samples = parseExposition(text);
    expect(samples.get('app_cache_hits_total{region="users"}')).toBe(7);
    expect(samples.get('app_pool_idle')).toBe(3);
    expect(samples.get('app_pool_acquire_wait_ms_bucket{le="1"}')).toBe(1);
    expect(samples.get('app_pool_acquire_wait_ms_bucket{le="10"}')).toBe(2);
    expect(samples.get('app_pool_acquire_wait_ms_bucket{le="100"}')).toBe(3);
    expect(samples.get('app_pool_acquire_wait_ms_bucket{le="+Inf"}')).toBe(4);
    expect(samples.get('app_pool_acquire_wait_ms_count')).toBe(4);
    expect(samples.get('app_pool_acquire_wait_ms_sum')).toBeCloseTo(222.5);

    const json = await exporter.register.getMetricsAsJSON();
    expect(json.map((m) => m.name).sort()).toEqual(['app_cache_hits_total', 'app_pool_acquire_wait_ms', 'app_pool_idle']);
    expect(exporter.contentType).toContain('text/plain');
  });

  it('pulls fresh values at each scrape and picks up metrics added later, into a caller-given registry', async () => {
    const metrics = new MetricsRegistry();
    const c = metrics.counter('events_total');
    const register = new promClient.Registry();
    const exporter = new PrometheusExporter(metrics, { register, client: promClient });
    c.inc();
    expect(parseExposition(await exporter.metrics()).get('events_total')).toBe(1);
    metrics.addCollector(() => [{ type: 'gauge', name: 'late_gauge', help: '', labels: {}, value: 9 }]);
    // Past the exporter's 50 ms scrape window, on the clock it reads, without sleeping.
    const later = Date.now() + 60;
    jest.spyOn(Date, 'now').mockImplementation(() => later);
    c.inc(2);
    const samples = parseExposition(await register.metrics());
    expect(samples.get('late_gauge')).toBeUndefined();
    const synced = parseExposition(await exporter.metrics());
    expect(synced.get('late_gauge')).toBe(9);
    expect(synced.get('events_total')).toBe(3);
    const merged = promClient.Registry.merge([register, new promClient.Registry()]);
    expect(await merged.metrics()).toContain('events_total');
  });
});
