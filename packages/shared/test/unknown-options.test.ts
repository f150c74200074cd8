import { describe, expect, it } from '@jest/globals';
import { ConfigData, LayeredConfig, MutableSharedData, SharedData, SharedMap, SharedRegion, SharedRwLock } from '../src/index.js';

const unknown = (bag: string, key: string, hint: string): TypeError =>
  new TypeError(`Expected \`${bag}\` to have only known keys, got unknown key \`${key}\`; ${hint}`);

describe('unknown option keys', () => {
  it('constructors and factories refuse a typo, naming the option it most likely meant', () => {
    expect(() => new SharedData(1, { freez: true } as never)).toThrow(unknown('options', 'freez', 'did you mean `freeze`?'));
    expect(() => new MutableSharedData(1, { timeout: 5 } as never)).toThrow(unknown('options', 'timeout', 'did you mean `timeoutMs`?'));
    expect(() => new SharedRwLock({ byteoffset: 0 } as never)).toThrow(unknown('options', 'byteoffset', 'did you mean `byteOffset`?'));
    expect(() => SharedRegion.create('Int32Array', 4, { nam: 'r' } as never)).toThrow(unknown('options', 'nam', 'did you mean `name`?'));
    expect(() => SharedMap.create({ capacity: 10, maxValueByte: 64 } as never)).toThrow(unknown('options', 'maxValueByte', 'did you mean `maxValueBytes`?'));
    expect(() => new ConfigData({ a: 1 }, { validator: () => true } as never)).toThrow(unknown('options', 'validator', 'did you mean `validate`?'));
  });

  it('attach options and per-call options refuse a typo', async () => {
    const data = new SharedData(1);
    expect(() => SharedData.from(data.share(), { freeze: true } as never)).toThrow(unknown('options', 'freeze', 'known keys: clone'));
    const map = SharedMap.create({ capacity: 10 });
    expect(() => SharedMap.from(map.handle, { lockTimeout: 5 } as never)).toThrow(unknown('options', 'lockTimeout', 'did you mean `lockTimeoutMs`?'));
    const config = new ConfigData({ a: 1 });
    expect(() => config.subscribe({ signl: undefined } as never)).toThrow(unknown('options', 'signl', 'did you mean `signal`?'));
    const mutable = new MutableSharedData(1);
    await expect(mutable.read({ timeoutMS: 5 } as never)).rejects.toThrow(unknown('options', 'timeoutMS', 'did you mean `timeoutMs`?'));
  });

  it('each kind of config layer knows its own keys', () => {
    expect(() => new LayeredConfig({ layers: [{ values: { a: 1 }, optional: true }] })).toThrow(unknown('layers[0]', 'optional', 'known keys: name, values'));
    expect(() => new LayeredConfig({ layers: [{ vars: {}, prefx: 'APP_' }] } as never)).toThrow(unknown('layers[0]', 'prefx', 'did you mean `prefix`?'));
    expect(() => new LayeredConfig({ layer: [] } as never)).toThrow(unknown('options', 'layer', 'did you mean `layers`?'));
  });
});
