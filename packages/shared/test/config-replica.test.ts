import { describe, expect, it } from '@jest/globals';
import { MemoryMonitor } from '@patinox/monitor';
import { ConfigData, ConfigReplica } from '../src/index.js';

// The same-thread form of what test/workers.int.test.ts does with real workers: a MessageChannel works
// within one thread too, which lets these tests see the replica's internals in coverage.

function nextMessageTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await nextMessageTurn();
}

describe('ConfigReplica', () => {
  it('starts from the handle snapshot and follows every later version in order', async () => {
    const config = new ConfigData({ n: 1 }, { name: 'live' });
    const handle = config.share();
    config.update({ n: 2 });
    const replica = ConfigReplica.from(handle);
    expect(replica.snapshot()).toEqual({ config: { n: 1 }, version: 1 });
    const seen: number[] = [];
    replica.subscribe((c, version) => seen.push(c.n * 10 + version));
    config.update({ n: 3 });
    await until(() => replica.version === 3);
    expect(seen).toEqual([22, 33]);
    expect(replica.get()).toEqual({ n: 3 });
    expect(Object.isFrozen(replica.get())).toBe(true);
    expect(replica.metrics.writes).toBe(2);
    expect(replica.collectMetrics()[0]?.labels).toEqual({ name: 'live' });
    config.close();
    await until(() => replica.closed);
  });

  it('ignores versions the handle already covered and foreign messages', async () => {
    const config = new ConfigData({ n: 1 });
    const handle = config.share();
    config.update({ n: 2 });
    const late = { ...handle, version: 2, config: { n: 2 } };
    const replica = ConfigReplica.from(late, { freeze: false });
    handle.port.emit('message', { kind: 'other' });
    handle.port.emit('message', null);
    config.update({ n: 3 });
    await until(() => replica.version === 3);
    expect(replica.metrics.writes).toBe(1);
    expect(Object.isFrozen(replica.get())).toBe(false);
    replica.close();
    config.close();
  });

  it('iterates and reports throwing listeners to its monitor', async () => {
    const monitor = new MemoryMonitor();
    const config = new ConfigData({ n: 1 });
    const replica = ConfigReplica.from(config.share(), { monitor });
    replica.subscribe(() => {
      throw new Error('worker listener broke');
    });
    const iterator = replica.subscribe();
    expect((await iterator.next()).value?.version).toBe(1);
    const pending = iterator.next();
    config.update({ n: 2 });
    expect((await pending).value?.version).toBe(2);
    expect(monitor.events('shared.config.subscriber.failed')[0]?.data).toMatchObject({ error: 'worker listener broke' });
    const ending = iterator.next();
    replica[Symbol.dispose]();
    replica.close();
    expect(await ending).toEqual({ done: true, value: undefined });
    config.close();
  });

  it('validates its handle and options', () => {
    expect(() => ConfigReplica.from(null as never)).toThrow('Expected `handle` to be a ConfigHandle');
    expect(() => ConfigReplica.from({ kind: 'patinox.config', version: 1 } as never)).toThrow(TypeError);
    const config = new ConfigData({});
    expect(() => ConfigReplica.from(config.share(), null as never)).toThrow(TypeError);
    expect(() => ConfigReplica.from(config.share(), { freeze: 'no' as never })).toThrow('Expected `freeze` to be a boolean');
    expect(() => ConfigReplica.from(config.share(), { monitor: 1 as never })).toThrow('Expected `monitor` to be a Monitor (an object with a record method), got 1 (number)');
    config.close();
  });
});
