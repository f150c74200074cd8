import { describe, expect, it } from '@jest/globals';
import { ConfigData, ConfigReplica, LayeredConfig, MutableSharedData, SharedData, SharedMap, SharedRegion, SharedRwLock } from '../src/index.js';

// An options bag or a handle whose getters or Proxy traps throw is a TypeError that names it, never the
// bag's own throw escaping (README, "Programmer mistakes").

const throwingGetter = (key: string): object =>
  Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw new Error('getter boom');
    },
  });
const hostileProxy = (): object =>
  new Proxy(
    {},
    {
      get() {
        throw new Error('trap boom');
      },
      ownKeys() {
        throw new Error('trap boom');
      },
    },
  );

function expectNamedTypeError(fn: () => unknown, name: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TypeError);
  expect((thrown as Error).message).toContain(`\`${name}\``);
}

describe('constructor options that throw when read', () => {
  it.each([
    ['SharedData', (bag: object) => new SharedData({ a: 1 }, bag as never), ['clone', 'freeze', 'name']],
    ['MutableSharedData', (bag: object) => new MutableSharedData(1, bag as never), ['name', 'timeoutMs']],
    ['ConfigData', (bag: object) => new ConfigData({ a: 1 }, bag as never), ['name', 'monitor', 'validate', 'schemaVersion', 'migrations', 'versionKey', 'freeze']],
    ['SharedRwLock', (bag: object) => new SharedRwLock(bag as never), ['buffer', 'byteOffset', 'name', 'timeoutMs']],
    ['SharedRegion.create', (bag: object) => SharedRegion.create('Int32Array', 4, bag as never), ['name', 'timeoutMs']],
    ['SharedMap.create', (bag: object) => SharedMap.create(bag as never), ['capacity', 'codec', 'name', 'monitor']],
    ['LayeredConfig', (bag: object) => new LayeredConfig(bag as never), ['layers', 'name', 'validate']],
  ] as const)('%s gives a TypeError', (_name, make, keys) => {
    for (const key of keys) expectNamedTypeError(() => make(throwingGetter(key)), 'options');
    expectNamedTypeError(() => make(hostileProxy()), 'options');
  });

  it('LayeredConfig gives a TypeError naming a layer that throws when read', () => {
    expectNamedTypeError(() => new LayeredConfig({ layers: [hostileProxy()] }), 'layers[0]');
  });

  it('ConfigData gives a TypeError for migrations whose keys cannot be listed', () => {
    expectNamedTypeError(() => new ConfigData({ a: 1 }, { migrations: hostileProxy() as never }), 'migrations');
  });
});

describe('handles that throw when read', () => {
  it.each([
    ['SharedData.from', (handle: object) => SharedData.from(handle as never)],
    ['SharedRwLock.from', (handle: object) => SharedRwLock.from(handle as never)],
    ['ConfigReplica.from', (handle: object) => ConfigReplica.from(handle as never)],
    ['SharedRegion.from', (handle: object) => SharedRegion.from(handle as never)],
    ['SharedMap.from', (handle: object) => SharedMap.from(handle as never)],
  ] as const)('%s gives a TypeError', (_name, from) => {
    expectNamedTypeError(() => from(hostileProxy()), 'handle');
    expectNamedTypeError(() => from(throwingGetter('kind')), 'handle');
  });

  it('ConfigReplica.from gives a TypeError for options that throw when read', () => {
    const config = new ConfigData({ a: 1 });
    const handle = config.share();
    try {
      expectNamedTypeError(() => ConfigReplica.from(handle, throwingGetter('freeze')), 'options');
    } finally {
      handle.port.close();
      config.close();
    }
  });
});
