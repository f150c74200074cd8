import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { LayeredConfig, SHARED_CONFIG_INVALID, SHARED_CONFIG_LOAD_FAILED } from '../src/index.js';
import { thrown } from './thrown.js';

// A `__proto__` path segment or key must never reach Object.prototype (set('__proto__.x', …) polluted every
// object in the process) nor become the prototype of the merged configuration.

const polluted = (): unknown => (({}) as Record<string, unknown>)['pwned'];

describe('LayeredConfig and __proto__', () => {
  let dir: string | undefined;
  afterEach(async () => {
    delete (Object.prototype as Record<string, unknown>)['pwned'];
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('set/unset/explain refuse a `__proto__` segment with a TypeError naming `path`, and pollute nothing', () => {
    const config = new LayeredConfig({ layers: [{ values: { a: 1 } }] });
    for (const path of ['__proto__.pwned', 'a.__proto__.pwned', '__proto__']) {
      const error = thrown(() => config.set(path, 5));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toContain('`path`');
      expect(error.message).toContain('__proto__');
      expect(() => config.unset(path)).toThrow(TypeError);
      expect(() => config.explain(path)).toThrow(TypeError);
    }
    expect(polluted()).toBeUndefined();
    expect(config.get()).toEqual({ a: 1 });
    expect(config.version).toBe(1);
    config.close();
  });

  it('set refuses a value carrying an own `__proto__` key (as JSON.parse makes), naming `value`', () => {
    const config = new LayeredConfig({ layers: [{ values: { a: { b: 1 } } }] });
    const error = thrown(() => config.set('a', JSON.parse('{"__proto__": {"pwned": true}}')));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('`value`');
    expect(Object.getPrototypeOf(config.get().a)).toBe(Object.prototype);
    expect(polluted()).toBeUndefined();
    config.close();
  });

  it('refuses a values layer or a vars mapping with `__proto__`, naming the layer', () => {
    expect(() => new LayeredConfig({ layers: [{ values: JSON.parse('{"a": {"__proto__": {"pwned": 1}}}') as Record<string, unknown> }] })).toThrow(/`layers\[0\]\.values`.*__proto__/);
    expect(() => new LayeredConfig({ layers: [{ values: { a: 1 } }, { vars: { '__proto__.pwned': 'X' }, env: { X: '1' } }] })).toThrow(/`layers\[1\]\.vars`.*__proto__/);
    expect(polluted()).toBeUndefined();
  });

  it('refuses a file layer whose JSON has a `__proto__` key with SHARED_CONFIG_LOAD_FAILED', async () => {
    dir = await mkdtemp(join(tmpdir(), 'patinox-proto-'));
    const file = join(dir, 'config.json');
    await writeFile(file, '{"a": 1, "__proto__": {"pwned": true}}');
    expect(() => new LayeredConfig({ layers: [{ values: { a: 0 } }, { file }] })).toThrow(expect.objectContaining({ code: SHARED_CONFIG_LOAD_FAILED }));
    expect(polluted()).toBeUndefined();
  });

  it('refuses an env variable whose JSON value has a `__proto__` key with SHARED_CONFIG_INVALID', () => {
    const error = thrown(() => new LayeredConfig({ layers: [{ values: { a: { b: 1 } } }, { prefix: 'APP_', env: { APP_A: '{"__proto__": {"pwned": true}}' } }] }));
    expect(error).toMatchObject({ code: SHARED_CONFIG_INVALID });
    expect(error.message).toContain('APP_A');
    expect(polluted()).toBeUndefined();
  });
});

describe('LayeredConfig.set with a value that throws when read', () => {
  it('names `value` instead of letting the trap escape', () => {
    const config = new LayeredConfig({ layers: [{ values: { a: 1 } }] });
    const hostile = new Proxy({}, { getPrototypeOf: () => { throw new Error('trap boom'); }, ownKeys: () => { throw new Error('trap boom'); } });
    const error = thrown(() => config.set('a', hostile));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('Expected `value` to be readable, but reading it threw: trap boom');
    config.close();
  });
});

describe('LayeredConfig layers array', () => {
  it('refuses a hole in `layers` as it refuses undefined, naming the index', () => {
     
    const sparse = [, { values: { a: 1 } }] as never;
    const error = thrown(() => new LayeredConfig({ layers: sparse }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^Expected `layers\[0\]` to be a layer/);
  });
});
