import { describe, expect, it } from '@jest/globals';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  CompositeMonitor,
  ConsoleMonitor,
  DiagnosticsChannelMonitor,
  MemoryMonitor,
  NoopMonitor,
  channelName,
  createEvent,
  noopMonitor,
  safeRecord,
  type Monitor,
  type MonitorEvent,
} from '../src/index.js';

describe('MemoryMonitor', () => {
  it('keeps the last `capacity` events, oldest first, and filters by type or prefix', () => {
    const monitor = new MemoryMonitor({ capacity: 3 });
    for (let i = 0; i < 5; i += 1) monitor.record(createEvent(i % 2 === 0 ? 'pool.connection.created' : 'cache.eviction', 'p', { i }, i));
    expect(monitor.events().map((e) => e.data.i)).toEqual([2, 3, 4]);
    expect(monitor.events('pool.connection.created').map((e) => e.data.i)).toEqual([2, 4]);
    expect(monitor.events('cache.').map((e) => e.data.i)).toEqual([3]);
    expect(monitor.totalRecorded).toBe(5);
    monitor.clear();
    expect(monitor.events()).toEqual([]);
  });

  it('rejects a bad capacity', () => {
    expect(() => new MemoryMonitor({ capacity: 0 })).toThrow('Expected `capacity` to be a positive integer, got 0 (number)');
  });
});

describe('createEvent', () => {
  it('stamps type, source, data and time', () => {
    const before = Date.now();
    const event = createEvent('resource.cleanup', 'registry');
    expect(event.type).toBe('resource.cleanup');
    expect(event.source).toBe('registry');
    expect(event.data).toEqual({});
    expect(event.timestamp).toBeGreaterThanOrEqual(before);
  });
});

describe('ConsoleMonitor', () => {
  it('writes one JSON line per event, and survives unserializable data', () => {
    const lines: string[] = [];
    const monitor = new ConsoleMonitor({ write: (l) => lines.push(l) });
    monitor.record(createEvent('pool.closed', 'db', { n: 1 }, 5));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    monitor.record(createEvent('pool.closed', 'db', cyclic, 6));
    expect(lines[0]).toBe('{"type":"pool.closed","source":"db","timestamp":5,"data":{"n":1}}\n');
    expect(JSON.parse(lines[1]!)).toEqual({ type: 'pool.closed', source: 'db', timestamp: 6, data: '[unserializable]' });
  });
});

describe('CompositeMonitor and safeRecord', () => {
  it('forwards to every monitor even when one throws', () => {
    const memory = new MemoryMonitor();
    const throwing: Monitor = {
      record() {
        throw new Error('broken monitor');
      },
    };
    const composite = new CompositeMonitor([throwing, memory, new NoopMonitor(), noopMonitor]);
    expect(() => composite.record(createEvent('x.y', 's'))).not.toThrow();
    expect(memory.events()).toHaveLength(1);
    expect(() => safeRecord(throwing, createEvent('x.y', 's'))).not.toThrow();
  });
});

describe('DiagnosticsChannelMonitor', () => {
  it('publishes on patinox:<package>:<event> only when subscribed', () => {
    expect(channelName('pool.connection.created')).toBe('patinox:pool:connection.created');
    expect(channelName('standalone')).toBe('patinox:standalone:event');
    const monitor = new DiagnosticsChannelMonitor();
    const seen: MonitorEvent[] = [];
    const listener = (message: unknown): void => {
      seen.push(message as MonitorEvent);
    };
    monitor.record(createEvent('pool.connection.created', 'db'));
    subscribe('patinox:pool:connection.created', listener);
    try {
      const event = createEvent('pool.connection.created', 'db', { id: 7 });
      monitor.record(event);
      monitor.record(createEvent('pool.connection.destroyed', 'db'));
      expect(seen).toEqual([event]);
    } finally {
      unsubscribe('patinox:pool:connection.created', listener);
    }
  });
});
