import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MemoryMonitor } from '@patinox/monitor';
import { isPatinoxError } from '@patinox/errors';
import { SHARED_CONFIG_CLOSED, SHARED_CONFIG_INVALID, ConfigData, ConfigInvalidError, SHARED_NOT_CLONEABLE, type ConfigSnapshot } from '../src/index.js';

interface Settings {
  poolSize: number;
  name?: string;
}

const positive = (c: Settings): string | true => c.poolSize > 0 || 'poolSize must be > 0';

describe('ConfigData', () => {
  it('versions each accepted update and freezes configurations', () => {
    const config = new ConfigData<Settings>({ poolSize: 1 });
    expect(config.version).toBe(1);
    expect(config.update({ poolSize: 2 })).toBe(2);
    expect(config.get()).toEqual({ poolSize: 2 });
    expect(Object.isFrozen(config.get())).toBe(true);
    expect(config.snapshot()).toEqual({ config: { poolSize: 2 }, version: 2 });
  });

  it('refuses invalid config with SHARED_CONFIG_INVALID and keeps the old one', () => {
    const monitor = new MemoryMonitor();
    const config = new ConfigData<Settings>({ poolSize: 1 }, { validate: positive, monitor, name: 'pool' });
    let thrown: unknown;
    try {
      config.update({ poolSize: 0 });
    } catch (error) {
      thrown = error;
    }
    expect(isPatinoxError(thrown, SHARED_CONFIG_INVALID)).toBe(true);
    expect((thrown as ConfigInvalidError).issues).toEqual(['poolSize must be > 0']);
    expect(config.get()).toEqual({ poolSize: 1 });
    expect(config.version).toBe(1);
    expect(monitor.events('shared.config.rejected')[0]).toMatchObject({ source: 'pool', data: { code: SHARED_CONFIG_INVALID, version: 2 } });
  });

  it.each([
    ['false', () => false, []],
    ['a list of issues', () => ['a', 'b'], ['a', 'b']],
    ['an odd value', () => 42 as never, ['validate returned 42 (number)']],
  ])('treats validate returning %s as a refusal', (_label, validate, issues) => {
    const config = new ConfigData<Settings>({ poolSize: 1 });
    const strict = new ConfigData<Settings>({ poolSize: 1 }, { validate: (c) => (c.poolSize === 1 ? true : validate()) });
    expect(() => strict.update({ poolSize: 2 })).toThrow(expect.objectContaining({ code: SHARED_CONFIG_INVALID, issues }));
    expect(config.update({ poolSize: 2 })).toBe(2);
  });

  it('accepts validate returning undefined or an empty list, and reports a throwing validate as SHARED_CONFIG_INVALID', () => {
    const config = new ConfigData<Settings>({ poolSize: 1 }, { validate: (c) => (c.poolSize === 3 ? [] : undefined) });
    expect(config.update({ poolSize: 3 })).toBe(2);
    const throwing = new ConfigData<Settings>({ poolSize: 1 }, { validate: (c) => { if (c.poolSize > 1) throw new Error('boom'); } });
    expect(() => throwing.update({ poolSize: 2 })).toThrow(expect.objectContaining({ code: SHARED_CONFIG_INVALID, issues: ['validate threw: boom'] }));
    expect(() => new ConfigData<Settings>({ poolSize: 0 }, { validate: positive })).toThrow(ConfigInvalidError);
  });

  it('rejects non-cloneable configuration with SHARED_NOT_CLONEABLE', () => {
    expect(() => new ConfigData({ onChange: () => 1 })).toThrow(expect.objectContaining({ code: SHARED_NOT_CLONEABLE }));
    const config = new ConfigData<Record<string, unknown>>({});
    expect(() => config.update({ when: new (class Clock {})() })).toThrow(expect.objectContaining({ code: SHARED_NOT_CLONEABLE }));
  });

  it('migrates older schema versions step by step', () => {
    const config = new ConfigData<{ schemaVersion: number; pool: { size: number } }>(
      { schemaVersion: 1, size: 4 } as never,
      {
        schemaVersion: 3,
        migrations: {
          1: (c: { size: number }) => ({ poolSize: c.size }),
          2: (c: { poolSize: number }) => ({ schemaVersion: 2, pool: { size: c.poolSize } }),
        },
      },
    );
    expect(config.get()).toEqual({ schemaVersion: 3, pool: { size: 4 } });
    config.update({ schemaVersion: 3, pool: { size: 5 } });
    config.update({ pool: { size: 6 } } as never);
    expect(config.get().pool.size).toBe(6);
    expect(() => config.update({ schemaVersion: 4 } as never)).toThrow(expect.objectContaining({ code: SHARED_CONFIG_INVALID }));
    expect(() => config.update({ schemaVersion: 'x' } as never)).toThrow(/schemaVersion must be a positive integer/);
  });

  it('refuses a candidate whose migration is missing or throws', () => {
    const config = new ConfigData<{ v: number }>({ v: 3 }, { schemaVersion: 3, versionKey: 'v', migrations: { 2: () => { throw new Error('bad'); } } });
    expect(() => config.update({ v: 1 })).toThrow(/no migration from v 1/);
    expect(() => config.update({ v: 2 })).toThrow(/migration from v 2 threw: bad/);
    expect(config.version).toBe(1);
  });

  it('notifies listeners with each newer version and lets them unsubscribe', () => {
    const config = new ConfigData<Settings>({ poolSize: 1 });
    const seen: number[] = [];
    const unsubscribe = config.subscribe((c, version) => seen.push(c.poolSize * 100 + version));
    config.update({ poolSize: 2 });
    config.update({ poolSize: 3 });
    unsubscribe();
    unsubscribe();
    config.update({ poolSize: 4 });
    expect(seen).toEqual([202, 303]);
    expect(config.metrics.notifications).toBe(2);
    {
      using _sub = config.subscribe(() => undefined);
      expect(config.subscriberCount).toBe(1);
    }
    expect(config.subscriberCount).toBe(0);
  });

  it('keeps notifying others when a listener throws or rejects, and reports it', async () => {
    const monitor = new MemoryMonitor();
    const config = new ConfigData<Settings>({ poolSize: 1 }, { monitor });
    const seen: number[] = [];
    config.subscribe(() => {
      throw new Error('listener broke');
    });
    config.subscribe(async () => {
      throw new Error('async listener broke');
    });
    config.subscribe((c) => seen.push(c.poolSize));
    expect(config.update({ poolSize: 2 })).toBe(2);
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual([2]);
    const failures = monitor.events('shared.config.subscriber.failed').map((e) => e.data.error);
    expect(failures).toEqual(['listener broke', 'async listener broke']);
  });

  it('gives a slow async listener only the latest value and never blocks update', async () => {
    const config = new ConfigData<Settings>({ poolSize: 0 });
    const seen: number[] = [];
    let finish: () => void = () => undefined;
    config.subscribe((c) => {
      seen.push(c.poolSize);
      return new Promise<void>((resolve) => {
        finish = resolve;
      });
    });
    for (let i = 1; i <= 5; i += 1) config.update({ poolSize: i });
    expect(seen).toEqual([1]);
    finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([1, 5]);
    finish();
  });

  it('iterates: current value first, then only the latest one per pull', async () => {
    const config = new ConfigData<Settings>({ poolSize: 1 });
    const iterator = config.subscribe();
    expect((await iterator.next()).value).toEqual({ config: { poolSize: 1 }, version: 1 });
    const pending = iterator.next();
    config.update({ poolSize: 2 });
    expect((await pending).value?.version).toBe(2);
    config.update({ poolSize: 3 });
    config.update({ poolSize: 4 });
    expect((await iterator.next()).value).toEqual({ config: { poolSize: 4 }, version: 4 });
    await iterator.return?.();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(config.subscriberCount).toBe(0);
  });

  it('ends iterators on signal abort, on close and on break', async () => {
    const config = new ConfigData<Settings>({ poolSize: 1 });
    const controller = new AbortController();
    const seen: number[] = [];
    const loop = (async () => {
      for await (const { version } of config.subscribe({ signal: controller.signal })) seen.push(version);
    })();
    await new Promise((resolve) => setImmediate(resolve));
    config.update({ poolSize: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await loop;
    expect(seen).toEqual([1, 2]);
    const closing = config.subscribe();
    await closing.next();
    const pending = closing.next();
    config.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect((await config.subscribe().next()).done).toBe(true);
    expect((await new ConfigData({ n: 1 }).subscribe({ signal: AbortSignal.abort() }).next()).done).toBe(true);
    for await (const _ of new ConfigData({ n: 1 }).subscribe()) break;
  });

  it('answers every pull of an iterator made without awaiting the previous one, and ends them all on close', async () => {
    const config = new ConfigData<Settings>({ poolSize: 1 });
    const iterator = config.subscribe();
    const pulls = [iterator.next(), iterator.next(), iterator.next(), iterator.next()];
    config.update({ poolSize: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    config.update({ poolSize: 3 });
    config.close();
    const results = await Promise.all(pulls);
    expect(results.map((r) => (r.done === true ? 'done' : r.value.version))).toEqual([1, 2, 3, 'done']);
  });

  it('refuses an unreadable options bag or configuration with a typed error', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const config = new ConfigData<Settings>({ poolSize: 1 });
    expect(() => config.subscribe(proxy as never)).toThrow(TypeError);
    expect(() => config.update(proxy as never)).toThrow(expect.objectContaining({ code: SHARED_CONFIG_INVALID }));
    expect(() => config.update({ poolSize: proxy } as never)).toThrow(expect.objectContaining({ code: 'SHARED_NOT_CLONEABLE' }));
    expect(config.version).toBe(1);
  });

  it('handles re-entrant updates from a listener in version order', () => {
    const config = new ConfigData<Settings>({ poolSize: 1 });
    const a: number[] = [];
    const b: number[] = [];
    config.subscribe((c) => {
      a.push(c.poolSize);
      if (c.poolSize === 2) config.update({ poolSize: 3 });
    });
    config.subscribe((c) => b.push(c.poolSize));
    config.update({ poolSize: 2 });
    expect(a).toEqual([2, 3]);
    expect(b).toEqual([3]);
    expect(config.get().poolSize).toBe(3);
  });

  it('refuses updates after close with SHARED_CONFIG_CLOSED and keeps the last configuration', async () => {
    const monitor = new MemoryMonitor();
    const config = new ConfigData<Settings>({ poolSize: 1 }, { monitor });
    const listener = config.subscribe(() => undefined);
    config[Symbol.dispose]();
    config.close();
    expect(config.closed).toBe(true);
    expect(() => config.update({ poolSize: 2 })).toThrow(expect.objectContaining({ code: SHARED_CONFIG_CLOSED }));
    expect(() => config.share()).toThrow(expect.objectContaining({ code: SHARED_CONFIG_CLOSED }));
    await expect(config.watchFile('x.json')).rejects.toMatchObject({ code: SHARED_CONFIG_CLOSED });
    expect(config.get().poolSize).toBe(1);
    listener();
    expect(config.subscribe(() => undefined)).toBeInstanceOf(Function);
    expect(monitor.events('shared.config.closed')).toHaveLength(1);
  });

  it('validates options with the house message', async () => {
    expect(() => new ConfigData({ n: 1 }, { validate: 1 as never })).toThrow('Expected `validate` to be a function, got 1 (number)');
    expect(() => new ConfigData({ n: 1 }, { schemaVersion: 0 })).toThrow('Expected `schemaVersion` to be a positive integer, got 0 (number)');
    expect(() => new ConfigData({ n: 1 }, { migrations: 1 as never })).toThrow(TypeError);
    expect(() => new ConfigData({ n: 1 }, { migrations: { 1: 'x' as never } })).toThrow('Expected `migrations[1]` to be a function');
    expect(() => new ConfigData({ n: 1 }, { freeze: 1 as never })).toThrow(TypeError);
    expect(() => new ConfigData({ n: 1 }, { monitor: {} as never })).toThrow('Expected `monitor` to be a Monitor');
    expect(() => new ConfigData({ n: 1 }, null as never)).toThrow(TypeError);
    const config = new ConfigData({ n: 1 });
    expect(() => config.subscribe(1 as never)).toThrow(TypeError);
    await expect(config.watchFile('')).rejects.toThrow(TypeError);
    await expect(config.watchFile('a.json', { debounceMs: -1 })).rejects.toThrow(RangeError);
    await expect(config.watchFile('a.json', null as never)).rejects.toThrow(TypeError);
    expect(config.collectMetrics().length).toBeGreaterThan(0);
  });

  it('property: every subscriber sees strictly increasing versions ending at the latest', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: -2, max: 9 }), fc.nat(3)), { maxLength: 30 }), async (steps) => {
        const config = new ConfigData<Settings>({ poolSize: 1 }, { validate: positive });
        const listenerSeen: number[] = [];
        const slowSeen: number[] = [];
        const iterSeen: ConfigSnapshot<Settings>[] = [];
        config.subscribe((_c, v) => listenerSeen.push(v));
        config.subscribe(async (_c, v) => {
          slowSeen.push(v);
          await new Promise((resolve) => setImmediate(resolve));
        });
        const iterator = config.subscribe();
        for (const [size, pulls] of steps) {
          try {
            config.update({ poolSize: size });
          } catch (error) {
            expect(isPatinoxError(error, SHARED_CONFIG_INVALID)).toBe(true);
          }
          for (let i = 0; i < pulls; i += 1) {
            const next = await Promise.race([iterator.next(), new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]);
            if (next?.done === false) iterSeen.push(next.value);
          }
        }
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve));
        const accepted = 1 + steps.filter(([size]) => size > 0).length;
        expect(config.version).toBe(accepted);
        expect(listenerSeen).toEqual(Array.from({ length: accepted - 1 }, (_, i) => i + 2));
        const increasing = (xs: number[]): boolean => xs.every((x, i) => i === 0 || x > xs[i - 1]!);
        expect(increasing(slowSeen)).toBe(true);
        if (accepted > 1) expect(slowSeen.at(-1)).toBe(accepted);
        expect(increasing(iterSeen.map((s) => s.version))).toBe(true);
        config.close();
      }),
      { numRuns: 50 },
    );
  });
});
