import { describe, expect, it } from '@jest/globals';
import { Counter, Gauge, Histogram, MetricsRegistry, histogramSnapshot, type MetricSnapshot } from '../src/index.js';

describe('MetricsRegistry', () => {
  it('returns the same metric for the same name and labels, and a new one for other labels', () => {
    const registry = new MetricsRegistry();
    const a = registry.counter('requests_total', { help: 'requests', labels: { route: '/a' } });
    expect(registry.counter('requests_total', { labels: { route: '/a' } })).toBe(a);
    expect(registry.counter('requests_total', { labels: { route: '/b' } })).not.toBe(a);
    expect(() => registry.gauge('requests_total', { labels: { route: '/a' } })).toThrow('already registered as a counter');
    expect(() => registry.counter('bad name')).toThrow(TypeError);
  });

  it('collects counters, gauges (set or read) and histograms at any time', () => {
    const registry = new MetricsRegistry();
    registry.counter('c').inc(3);
    const g = registry.gauge('g');
    g.set(10);
    g.inc(2);
    g.dec();
    let live = 5;
    registry.gauge('live', { read: () => live });
    const h = registry.histogram('latency_ms', { exportBounds: [1, 10] });
    h.record(0.5);
    h.record(5);
    live = 6;
    const byName = new Map(registry.collect().map((m) => [m.name, m]));
    expect(byName.get('c')).toMatchObject({ type: 'counter', value: 3 });
    expect(byName.get('g')).toMatchObject({ type: 'gauge', value: 11 });
    expect(byName.get('live')).toMatchObject({ type: 'gauge', value: 6 });
    expect(byName.get('latency_ms')).toMatchObject({ type: 'histogram', bounds: [1, 10], cumulativeCounts: [1, 2], summary: { count: 2 } });
  });

  it('pulls from collectors, skips one that throws, and removes them', () => {
    const registry = new MetricsRegistry();
    const owned = { hits: 0 };
    const remove = registry.addCollector(() => [{ type: 'counter', name: 'cache_hits', help: '', labels: {}, value: owned.hits }]);
    registry.addCollector(() => {
      throw new Error('broken');
    });
    owned.hits = 42;
    expect(registry.collect()).toEqual([{ type: 'counter', name: 'cache_hits', help: '', labels: {}, value: 42 }]);
    remove();
    expect(registry.collect()).toEqual([]);
  });

  it('builds a histogram snapshot for a histogram owned outside a registry', () => {
    const h = new Histogram();
    h.record(3);
    const snap: MetricSnapshot = histogramSnapshot('wait_ms', h, { help: 'wait', labels: { pool: 'db' } });
    expect(snap).toMatchObject({ type: 'histogram', name: 'wait_ms', help: 'wait', labels: { pool: 'db' }, summary: { count: 1 } });
  });

  it('Counter and Gauge work standalone', () => {
    const c = new Counter();
    c.inc();
    c.inc(4);
    expect(c.value).toBe(5);
    const g = new Gauge(() => 9);
    g.set(1);
    expect(g.value).toBe(9);
  });
});

describe('Counter and Gauge arguments', () => {
  it('refuses a counter step that would make it go down, jump to Infinity, or turn into a string', () => {
    const c = new MetricsRegistry().counter('jobs_total');
    c.inc();
    c.inc(2.5);
    c.inc(0);
    expect(() => c.inc(-1)).toThrow(new RangeError('Expected `by` to be a non-negative finite number, got -1 (number)'));
    expect(() => c.inc(Number.NaN)).toThrow(RangeError);
    expect(() => c.inc(Infinity)).toThrow(RangeError);
    expect(() => c.inc('2' as unknown as number)).toThrow(TypeError);
    expect(() => c.inc(2n as unknown as number)).toThrow(TypeError);
    expect(c.value).toBe(3.5);
  });

  it('takes any number as a gauge sample and refuses anything else, naming it', () => {
    const g = new Gauge();
    g.set(Number.NaN);
    expect(g.value).toBeNaN();
    g.set(-Infinity);
    g.set(4);
    g.inc(-1);
    g.dec(-1);
    expect(g.value).toBe(4);
    expect(() => g.set('x' as unknown as number)).toThrow(new TypeError('Expected `value` to be a number, got "x" (string)'));
    expect(() => g.inc('1' as unknown as number)).toThrow(TypeError);
    expect(() => g.dec(null as unknown as number)).toThrow(/`by`/);
    expect(g.value).toBe(4);
    expect(new Counter().value).toBe(0);
  });
});
