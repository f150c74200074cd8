import { afterEach, describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_TIMER_MS } from '@patinox/errors';
import { watchUncaught } from '@patinox/test-servers';
import { EVENT_NAME_PATTERN, MemoryMonitor } from '@patinox/monitor';
import { CACHE_ERROR_CODES, CACHE_EVENTS, Cache, CacheError } from '../src/index.js';
import { KeyvNamespaceError } from '../src/keyv/index.js';
import { CacheBackendError, MemoryBackend, MemoryBus, TieredCache, TieredCacheError, type CacheBackend, type InvalidationBus, type TieredCacheOptions } from '../src/tiered/index.js';

// Issue 17 on the distributed tier: its events are in the package's one table, its timer options refuse
// what a Node timer cannot honour, its monitor and signal checks are the kit's, and it and the in-memory
// backend and bus say whether they are closed and close with `await using`.

const open: TieredCache<unknown>[] = [];
function make<V = unknown>(options: Partial<TieredCacheOptions<V>> = {}): TieredCache<V> {
  const cache = new TieredCache<V>({ l2: new MemoryBackend(), namespace: 'conv', ...options });
  open.push(cache as TieredCache<unknown>);
  return cache;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

const TABLE = new Set<string>(Object.values(CACHE_EVENTS));

/** A backend whose calls fail while `mode.down`, to drive the circuit breaker. */
function flaky(inner: CacheBackend = new MemoryBackend()): { backend: CacheBackend; mode: { down: boolean } } {
  const mode = { down: false };
  const backend = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === 'close' || prop === 'scan') return (value as (...a: unknown[]) => unknown).bind(target);
      return (...args: unknown[]) => (mode.down ? Promise.reject(new Error('connect ECONNREFUSED')) : (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  return { backend, mode };
}

describe('TieredCache events', () => {
  it('reports only names from CACHE_EVENTS, dot-separated (bus publish failure, every circuit state, close)', async () => {
    let now = 0;
    const monitor = new MemoryMonitor();
    const { backend, mode } = flaky();
    const inner = new MemoryBus();
    const bus: InvalidationBus = {
      get state() {
        return inner.state;
      },
      publish: () => Promise.reject(new Error('bus down')),
      subscribe: (listener) => inner.subscribe(listener),
      close: () => inner.close(),
    };
    const cache = make<number>({ l2: backend, bus, monitor, clock: () => now, circuitBreaker: { failureThreshold: 1, resetTimeoutMs: 1000 } });
    await cache.set('k', 1);
    mode.down = true;
    await expect(cache.get('other')).rejects.toMatchObject({ code: 'CACHE_BACKEND_UNAVAILABLE' });
    mode.down = false;
    now = 2000;
    expect(await cache.get('other')).toBeUndefined();
    await cache.close();

    const types = monitor.events().map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        CACHE_EVENTS.tieredBusPublishFailed,
        CACHE_EVENTS.tieredCircuitOpen,
        CACHE_EVENTS.tieredCircuitHalfOpen,
        CACHE_EVENTS.tieredCircuitClosed,
        CACHE_EVENTS.tieredL1Flushed,
        CACHE_EVENTS.tieredClosed,
      ]),
    );
    for (const type of types) {
      expect(TABLE.has(type) ? type : `not in CACHE_EVENTS: ${type}`).toBe(type);
      expect(EVENT_NAME_PATTERN.test(type) ? type : `not dot-separated: ${type}`).toBe(type);
    }
    expect(monitor.events('cache.tiered.bus.publish.failed')).toHaveLength(1);
  });
});

describe('event names in the source', () => {
  it('every createEvent in src names its event from CACHE_EVENTS, never a string of its own', () => {
    const src = new URL('../src/', import.meta.url).pathname;
    const literal = /createEvent\(\s*['"`]/;
    const offenders = (readdirSync(src, { recursive: true }) as string[])
      .filter((file) => file.endsWith('.ts'))
      .filter((file) => literal.test(readFileSync(join(src, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('TieredCache timer options (defect 6: Node turns a delay above 2^31-1 ms into 1 ms)', () => {
  it.each(['operationTimeoutMs', 'lockWaitTimeoutMs', 'lockPollIntervalMs'] as const)('refuses %s above MAX_TIMER_MS and accepts MAX_TIMER_MS', (option) => {
    expect(() => make({ [option]: MAX_TIMER_MS + 1 })).toThrow(RangeError);
    expect(() => make({ [option]: 2 ** 31 })).toThrow(`Expected \`${option}\``);
    expect(() => make({ [option]: MAX_TIMER_MS })).not.toThrow();
  });

  it('refuses a health-check timeout above MAX_TIMER_MS', () => {
    const cache = make();
    expect(() => cache.healthCheck(2 ** 31)).toThrow(RangeError);
    expect(() => cache.health(2 ** 31)).toThrow(RangeError);
    expect(cache.healthCheck(MAX_TIMER_MS).name).toBe('cache.tiered:conv');
  });
});

describe('TieredCache monitor and signal checks (the kit)', () => {
  it('refuses a monitor with the kit message, and a monitor whose getter throws as a TypeError', () => {
    expect(() => make({ monitor: { record: 1 } as never })).toThrow(new TypeError('Expected `monitor` to be a Monitor (an object with a record method), got an object'));
    const hostile = new Proxy({}, { get: () => { throw new Error('trap'); } });
    expect(() => make({ monitor: hostile as never })).toThrow(TypeError);
  });

  it('accepts an AbortSignal that is not this realm\'s class (another realm, a polyfill) and refuses a half look-alike', async () => {
    const cache = make<number>();
    // Recognised by its shape, as the kit's expectSignal does: `instanceof AbortSignal` fails across realms.
    const target = new EventTarget();
    const foreign = { aborted: false, reason: undefined, addEventListener: target.addEventListener.bind(target), removeEventListener: target.removeEventListener.bind(target) };
    expect(foreign instanceof AbortSignal).toBe(false);
    expect(await cache.getOrLoad('k', () => Promise.resolve(7), { signal: foreign as unknown as AbortSignal })).toBe(7);
    await expect(async () => cache.getOrLoad('j', () => Promise.resolve(1), { signal: { aborted: false } as never })).rejects.toThrow(TypeError);
  });
});

describe('closed and Symbol.asyncDispose', () => {
  it('TieredCache exposes closed and closes with await using', async () => {
    const l2 = new MemoryBackend();
    const bus = new MemoryBus();
    let seen: TieredCache<number> | undefined;
    {
      await using cache = new TieredCache<number>({ l2, bus, namespace: 'disposed' });
      seen = cache;
      expect(cache.closed).toBe(false);
      await cache.set('k', 1);
    }
    expect(seen.closed).toBe(true);
    await expect(seen.get('k')).rejects.toMatchObject({ code: 'CACHE_CLOSED' });
    // The root cache closed its L2 and its bus.
    expect(l2.closed).toBe(true);
    expect(bus.closed).toBe(true);
  });

  it('MemoryBackend and MemoryBus expose closed and close with await using', async () => {
    let backend: MemoryBackend | undefined;
    let bus: MemoryBus | undefined;
    {
      await using b = new MemoryBackend();
      await using m = new MemoryBus();
      backend = b;
      bus = m;
      expect([b.closed, m.closed]).toEqual([false, false]);
    }
    expect([backend.closed, bus.closed]).toEqual([true, true]);
    await expect(backend.get('k')).rejects.toMatchObject({ code: 'CACHE_CLOSED' });
    await expect(bus.publish({ namespace: 'n', origin: 'o', sentAt: 0, keys: ['k'] })).rejects.toMatchObject({ code: 'CACHE_CLOSED' });
  });
});

describe('one code table, one base class (src/errors.ts)', () => {
  it('every error of the package, tier and Keyv adapter included, is a CacheError with a code from CACHE_ERROR_CODES', async () => {
    const codes = new Set<string>(Object.values(CACHE_ERROR_CODES));
    const cache = make<number>();
    await cache.close();
    const tierError = await cache.get('k').then(() => undefined, (err: unknown) => err);
    const local = new Cache<string, number>({ maxEntries: 1 });
    local.close();
    let localError: unknown;
    try {
      local.set('k', 1);
    } catch (err) {
      localError = err;
    }
    const errors = [tierError, localError, new CacheBackendError('down'), new TieredCacheError('x', 'CACHE_DECODE_FAILED'), new KeyvNamespaceError('bad', '')];
    for (const error of errors) {
      expect(error).toBeInstanceOf(CacheError);
      expect(codes.has((error as CacheError).code) ? 'in table' : (error as CacheError).code).toBe('in table');
    }
    for (const [key, code] of Object.entries(CACHE_ERROR_CODES)) expect(code).toBe(key);
    expect([...codes].every((code) => code.startsWith('CACHE_'))).toBe(true);
  });
});

describe('hostile rejection values from a store, a bus and L2', () => {
  /** An error whose every getter throws: reading its message used to throw inside the tier's error handling. */
  const hostileError = (): Error =>
    Object.create(Error.prototype, {
      message: { get: () => { throw new Error('message getter'); } },
      name: { get: () => { throw new Error('name getter'); } },
      code: { get: () => { throw new Error('code getter'); } },
    }) as Error;

  it('become coded errors and readable events, with no unhandled rejection', async () => {
    const uncaught = watchUncaught();
    try {
      const monitor = new MemoryMonitor();
      const inner = new MemoryBus();
      const bus: InvalidationBus = {
        get state() {
          return inner.state;
        },
        publish: () => Promise.reject(hostileError()),
        subscribe: (listener) => inner.subscribe(listener),
        close: () => inner.close(),
      };
      const store = { set: () => Promise.reject(hostileError()), delete: () => Promise.resolve() };
      const cache = make<number>({ bus, monitor, store, l1: false });
      await expect(cache.set('k', 1)).rejects.toMatchObject({ code: 'CACHE_STORE_WRITE_FAILED' });
      expect(monitor.events(CACHE_EVENTS.tieredStoreFailed)[0]!.data.error).toBe('an unreadable value');
      await cache.delete('k'); // publishes an invalidation, which the bus refuses
      await new Promise((resolve) => setImmediate(resolve));
      expect(monitor.events(CACHE_EVENTS.tieredBusPublishFailed)[0]!.data.error).toBe('an unreadable value');

      const l2 = new Proxy(new MemoryBackend(), {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown;
          if (prop === 'get') return () => Promise.reject(hostileError());
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      const failing = make<number>({ l2, namespace: 'hostile-l2', circuitBreaker: false });
      await expect(failing.get('k')).rejects.toMatchObject({ code: 'CACHE_BACKEND_UNAVAILABLE', message: 'L2 get failed: an unreadable value' });
    } finally {
      uncaught.stop();
    }
    expect(uncaught.errors).toEqual([]);
  });
});
