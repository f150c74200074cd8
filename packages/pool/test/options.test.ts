import { describe, expect, it } from '@jest/globals';
import type { TraceHook } from '@patinox/monitor';
import { Pool, type ConnectionManager } from '../src/index.js';
import { useRedis } from '../src/ioredis/index.js';

const manager: ConnectionManager<object> = { create: () => Promise.resolve({}), isValid: () => true, destroy: () => undefined };

describe('Pool options', () => {
  it.each([
    [{ maxSize: -1 }, 'Expected `maxSize` to be a positive integer, got -1 (number)'],
    [{ minSize: 1.5 }, 'Expected `minSize` to be a non-negative integer, got 1.5 (number)'],
    [{ minSize: 5, maxSize: 2 }, 'Expected `minSize` to be at most `maxSize` (2), got 5 (number)'],
    [{ acquireTimeoutMs: Infinity }, 'Expected `acquireTimeoutMs` to be a positive number of ms at most 2147483647, got Infinity (number)'],
    [{ createTimeoutMs: 0 }, 'Expected `createTimeoutMs` to be a positive number of ms at most 2147483647, got 0 (number)'],
    [{ idleTimeoutMs: -1 }, 'Expected `idleTimeoutMs` to be a non-negative number of ms at most 2147483647, got -1 (number)'],
    [{ maxLifetimeMs: '1' }, 'Expected `maxLifetimeMs` to be a non-negative number of ms at most 2147483647, got "1" (string)'],
    [{ healthCheckIntervalMs: NaN }, 'Expected `healthCheckIntervalMs` to be a non-negative number of ms at most 2147483647, got NaN (number)'],
    [{ validateOnBorrow: 1 }, 'Expected `validateOnBorrow` to be a boolean, got 1 (number)'],
    [{ validationSkipWindowMs: -5 }, 'Expected `validationSkipWindowMs` to be a non-negative finite number, got -5 (number)'],
    [{ fairQueue: 'yes' }, 'Expected `fairQueue` to be a boolean, got "yes" (string)'],
    [{ maxWaiters: -1 }, 'Expected `maxWaiters` to be a non-negative integer, got -1 (number)'],
    [{ leakDetectionMs: -1 }, 'Expected `leakDetectionMs` to be a non-negative number of ms at most 2147483647, got -1 (number)'],
    [{ createRetryDelayMs: 0 }, 'Expected `createRetryDelayMs` to be a positive number of ms at most 2147483647, got 0 (number)'],
    [{ createRetryDelayMs: 500, createRetryMaxDelayMs: 100 }, 'Expected `createRetryMaxDelayMs` to be at least `createRetryDelayMs` (500), got 100 (number)'],
    [{ name: '' }, 'Expected `name` to be a non-empty string, got "" (string)'],
    [{ monitor: {} }, 'Expected `monitor` to be a Monitor (an object with a record method), got an object'],
    [{ validationTimeoutMs: 0 }, 'Expected `validationTimeoutMs` to be a positive number of ms at most 2147483647, got 0 (number)'],
    [{ destroyTimeoutMs: 'soon' }, 'Expected `destroyTimeoutMs` to be a positive number of ms at most 2147483647, got "soon" (string)'],
    [{ random: 3 }, 'Expected `random` to be a function, got 3 (number)'],
  ])('rejects %j with the house message', (options, message) => {
    expect(() => new Pool(manager, options as never)).toThrow(message);
  });

  it.each([
    ['acquireTimeoutMs', 'a positive'],
    ['createTimeoutMs', 'a positive'],
    ['validationTimeoutMs', 'a positive'],
    ['destroyTimeoutMs', 'a positive'],
    ['createRetryDelayMs', 'a positive'],
    ['createRetryMaxDelayMs', 'a positive'],
    ['idleTimeoutMs', 'a non-negative'],
    ['maxLifetimeMs', 'a non-negative'],
    ['healthCheckIntervalMs', 'a non-negative'],
    ['leakDetectionMs', 'a non-negative'],
  ])('rejects %s above 2^31-1 ms, which Node would turn into 1 ms', (option, kind) => {
    expect(() => new Pool(manager, { [option]: 2 ** 31 })).toThrow(
      new RangeError(`Expected \`${option}\` to be ${kind} number of ms at most 2147483647, got 2147483648 (number)`),
    );
    expect(() => new Pool(manager, { [option]: 2 ** 31 - 1 }).close()).not.toThrow();
  });

  it('rejects timer arguments of acquire, close and the manager above 2^31-1 ms', async () => {
    const pool = new Pool(manager);
    expect(() => pool.acquire({ timeoutMs: 2 ** 31 })).toThrow(RangeError);
    expect(() => pool.close({ deadlineMs: 2 ** 40 })).toThrow(RangeError);
    expect(() => new Pool({ ...manager, connectTimeoutMs: 2 ** 31 })).toThrow(RangeError);
    await pool.close();
  });

  it('rejects a malformed manager', () => {
    expect(() => new Pool(null as never)).toThrow('Expected `manager` to be an object, got null');
    expect(() => new Pool({ ...manager, create: 1 } as never)).toThrow('Expected `manager.create` to be a function, got 1 (number)');
    expect(() => new Pool({ ...manager, recycle: 'x' } as never)).toThrow('Expected `manager.recycle` to be a function');
    expect(() => new Pool({ ...manager, watch: 1 } as never)).toThrow('Expected `manager.watch` to be a function');
    expect(() => new Pool({ ...manager, connectTimeoutMs: -1 })).toThrow('Expected `manager.connectTimeoutMs` to be a positive number of ms');
    expect(() => new Pool(manager, null as never)).toThrow('Expected `options` to be an object, got null');
  });

  it('rejects malformed acquire, use and close arguments', async () => {
    const pool = new Pool(manager, { maxWaiters: Infinity });
    expect(() => pool.acquire({ timeoutMs: 0 })).toThrow('Expected `timeoutMs` to be a positive number of ms at most 2147483647, got 0 (number)');
    expect(() => pool.acquire('x' as never)).toThrow('Expected `options` to be an object, got "x" (string)');
    expect(() => pool.acquire({ signal: {} as never })).toThrow('Expected `signal` to be an AbortSignal, got an object');
    expect(() => pool.use(undefined as never)).toThrow(new TypeError('Expected `fn` to be a function, got undefined'));
    expect(() => pool.close({ deadlineMs: -1 })).toThrow('Expected `deadlineMs` to be a non-negative number of ms at most 2147483647, got -1 (number)');
    await pool.close();
  });

  it('throws argument mistakes of use, useRedis and a traced acquire at once, as acquire does, borrowing nothing', async () => {
    const tracer: TraceHook = { span: (_name, _attributes, fn) => Promise.resolve().then(() => fn({ setAttribute: () => undefined })) };
    const pool = new Pool(manager, { maxSize: 1 });
    const traced = new Pool(manager, { maxSize: 1, tracer });
    expect(() => pool.use(5 as never)).toThrow(new TypeError('Expected `fn` to be a function, got 5 (number)'));
    expect(() => pool.use(() => 1, { timeoutMs: -1 })).toThrow(RangeError);
    expect(() => useRedis(pool as never, 'x' as never)).toThrow(new TypeError('Expected `fn` to be a function, got "x" (string)'));
    expect(() => useRedis(pool as never, () => 1, { priority: 0.5 })).toThrow(RangeError);
    expect(() => traced.acquire({ timeoutMs: 0 })).toThrow(new RangeError('Expected `timeoutMs` to be a positive number of ms at most 2147483647, got 0 (number)'));
    expect(() => traced.acquire(7 as never)).toThrow(new TypeError('Expected `options` to be an object, got 7 (number)'));
    expect(() => traced.use(null as never)).toThrow(TypeError);
    expect(pool.stats().acquired + traced.stats().acquired).toBe(0);
    await expect(traced.use((connection) => connection, { priority: 3 })).resolves.toEqual({});
    await pool.close();
    await traced.close();
  });

  it('takes createTimeoutMs from the manager when the option is absent', async () => {
    const pool = new Pool({ ...manager, connectTimeoutMs: 1234 });
    expect(pool.stats().maxSize).toBe(10);
    await pool.close();
  });
});
