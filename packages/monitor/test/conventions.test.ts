import { describe, expect, it } from '@jest/globals';
import { EVENT_NAME_PATTERN, MemoryMonitor, defineEvents, expectMonitor, type EventName } from '../src/index.js';

describe('expectMonitor', () => {
  it('accepts anything with a record function', () => {
    const monitor = new MemoryMonitor();
    expect(expectMonitor('monitor', monitor)).toBe(monitor);
    const plain = { record: () => undefined };
    expect(expectMonitor('monitor', plain)).toBe(plain);
  });

  it('throws one TypeError message naming the option for anything else, hostile values included', () => {
    expect(() => expectMonitor('monitor', {})).toThrow(
      new TypeError('Expected `monitor` to be a Monitor (an object with a record method), got an object'),
    );
    expect(() => expectMonitor('options.monitor', { record: 1 })).toThrow('Expected `options.monitor` to be a Monitor');
    expect(() => expectMonitor('monitor', null)).toThrow(TypeError);
    expect(() => expectMonitor('monitor', undefined)).toThrow(TypeError);
    expect(() => expectMonitor('monitor', 'console')).toThrow(TypeError);
    expect(() => expectMonitor('monitor', new Proxy({}, { get: () => { throw new Error('trap'); } }))).toThrow(TypeError);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(() => expectMonitor('monitor', proxy)).toThrow(TypeError);
  });
});

describe('defineEvents', () => {
  it('returns a frozen table whose values type as a union of names', () => {
    const events = defineEvents('pool', { closed: 'pool.closed', leakSuspected: 'pool.leak.suspected' } as const);
    const name: EventName<typeof events> = events.leakSuspected;
    expect(name).toBe('pool.leak.suspected');
    expect(Object.isFrozen(events)).toBe(true);
  });

  it.each(['pool.publish-failed', 'pool.subscriber_failed', 'pool.leakSuspected', 'pool', 'Pool.closed', 'pool..closed', 'pool.closed.', 'cache.closed'])(
    'rejects %s: one separator style and the package prefix',
    (bad) => {
      expect(() => defineEvents('pool', { bad })).toThrow(TypeError);
    },
  );

  it('rejects a name declared twice and a prefix that is not one word', () => {
    expect(() => defineEvents('pool', { a: 'pool.closed', b: 'pool.closed' })).toThrow('declared twice');
    expect(() => defineEvents('my-pool', { a: 'my-pool.closed' })).toThrow(TypeError);
  });

  it('pattern accepts dotted lowercase words with digits', () => {
    expect(EVENT_NAME_PATTERN.test('cache.tiered.l1.flushed')).toBe(true);
    expect(EVENT_NAME_PATTERN.test('cache.tiered.bus.publish.failed')).toBe(true);
  });
});
