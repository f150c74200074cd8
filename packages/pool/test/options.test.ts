import { describe, expect, it } from '@jest/globals';
import { Pool, type ConnectionManager } from '../src/index.js';

const manager: ConnectionManager<object> = { create: () => Promise.resolve({}), isValid: () => true, destroy: () => undefined };

describe('Pool options', () => {
  it.each([
    [{ maxSize: -1 }, 'Expected `maxSize` to be a positive integer, got -1 (number)'],
    [{ minSize: 1.5 }, 'Expected `minSize` to be a non-negative integer, got 1.5 (number)'],
    [{ minSize: 5, maxSize: 2 }, 'Expected `minSize` to be at most `maxSize` (2), got 5 (number)'],
    [{ acquireTimeoutMs: Infinity }, 'Expected `acquireTimeoutMs` to be a positive finite number, got Infinity (number)'],
    [{ createTimeoutMs: 0 }, 'Expected `createTimeoutMs` to be a positive finite number, got 0 (number)'],
    [{ idleTimeoutMs: -1 }, 'Expected `idleTimeoutMs` to be a non-negative finite number, got -1 (number)'],
    [{ maxLifetimeMs: '1' }, 'Expected `maxLifetimeMs` to be a non-negative finite number, got "1" (string)'],
    [{ healthCheckIntervalMs: NaN }, 'Expected `healthCheckIntervalMs` to be a non-negative finite number, got NaN (number)'],
    [{ validateOnBorrow: 1 }, 'Expected `validateOnBorrow` to be a boolean, got 1 (number)'],
    [{ validationSkipWindowMs: -5 }, 'Expected `validationSkipWindowMs` to be a non-negative finite number, got -5 (number)'],
    [{ fairQueue: 'yes' }, 'Expected `fairQueue` to be a boolean, got "yes" (string)'],
    [{ maxWaiters: -1 }, 'Expected `maxWaiters` to be a non-negative integer, got -1 (number)'],
    [{ leakDetectionMs: -1 }, 'Expected `leakDetectionMs` to be a non-negative finite number, got -1 (number)'],
    [{ createRetryDelayMs: 0 }, 'Expected `createRetryDelayMs` to be a positive finite number, got 0 (number)'],
    [{ createRetryDelayMs: 500, createRetryMaxDelayMs: 100 }, 'Expected `createRetryMaxDelayMs` to be at least `createRetryDelayMs` (500), got 100 (number)'],
    [{ name: '' }, 'Expected `name` to be a non-empty string, got "" (string)'],
    [{ monitor: {} }, 'Expected `monitor` to be a Monitor (an object with a record function), got an object'],
    [{ random: 3 }, 'Expected `random` to be a function, got 3 (number)'],
  ])('rejects %j with the house message', (options, message) => {
    expect(() => new Pool(manager, options as never)).toThrow(message);
  });

  it('rejects a malformed manager', () => {
    expect(() => new Pool(null as never)).toThrow('Expected `manager` to be an object, got null');
    expect(() => new Pool({ ...manager, create: 1 } as never)).toThrow('Expected `manager.create` to be a function, got 1 (number)');
    expect(() => new Pool({ ...manager, recycle: 'x' } as never)).toThrow('Expected `manager.recycle` to be a function');
    expect(() => new Pool({ ...manager, watch: 1 } as never)).toThrow('Expected `manager.watch` to be a function');
    expect(() => new Pool({ ...manager, connectTimeoutMs: -1 })).toThrow('Expected `manager.connectTimeoutMs` to be a positive finite number');
    expect(() => new Pool(manager, null as never)).toThrow('Expected `options` to be an object, got null');
  });

  it('rejects malformed acquire, use and close arguments', async () => {
    const pool = new Pool(manager, { maxWaiters: Infinity });
    expect(() => pool.acquire({ timeoutMs: 0 })).toThrow('Expected `timeoutMs` to be a positive finite number, got 0 (number)');
    expect(() => pool.acquire('x' as never)).toThrow('Expected `options` to be an object, got "x" (string)');
    expect(() => pool.acquire({ signal: {} as never })).toThrow('Expected `signal` to be an AbortSignal, got an object');
    await expect(pool.use(undefined as never)).rejects.toThrow('Expected `fn` to be a function, got undefined');
    expect(() => pool.close({ deadlineMs: -1 })).toThrow('Expected `deadlineMs` to be a non-negative finite number, got -1 (number)');
    await pool.close();
  });

  it('takes createTimeoutMs from the manager when the option is absent', async () => {
    const pool = new Pool({ ...manager, connectTimeoutMs: 1234 });
    expect(pool.stats().maxSize).toBe(10);
    await pool.close();
  });
});
