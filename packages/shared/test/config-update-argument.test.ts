import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { MemoryMonitor } from '@patinox/monitor';
import { ConfigData, SHARED_CONFIG_INVALID } from '../src/index.js';

const notObjects: [string, unknown, string][] = [
  ['undefined', undefined, 'got undefined'],
  ['null', null, 'got null'],
  ['a number', 5, 'got 5 (number)'],
  ['NaN', Number.NaN, 'got NaN (number)'],
  ['a string', 'poolSize=2', 'got "poolSize=2" (string)'],
  ['a boolean', true, 'got true (boolean)'],
  ['a function', () => ({ poolSize: 2 }), 'got a function'],
  ['a symbol', Symbol('config'), 'got Symbol(config) (symbol)'],
];

describe('ConfigData configuration arguments', () => {
  it.each(notObjects)('update(%s) throws a TypeError naming `next` and keeps the configuration', (_label, value, got) => {
    const monitor = new MemoryMonitor();
    const config = new ConfigData({ poolSize: 1 }, { monitor });
    expect(() => config.update(value as never)).toThrow(TypeError);
    expect(() => config.update(value as never)).toThrow(`Expected \`next\` to be an object (the configuration), ${got}`);
    expect(config.get()).toEqual({ poolSize: 1 });
    expect(config.version).toBe(1);
    expect(monitor.events('shared.config.updated')).toEqual([]);
  });

  it.each(notObjects)('the constructor refuses %s as the initial configuration, naming `initial`', (_label, value, got) => {
    expect(() => new ConfigData(value as never)).toThrow(TypeError);
    expect(() => new ConfigData(value as never)).toThrow(`Expected \`initial\` to be an object (the configuration), ${got}`);
  });

  it('refuses a migration that returns a non-object with SHARED_CONFIG_INVALID', () => {
    const config = new ConfigData<{ schemaVersion: number; n: number }>({ schemaVersion: 2, n: 1 }, { schemaVersion: 2, migrations: { 1: () => undefined } });
    expect(() => config.update({ schemaVersion: 1, n: 2 })).toThrow(expect.objectContaining({ code: SHARED_CONFIG_INVALID }));
    expect(config.get()).toEqual({ schemaVersion: 2, n: 1 });
  });

  it('refuses a watched file whose content is not an object with SHARED_CONFIG_INVALID', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'patinox-config-arg-'));
    try {
      const file = join(dir, 'config.json');
      await writeFile(file, 'null');
      const config = new ConfigData({ poolSize: 1 });
      await expect(config.watchFile(file)).rejects.toMatchObject({ code: SHARED_CONFIG_INVALID });
      expect(config.get()).toEqual({ poolSize: 1 });
      config.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
