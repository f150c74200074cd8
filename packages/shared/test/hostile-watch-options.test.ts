import { describe, expect, it } from '@jest/globals';
import { ConfigData, LayeredConfig, Rollout } from '../src/index.js';

// Option bags and sources whose getters or Proxy traps throw: a TypeError naming them, never their own throw.

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
const throwingGetter = (key: string): object =>
  Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw new Error('getter boom');
    },
  });

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('watch options that throw when read', () => {
  it.each([
    ['a Proxy', hostileProxy],
    ['a throwing parse getter', () => throwingGetter('parse')],
    ['a throwing debounceMs getter', () => throwingGetter('debounceMs')],
  ])('ConfigData.watchFile rejects %s with a TypeError naming `options`', async (_label, make) => {
    const config = new ConfigData({ a: 1 });
    const error = await rejection(config.watchFile('/nonexistent/config.json', make()));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^Expected `options` to be readable/);
    config.close();
  });

  it.each([
    ['a Proxy', hostileProxy],
    ['a throwing debounceMs getter', () => throwingGetter('debounceMs')],
  ])('LayeredConfig.watch throws a TypeError naming `options` for %s', (_label, make) => {
    const config = new LayeredConfig({ layers: [{ values: { a: 1 } }] });
    expect(() => config.watch(make() as never)).toThrow(/^Expected `options` to be readable/);
    config.close();
  });
});

describe('Rollout source', () => {
  it('refuses a source whose get cannot be read with a TypeError naming `source`', () => {
    expect(() => new Rollout(hostileProxy() as never, () => undefined)).toThrow(/^Expected `source` to have a get\(\) method/);
    expect(() => new Rollout(throwingGetter('get') as never, () => undefined)).toThrow(TypeError);
  });
});
