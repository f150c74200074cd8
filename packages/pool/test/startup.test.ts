import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { PatinoxError } from '@patinox/errors';
import { POOL_CLOSED, POOL_MANAGER_ERROR, POOL_STARTUP_FAILED, POOL_TIMEOUT, Pool } from '../src/index.js';
import { FakeManager, deferred, flush, type FakeConnection } from './helpers.js';

let manager: FakeManager;
beforeEach(() => {
  jest.useFakeTimers();
  manager = new FakeManager();
});
afterEach(() => {
  jest.useRealTimers();
});

describe('Pool start-up (initialSize, ready)', () => {
  it('opens initialSize connections at once and resolves ready() when they exist', async () => {
    const creates: ReturnType<typeof deferred<FakeConnection>>[] = [];
    manager.createImpl = () => {
      const d = deferred<FakeConnection>();
      creates.push(d);
      return d.promise;
    };
    const pool = new Pool(manager, { initialSize: 3, maxSize: 5 });
    expect(creates).toHaveLength(3);
    let ready = false;
    void pool.ready().then(() => (ready = true));
    creates[0]!.resolve(manager.make());
    creates[1]!.resolve(manager.make());
    await flush(0);
    expect(ready).toBe(false);
    creates[2]!.resolve(manager.make());
    await flush(0);
    expect(ready).toBe(true);
    expect(pool.stats()).toMatchObject({ size: 3, idle: 3 });
    // Later calls resolve at once.
    await expect(pool.ready()).resolves.toBeUndefined();
    await pool.close();
  });

  it('lets idle connections above minSize age out after start-up', async () => {
    const pool = new Pool(manager, { initialSize: 3, minSize: 1, idleTimeoutMs: 1000, healthCheckIntervalMs: 0 });
    await pool.ready();
    expect(pool.stats().size).toBe(3);
    await flush(1500);
    expect(pool.stats()).toMatchObject({ size: 1, idle: 1 });
    await pool.close();
  });

  it('resolves ready() at once when initialSize is 0, and defaults initialSize to minSize', async () => {
    const empty = new Pool(manager);
    await expect(empty.ready()).resolves.toBeUndefined();
    expect(manager.creates).toBe(0);
    const warm = new Pool(manager, { minSize: 2 });
    await warm.ready();
    expect(manager.creates).toBe(2);
    await Promise.all([empty.close(), warm.close()]);
  });

  it('keeps retrying without failFast and rejects ready() with POOL_TIMEOUT and the connect error as cause', async () => {
    manager.createImpl = () => Promise.reject(new Error('ECONNREFUSED'));
    const pool = new Pool(manager, { initialSize: 2, createRetryDelayMs: 10 });
    const outcome = pool.ready({ timeoutMs: 500 }).catch((e: unknown) => e);
    await flush(499);
    expect(manager.creates).toBeGreaterThan(3);
    await flush(1);
    expect(await outcome).toMatchObject({ code: POOL_TIMEOUT, phase: 'connect', cause: { message: 'ECONNREFUSED' } });
    // The pool itself recovers once the server comes back.
    manager.createImpl = () => Promise.resolve(manager.make());
    await flush(6000);
    await expect(pool.ready()).resolves.toBeUndefined();
    await pool.close();
  });

  it('with failFast rejects ready() at the first failed create with POOL_STARTUP_FAILED', async () => {
    manager.createImpl = () => Promise.reject(new Error('password authentication failed'));
    const pool = new Pool(manager, { initialSize: 2, failFast: true });
    const error = await pool.ready().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: POOL_STARTUP_FAILED, recovery: 'fail', cause: { message: 'password authentication failed' } });
    await pool.close();
  });

  it('rejects ready() with POOL_MANAGER_ERROR when create fails permanently, even without failFast', async () => {
    manager.createImpl = () => Promise.reject(new PatinoxError('no such database', { code: 'DB', recovery: 'fail' }));
    const pool = new Pool(manager, { initialSize: 1 });
    await expect(pool.ready()).rejects.toMatchObject({ code: POOL_MANAGER_ERROR, cause: { code: 'DB' } });
    await pool.close();
  });

  it('rejects ready() with the abort reason or POOL_CLOSED, leaving no timer behind', async () => {
    manager.createImpl = () => new Promise<FakeConnection>(() => undefined);
    const pool = new Pool(manager, { initialSize: 1, createTimeoutMs: 100_000 });
    const controller = new AbortController();
    const aborted = pool.ready({ signal: controller.signal }).catch((e: unknown) => e);
    const closed = pool.ready().catch((e: unknown) => e);
    controller.abort(new Error('gave up'));
    expect(await aborted).toMatchObject({ message: 'gave up' });
    await expect(pool.ready({ signal: AbortSignal.abort('already') })).rejects.toBe('already');
    await pool.close({ deadlineMs: 0 });
    expect(await closed).toMatchObject({ code: POOL_CLOSED });
    await expect(pool.ready()).rejects.toMatchObject({ code: POOL_CLOSED });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('refuses an initialSize above maxSize and malformed ready options', () => {
    expect(() => new Pool(manager, { initialSize: 11 })).toThrow(RangeError);
    expect(() => new Pool(manager, { initialSize: 11 })).toThrow(/`initialSize` to be at most `maxSize` \(10\)/);
    expect(() => new Pool(manager, { initialSize: -1 })).toThrow(RangeError);
    expect(() => new Pool(manager, { failFast: 'yes' as never })).toThrow(TypeError);
    const pool = new Pool(manager);
    expect(() => pool.ready({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => pool.ready({ signal: 'x' as never })).toThrow(TypeError);
    expect(() => pool.ready(null as never)).toThrow(TypeError);
    return pool.close();
  });
});
