import { afterEach, describe, expect, it } from '@jest/globals';
import { ResourceRegistry, ResourceScope, installShutdownHooks, isResourceGuard } from '../src/index.js';

// Public entry points given hostile values: a bag whose getters or traps throw, a Proxy, a sparse array, a
// number too large to count bytes with. Each answers with a TypeError / RangeError naming what it expected,
// never the bag's own throw, and never corrupts the registry's counters.

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
      getOwnPropertyDescriptor() {
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

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

function expectNamedTypeError(fn: () => unknown, name: string): void {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(TypeError);
  expect(error.message).toContain(`\`${name}\``);
}

describe('ResourceRegistry option bags that throw when read', () => {
  it('the constructor names `options`', () => {
    expectNamedTypeError(() => new ResourceRegistry(hostileProxy()), 'options');
    expectNamedTypeError(() => new ResourceRegistry(throwingGetter('name')), 'options');
    expectNamedTypeError(() => new ResourceRegistry(throwingGetter('concurrency')), 'options');
  });

  it('forceCleanupAll and shutdown name `options`, and a refused shutdown does not start one', async () => {
    const registry = new ResourceRegistry({ trackLeaks: false });
    expectNamedTypeError(() => registry.forceCleanupAll(hostileProxy()), 'options');
    expectNamedTypeError(() => registry.forceCleanupAll(throwingGetter('deadlineMs')), 'options');
    expectNamedTypeError(() => registry.shutdown(hostileProxy()), 'options');
    expectNamedTypeError(() => registry.shutdown(throwingGetter('deadlineMs')), 'options');
    expect(registry.isShuttingDown).toBe(false);
    await registry.shutdown();
  });
});

describe('sizeBytes', () => {
  it('refuses a size past Number.MAX_SAFE_INTEGER, which activeBytes could not count exactly', () => {
    const registry = new ResourceRegistry({ trackLeaks: false });
    for (const sizeBytes of [2 ** 53, 1e300, Number.MAX_VALUE]) {
      const error = thrown(() => registry.guard('r', () => undefined, { sizeBytes }));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toMatch(/^Expected `sizeBytes` to be a non-negative safe integer/);
    }
    expect(registry.stats()).toMatchObject({ active: 0, activeBytes: 0 });
  });

  it('keeps activeBytes exact as resources come and go', async () => {
    const registry = new ResourceRegistry({ trackLeaks: false });
    const big = registry.guard('big', () => undefined, { sizeBytes: Number.MAX_SAFE_INTEGER - 10 });
    const small = registry.guard('small', () => undefined, { sizeBytes: 5 });
    await big.cleanup();
    expect(registry.stats().activeBytes).toBe(5);
    await small.cleanup();
    expect(registry.stats().activeBytes).toBe(0);
  });
});

describe('isResourceGuard and ResourceScope.use', () => {
  it('isResourceGuard answers false for a Proxy whose traps throw, as isPatinoxError does', () => {
    expect(isResourceGuard(hostileProxy())).toBe(false);
  });

  it('scope.use refuses a hostile Proxy with the TypeError for what is neither a guard nor disposable', () => {
    const scope = new ResourceScope({ registry: new ResourceRegistry({ trackLeaks: false }) });
    expectNamedTypeError(() => scope.use(hostileProxy() as never), 'disposable');
    expect(scope.size).toBe(0);
  });
});

describe('installShutdownHooks signals', () => {
  const installed: { uninstall(): void }[] = [];
  afterEach(() => {
    for (const hooks of installed.splice(0)) hooks.uninstall();
  });

  it('refuses a sparse array (a hole is no signal) and installs nothing', () => {
    const registry = new ResourceRegistry({ trackLeaks: false });
    const before = process.listenerCount('SIGTERM');
     
    const error = thrown(() => installed.push(installShutdownHooks({ registry, signals: [, 'SIGTERM'] as never, beforeExit: false })));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('Expected `signals` to be an array of signal names');
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(process.listenerCount('undefined')).toBe(0);
  });

  it('names `signals` when reading the array throws', () => {
    const registry = new ResourceRegistry({ trackLeaks: false });
    const signals = new Proxy(['SIGTERM'], {
      get(target, key) {
        if (key === 'length') throw new Error('length boom');
        return Reflect.get(target, key) as unknown;
      },
    });
    expectNamedTypeError(() => installed.push(installShutdownHooks({ registry, signals: signals as never, beforeExit: false })), 'signals');
  });
});
