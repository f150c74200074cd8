import { afterEach, describe, expect, it } from '@jest/globals';
import { ResourceRegistry, ResourceScope, installShutdownHooks } from '../src/index.js';

// Option bags that are not objects, throw when read, or are hostile Proxies: every entry point answers
// with a TypeError naming what it expected, never with the bag's own throw, and never installs half.

const throwingGetter = (key: string): object =>
  Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw new Error('getter boom');
    },
  });
const hostileProxy = new Proxy(
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

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

function expectTypeError(fn: () => unknown, pattern: RegExp): void {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(TypeError);
  expect((error as Error).message).toMatch(pattern);
}

describe('ResourceScope options', () => {
  it('are refused with a TypeError when reading them throws', () => {
    expectTypeError(() => new ResourceScope(throwingGetter('name')), /`options`/);
    expectTypeError(() => new ResourceScope(throwingGetter('registry')), /`options`/);
    expectTypeError(() => new ResourceScope({ registry: hostileProxy as never }), /Expected `registry` to be a ResourceRegistry/);
  });
});

describe('installShutdownHooks options', () => {
  const installed: { uninstall(): void }[] = [];
  afterEach(() => {
    for (const hooks of installed.splice(0)) hooks.uninstall();
  });

  it('are refused with a TypeError when reading them throws', () => {
    expectTypeError(() => installShutdownHooks(throwingGetter('registry')), /`options`/);
    expectTypeError(() => installShutdownHooks(throwingGetter('signals')), /`options`/);
    expectTypeError(() => installShutdownHooks({ registry: hostileProxy as never }), /Expected `registry` to be a ResourceRegistry/);
  });

  it('refuse a signal no listener can be installed for, or that does not exist, and leave no listener behind', () => {
    const registry = new ResourceRegistry();
    const before = { SIGTERM: process.listenerCount('SIGTERM'), beforeExit: process.listenerCount('beforeExit') };
    for (const signal of ['SIGKILL', 'SIGSTOP', 'SIGTREM']) {
      expectTypeError(() => installed.push(installShutdownHooks({ registry, signals: ['SIGTERM', signal as NodeJS.Signals] })), /Expected `signals`/);
    }
    expect({ SIGTERM: process.listenerCount('SIGTERM'), beforeExit: process.listenerCount('beforeExit') }).toEqual(before);
  });

  it('listen once per signal named twice, so uninstall() removes every listener', () => {
    const registry = new ResourceRegistry();
    const before = process.listenerCount('SIGUSR2');
    const hooks = installShutdownHooks({ registry, signals: ['SIGUSR2', 'SIGUSR2'], beforeExit: false });
    installed.push(hooks);
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
    hooks.uninstall();
    expect(process.listenerCount('SIGUSR2')).toBe(before);
  });
});

describe('guard options given to a registry or a scope', () => {
  it('must be an object, as for guard()', () => {
    const registry = new ResourceRegistry({ trackLeaks: false });
    const scope = new ResourceScope({ registry });
    for (const options of [null, 42, 'name']) {
      expectTypeError(() => registry.guard('r', () => undefined, options as never), /Expected `options` to be an object/);
      expectTypeError(() => registry.adopt({ [Symbol.dispose]() {} }, options as never), /Expected `options` to be an object/);
      expectTypeError(() => scope.guard('r', () => undefined, options as never), /Expected `options` to be an object/);
      expectTypeError(() => scope.defer(() => undefined, options as never), /Expected `options` to be an object/);
      expectTypeError(() => scope.use({ [Symbol.dispose]() {} }, options as never), /Expected `options` to be an object/);
    }
    expectTypeError(() => scope.guard('r', () => undefined, throwingGetter('name')), /`options`/);
    expect(registry.stats().active).toBe(0);
    expect(scope.size).toBe(0);
  });

  it('keep a scope member in the scope registry when the bag names no registry', () => {
    const registry = new ResourceRegistry({ trackLeaks: false });
    const scope = new ResourceScope({ registry });
    scope.guard('r', () => undefined, { registry: undefined, name: 'member' });
    expect(registry.list().map((r) => r.name)).toEqual(['member']);
  });
});
