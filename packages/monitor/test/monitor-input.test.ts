import { describe, expect, it } from '@jest/globals';
import { CompositeMonitor, ConsoleMonitor, Histogram, MemoryMonitor, checkHealth, defineEvents } from '../src/index.js';

describe('programmer mistakes are refused at once, naming the argument', () => {
  it('monitors check their arguments when built, not on the first event', () => {
    expect(() => new CompositeMonitor(5 as never)).toThrow(new TypeError('Expected `monitors` to be an array of Monitor, got 5 (number)'));
    expect(() => new CompositeMonitor([{ record: () => undefined }, 5 as never])).toThrow(
      new TypeError('Expected `monitors[1]` to be a Monitor (an object with a record method), got 5 (number)'),
    );
    expect(() => new ConsoleMonitor({ write: 5 as never })).toThrow(new TypeError('Expected `write` to be a function, got 5 (number)'));
    expect(() => new MemoryMonitor(null as never)).toThrow(new TypeError('Expected `options` to be an object, got null'));
    expect(() => new MemoryMonitor().events(5 as never)).toThrow(new TypeError('Expected `type` to be a string, got 5 (number)'));
    expect(() => defineEvents('pool', null as never)).toThrow(new TypeError('Expected `events` to be an object, got null'));
  });

  it('Histogram checks the quantile even when empty, and merge refuses what is not a Histogram', () => {
    expect(() => new Histogram().percentile(2)).toThrow(RangeError);
    expect(() => new Histogram().percentile('x' as never)).toThrow(TypeError);
    expect(() => new Histogram().merge({} as never)).toThrow(new TypeError('Expected `other` to be a Histogram of this copy of @patinox/monitor, got an object'));
  });

  it('checkHealth checks its options and reports a hole in the checks array as down', async () => {
    await expect(checkHealth([], null as never)).rejects.toThrow(new TypeError('Expected `options` to be an object, got null'));
    await expect(checkHealth([], { now: 5 as never })).rejects.toThrow(new TypeError('Expected `now` to be a function, got 5 (number)'));
    const report = await checkHealth([, { name: 'db', check: () => ({ status: 'up' as const }) }] as never, { timeoutMs: 50 });
    expect(report.status).toBe('down');
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['checks[0]', 'down'],
      ['db', 'up'],
    ]);
  });
});
