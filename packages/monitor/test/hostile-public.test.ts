import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_EXPORT_BOUNDS,
  Histogram,
  MAX_MEMORY_MONITOR_CAPACITY,
  MemoryMonitor,
  MetricsRegistry,
  channelName,
  checkHealth,
  createEvent,
  defineEvents,
  expectTraceHook,
  histogramSnapshot,
} from '../src/index.js';
import { PrometheusExporter } from '../src/prometheus.js';

// Public helpers given what a caller (or an attacker) might: each answers with a TypeError / RangeError
// naming the argument and what arrived, never a bare engine error or a snapshot no exporter can write.

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('histogramSnapshot', () => {
  const h = new Histogram();
  h.record(3);

  it.each([
    ['a name no exposition can carry', () => histogramSnapshot('bad name-!', h), TypeError, 'Expected `name` to match'],
    ['a histogram that is not one', () => histogramSnapshot('x', {} as never), TypeError, 'Expected `histogram` to be a Histogram, got an object'],
    ['null options', () => histogramSnapshot('x', h, null as never), TypeError, 'Expected `options` to be an object, got null'],
    ['bounds out of order', () => histogramSnapshot('x', h, { exportBounds: [5, 1] }), RangeError, 'Expected `exportBounds` to be increasing finite numbers, got 1 (number) after 5'],
    ['a NaN bound', () => histogramSnapshot('x', h, { exportBounds: [Number.NaN] }), RangeError, 'Expected `exportBounds` to be increasing finite numbers'],
    ['an `le` label', () => histogramSnapshot('x', h, { labels: { le: '1' } }), TypeError, 'Expected histogram `x` to have no `le` label'],
    ['a label value that is not a string', () => histogramSnapshot('x', h, { labels: { a: 1 as never } }), TypeError, 'Expected `labels.a` to be a string, got 1 (number)'],
  ])('refuses %s', (_label, fn, Ctor, message) => {
    const error = thrown(fn);
    expect(error).toBeInstanceOf(Ctor);
    expect(error.message).toContain(message);
  });

  it('still snapshots a valid histogram with its options', () => {
    expect(histogramSnapshot('wait_ms', h, { help: 'Wait', labels: { pool: 'a' }, exportBounds: [1, 10] })).toMatchObject({
      type: 'histogram',
      name: 'wait_ms',
      help: 'Wait',
      labels: { pool: 'a' },
      bounds: [1, 10],
      cumulativeCounts: [0, 1],
    });
    expect(histogramSnapshot('wait_ms', h).bounds).toBe(DEFAULT_EXPORT_BOUNDS);
  });
});

describe('Histogram.cumulativeCounts', () => {
  const h = new Histogram();
  h.record(3);

  it.each([
    ['a number', 5, TypeError, 'Expected `bounds` to be an array of numbers, got 5 (number)'],
    ['a string bound', ['1'], TypeError, 'Expected `bounds` to be an array of numbers, got "1" (string) in it'],
    ['a NaN bound', [1, Number.NaN], RangeError, 'Expected `bounds` to be increasing finite numbers, got NaN (number) after 1'],
    ['decreasing bounds', [10, 1], RangeError, 'Expected `bounds` to be increasing finite numbers, got 1 (number) after 10'],
  ])('refuses %s', (_label, bounds, Ctor, message) => {
    const error = thrown(() => h.cumulativeCounts(bounds as never));
    expect(error).toBeInstanceOf(Ctor);
    expect(error.message).toBe(message);
  });

  it('counts at valid bounds', () => {
    expect(h.cumulativeCounts([1, 5])).toEqual([0, 1]);
    expect(h.cumulativeCounts([])).toEqual([]);
  });
});

describe('MemoryMonitor capacity', () => {
  it('refuses a capacity past MAX_MEMORY_MONITOR_CAPACITY with a RangeError naming it (2^32 was a bare "Invalid array length", 2^31 a buffer no scan finishes)', () => {
    for (const capacity of [MAX_MEMORY_MONITOR_CAPACITY + 1, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      const error = thrown(() => new MemoryMonitor({ capacity }));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toBe(`Expected \`capacity\` to be a positive integer at most ${MAX_MEMORY_MONITOR_CAPACITY}, got ${capacity} (number)`);
    }
    const largest = new MemoryMonitor({ capacity: MAX_MEMORY_MONITOR_CAPACITY });
    largest.record(createEvent('test.event', 'probe'));
    expect(largest.events().map((e) => e.type)).toEqual(['test.event']);
  });
});

describe('channelName and defineEvents', () => {
  it('channelName refuses a type that is not a string, naming it', () => {
    for (const type of [5, undefined, null, {}]) {
      const error = thrown(() => channelName(type as never));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(/^Expected `type` to be a string, got /);
    }
    expect(channelName('pool.connection.created')).toBe('patinox:pool:connection.created');
  });

  it('defineEvents names `events` when reading the table throws (a getter, a Proxy)', () => {
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('keys boom'); } });
    const getter = Object.defineProperty({}, 'closed', { enumerable: true, get: () => { throw new Error('getter boom'); } });
    for (const events of [proxy, getter]) {
      const error = thrown(() => defineEvents('pool', events as never));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(/^Expected `events` to be readable, but reading it threw: (keys|getter) boom$/);
    }
  });
});

describe('more arguments of the wrong shape', () => {
  const hostile = (): object => new Proxy({}, { get: () => { throw new Error('trap boom'); } });

  it('PrometheusExporter refuses a `register` that is not a prom-client Registry, naming it', () => {
    const metrics = new MetricsRegistry();
    metrics.counter('a_total').inc();
    for (const register of [{}, { registerMetric: () => undefined }, hostile()]) {
      const error = thrown(() => new PrometheusExporter(metrics, { register: register as never }));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(/^Expected `register` to be a prom-client Registry \(with registerMetric, removeSingleMetric, metrics\), got an object/);
    }
  });

  it('expectTraceHook names the option for a Proxy whose traps throw', () => {
    const error = thrown(() => expectTraceHook('tracer', hostile()));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('Expected `tracer` to be a TraceHook (an object with span()), got an object');
  });

  it('checkHealth names `checks` when the array cannot be read', async () => {
    const checks = new Proxy([], { get: () => { throw new Error('trap boom'); } });
    await expect(checkHealth(checks)).rejects.toThrow(/^Expected `checks` to be an array of HealthCheck, but reading it threw: trap boom$/);
  });

  it('defineEvents refuses an array of names (its indexes would become the keys)', () => {
    expect(() => defineEvents('pool', ['pool.closed'] as never)).toThrow(new TypeError('Expected `events` to be an object of event names, got an array'));
  });
});
