import { describe, expect, it } from '@jest/globals';
import * as promClient from 'prom-client';
import { Gauge, MetricsRegistry, type MetricSnapshot } from '../src/index.js';
import { PrometheusExporter } from '../src/prometheus.js';

describe('MetricsRegistry.collect with a broken source', () => {
  it('skips a gauge whose read throws, keeping every other metric in the scrape', async () => {
    const registry = new MetricsRegistry();
    registry.counter('ok_total').inc(2);
    registry.gauge('broken', {
      read: () => {
        throw new Error('owner closed');
      },
    });
    registry.gauge('after').set(5);
    expect(registry.collect().map((s) => s.name)).toEqual(['ok_total', 'after']);
    const text = await new PrometheusExporter(registry, { client: promClient }).metrics();
    expect(text).toContain('ok_total 2');
    expect(text).toContain('after 5');
  });

  it('drops what a collector yields that is not a metric snapshot, keeping its good ones', async () => {
    const registry = new MetricsRegistry();
    registry.addCollector(
      () =>
        [
          null,
          5,
          { type: 'nope', name: 'x' },
          { type: 'counter', name: 'no_value', help: '', labels: {}, value: null },
          { type: 'histogram', name: 'no_bounds', help: '', labels: {} },
          { type: 'gauge', name: 'good', help: '', labels: {}, value: 1 },
        ] as unknown as MetricSnapshot[],
    );
    expect(registry.collect().map((s) => s.name)).toEqual(['good']);
    expect(await new PrometheusExporter(registry, { client: promClient }).metrics()).toContain('good 1');
  });

  it('drops a snapshot whose labels, name or help no exporter can write, keeping the scrape and the collection whole', async () => {
    const registry = new MetricsRegistry();
    registry.counter('ok_total').inc();
    const hostileLabels = new Proxy({ a: 'b' }, { ownKeys: () => { throw new Error('keys boom'); } });
    const throwingSnapshot = Object.defineProperty({ type: 'gauge', name: 'getter', help: '', value: 1 }, 'labels', { enumerable: true, get: () => { throw new Error('labels boom'); } });
    registry.addCollector(
      () =>
        [
          { type: 'gauge', name: 'proxy_labels', help: '', labels: hostileLabels, value: 1 },
          throwingSnapshot,
          { type: 'gauge', name: 'bad_label_name', help: '', labels: { 'a-b': 'x' }, value: 1 },
          { type: 'gauge', name: 'object_label', help: '', labels: { a: { o: 1 } }, value: 1 },
          { type: 'gauge', name: 'string_labels', help: '', labels: 'a=b', value: 1 },
          { type: 'gauge', name: 'bad name', help: '', labels: {}, value: 1 },
          { type: 'gauge', name: 'number_help', help: 5, labels: {}, value: 1 },
          { type: 'histogram', name: 'le_label', help: '', labels: { le: '1' }, summary: { count: 0, sum: 0 }, bounds: [], cumulativeCounts: [] },
          { type: 'gauge', name: 'good', help: '', labels: { a: 'b' }, value: 1 },
          { type: 'gauge', name: 'unlabelled', help: '', value: 2 },
        ] as unknown as MetricSnapshot[],
    );
    expect(registry.collect().map((s) => s.name)).toEqual(['ok_total', 'good', 'unlabelled']);
    const text = await new PrometheusExporter(registry, { client: promClient }).metrics();
    expect(text).toContain('ok_total 1');
    expect(text).toContain('good{a="b"} 1');
  });

  it('skips a gauge whose read gives something other than a number (it came out as +Inf)', async () => {
    const registry = new MetricsRegistry();
    registry.gauge('undefined_read', { read: () => undefined as never });
    registry.gauge('string_read', { read: () => '12' as never });
    registry.gauge('nan_read', { read: () => Number.NaN });
    expect(registry.collect().map((s) => s.name)).toEqual(['nan_read']);
    expect(await new PrometheusExporter(registry, { client: promClient }).metrics()).not.toContain('+Inf');
  });
});

describe('MetricsRegistry options', () => {
  it('refuses one name as two kinds, whatever the labels', () => {
    const registry = new MetricsRegistry();
    registry.counter('x', { labels: { a: '1' } });
    expect(() => registry.histogram('x', { labels: { a: '2' } })).toThrow(new TypeError('Metric `x` is already registered as a counter, not a histogram'));
    expect(registry.counter('x', { labels: { a: '3' } })).not.toBeUndefined();
  });

  it("refuses a name that is one of a histogram's own series (_bucket, _count, _sum), in either order", () => {
    const registry = new MetricsRegistry();
    registry.histogram('wait_ms');
    expect(() => registry.counter('wait_ms_count')).toThrow(new TypeError('Metric `wait_ms_count` would collide with the `wait_ms_count` series of histogram `wait_ms`'));
    expect(() => registry.gauge('wait_ms_bucket')).toThrow(TypeError);
    registry.counter('jobs_sum');
    expect(() => registry.histogram('jobs')).toThrow(new TypeError('Histogram `jobs` would collide with the metric `jobs_sum` already registered'));
    expect(registry.counter('wait_ms_total')).toBeDefined();
    expect(registry.histogram('wait_ms', { labels: { route: '/a' } })).toBeDefined();
  });

  it('refuses labels an exposition cannot carry', () => {
    const registry = new MetricsRegistry();
    expect(() => registry.counter('c', { labels: 'ab' as never })).toThrow(new TypeError('Expected `labels` to be an object, got "ab" (string)'));
    expect(() => registry.counter('c', { labels: { 'a-b': '1' } })).toThrow(new TypeError('Expected label name `a-b` to match /^[a-zA-Z_][a-zA-Z0-9_]*$/ and not start with __'));
    expect(() => registry.counter('c', { labels: { __name__: '1' } })).toThrow(TypeError);
    expect(() => registry.counter('c', { labels: { a: 1 as never } })).toThrow(new TypeError('Expected `labels.a` to be a string, got 1 (number)'));
    expect(() => registry.histogram('h', { labels: { le: '1' } })).toThrow(new TypeError('Expected histogram `h` to have no `le` label: exporters add it'));
    expect(() => registry.histogram('h', { labels: { quantile: '1' } })).toThrow(TypeError);
    expect(registry.counter('c', { labels: { le: '1' } })).toBeDefined();
  });

  it('refuses export bounds that are not increasing finite numbers, and a help or read of the wrong type', () => {
    const registry = new MetricsRegistry();
    expect(() => registry.histogram('h', { exportBounds: [10, 1] })).toThrow(new RangeError('Expected `exportBounds` to be increasing finite numbers, got 1 (number) after 10'));
    expect(() => registry.histogram('h', { exportBounds: [1, Number.NaN] })).toThrow(RangeError);
    expect(() => registry.histogram('h', { exportBounds: 'abc' as never })).toThrow(new TypeError('Expected `exportBounds` to be an array of numbers, got "abc" (string)'));
    expect(() => registry.counter('c', { help: 5 as never })).toThrow(new TypeError('Expected `help` to be a string, got 5 (number)'));
    expect(() => registry.gauge('g', { read: 5 as never })).toThrow(new TypeError('Expected `read` to be a function, got 5 (number)'));
    expect(() => new Gauge(5 as never)).toThrow(TypeError);
    expect(() => registry.counter('c', null as never)).toThrow(new TypeError('Expected `options` to be an object, got null'));
    expect(() => registry.addCollector(5 as never)).toThrow(new TypeError('Expected `collector` to be a function, got 5 (number)'));
    // The registry keeps its own copy of the bounds.
    const bounds = [1, 10];
    const h = registry.histogram('kept', { exportBounds: bounds });
    bounds[1] = 0.5;
    h.record(5);
    expect(registry.collect().find((s) => s.name === 'kept')).toMatchObject({ bounds: [1, 10], cumulativeCounts: [0, 1] });
  });
});

describe('asking again for a registered metric with options that would change it', () => {
  it('refuses a gauge asked again with another read function (it silently kept reading the first)', () => {
    const registry = new MetricsRegistry();
    const read = (): number => 1;
    const gauge = registry.gauge('pool_size', { labels: { pool: 'a' }, read });
    expect(registry.gauge('pool_size', { labels: { pool: 'a' }, read })).toBe(gauge);
    expect(registry.gauge('pool_size', { labels: { pool: 'a' } })).toBe(gauge);
    expect(() => registry.gauge('pool_size', { labels: { pool: 'a' }, read: () => 2 })).toThrow(
      new TypeError('Gauge `pool_size{pool="a"}` is already registered with another `read`; pass the same function, or none to get it back'),
    );
    registry.gauge('set_gauge');
    expect(() => registry.gauge('set_gauge', { read: () => 2 })).toThrow(/^Gauge `set_gauge` is already registered without a `read`/);
  });

  it('refuses a histogram asked again with other exportBounds', () => {
    const registry = new MetricsRegistry();
    const h = registry.histogram('wait_ms', { exportBounds: [1, 10] });
    expect(registry.histogram('wait_ms', { exportBounds: [1, 10] })).toBe(h);
    expect(registry.histogram('wait_ms')).toBe(h);
    expect(() => registry.histogram('wait_ms', { exportBounds: [1, 100] })).toThrow(
      new TypeError('Histogram `wait_ms` is already registered with exportBounds [1,10], not [1,100]'),
    );
  });
});
