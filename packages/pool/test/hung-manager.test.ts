import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryMonitor, checkHealth } from '@patinox/monitor';
import { POOL_TIMEOUT, Pool } from '../src/index.js';
import { FakeManager, flush, type FakeConnection } from './helpers.js';

function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

describe('Pool with a manager that never answers', () => {
  let manager: FakeManager;
  beforeEach(() => {
    jest.useFakeTimers();
    manager = new FakeManager();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('close({ deadlineMs }) resolves by its deadline although destroy never settles, and leaves no timer', async () => {
    Object.assign(manager, {
      destroy: (connection: FakeConnection): Promise<void> => {
        connection.destroyed = true;
        return never();
      },
    });
    const pool = new Pool(manager, { maxSize: 2, createTimeoutMs: 10_000, destroyTimeoutMs: 10_000 });
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    a.release();
    b.release();
    let report: unknown;
    void pool.close({ deadlineMs: 200 }).then((r) => (report = r));
    await flush(199);
    expect(report).toBeUndefined();
    await flush(1);
    expect(report).toEqual({ leaked: [], timedOut: true, unsettledDestroys: 2 });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops waiting for a hung destroy after destroyTimeoutMs, counts it and reports it', async () => {
    const monitor = new MemoryMonitor();
    Object.assign(manager, { destroy: (): Promise<void> => never() });
    const pool = new Pool(manager, { maxSize: 1, destroyTimeoutMs: 300, monitor });
    const loan = await pool.acquire();
    loan.destroy(new Error('broken'));
    await flush(299);
    expect(pool.stats().destroyTimeouts).toBe(0);
    await flush(1);
    expect(pool.stats().destroyTimeouts).toBe(1);
    expect(monitor.events('pool.manager.error').map((e) => e.data.operation)).toEqual(['destroy']);
    // Nothing left to wait for: close is immediate.
    await expect(pool.close({ deadlineMs: 5000 })).resolves.toEqual({ leaked: [], timedOut: false, unsettledDestroys: 0 });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('abandons a hung isValid after validationTimeoutMs, destroys its connection and gives the capacity back', async () => {
    const monitor = new MemoryMonitor();
    const pool = new Pool(manager, { maxSize: 2, validationSkipWindowMs: 0, acquireTimeoutMs: 1000, validationTimeoutMs: 200, monitor });
    const first = await pool.acquire();
    const hung = first.connection;
    first.release();
    manager.validImpl = (connection) => (connection === hung ? never() : true);
    await flush(10);
    // The first caller gives up while the check of the idle connection hangs.
    const gaveUp = pool.acquire({ timeoutMs: 100 });
    const gaveUpResult = expect(gaveUp).rejects.toMatchObject({ code: POOL_TIMEOUT });
    await flush(100);
    await gaveUpResult;
    // The next caller is served once the check is abandoned, by a new connection in the freed place.
    const next = pool.acquire();
    await flush(100);
    const loan = await next;
    expect(loan.connection).not.toBe(hung);
    expect(hung.destroyed).toBe(true);
    expect(pool.stats()).toMatchObject({ validationTimeouts: 1, validationFailures: 1, size: 1, borrowed: 1 });
    expect(monitor.events('pool.validation.failed')[0]!.data).toMatchObject({ timedOut: true });
    loan.release();
    await pool.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('bounds a hung recycle by validationTimeoutMs too', async () => {
    const recycling = Object.assign(manager, { recycle: (): Promise<void> => never() });
    const pool = new Pool(recycling, { maxSize: 1, validationTimeoutMs: 50 });
    const loan = await pool.acquire();
    const conn = loan.connection;
    loan.release();
    const next = pool.acquire();
    await flush(50);
    const second = await next;
    expect(conn.destroyed).toBe(true);
    expect(second.connection).not.toBe(conn);
    expect(pool.stats().validationTimeouts).toBe(1);
    second.release();
    await flush(50);
    expect(pool.stats()).toMatchObject({ validationTimeouts: 2, size: 0 });
    await expect(pool.close()).resolves.toEqual({ leaked: [], timedOut: false, unsettledDestroys: 0 });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('close stops the timer of a check still pending', async () => {
    const pool = new Pool(manager, { maxSize: 1, validationSkipWindowMs: 0, validationTimeoutMs: 60_000 });
    const first = await pool.acquire();
    first.release();
    manager.validImpl = () => never();
    await flush(1);
    const waiting = pool.acquire().catch((error: unknown) => error);
    await flush(0);
    await pool.close({ deadlineMs: 0 });
    expect(await waiting).toMatchObject({ code: 'POOL_CLOSED' });
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('Pool.healthCheck', () => {
  let manager: FakeManager;
  beforeEach(() => {
    jest.useFakeTimers();
    manager = new FakeManager();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('reports up, degraded when saturated with waiters, and down once closed, in the monitor shape', async () => {
    const pool = new Pool(manager, { name: 'db', maxSize: 1 });
    const check = pool.healthCheck();
    expect(check.name).toBe('pool:db');
    expect(await check.check(new AbortController().signal)).toMatchObject({ status: 'up' });
    const loan = await pool.acquire();
    const waiter = pool.acquire();
    expect(await check.check(new AbortController().signal)).toMatchObject({ status: 'degraded', details: { reason: 'saturated', waiting: 1 } });
    loan.release();
    (await waiter).release();
    void pool.close();
    const report = await checkHealth([check]);
    expect(report).toMatchObject({ status: 'down', checks: [{ name: 'pool:db', status: 'down', details: { reason: 'closed' } }] });
  });

  it('reports down while no connection can be opened', async () => {
    manager.createImpl = () => Promise.reject(new Error('ECONNREFUSED'));
    const pool = new Pool(manager, { minSize: 1, createRetryDelayMs: 1000 });
    await flush(0);
    expect(await pool.healthCheck().check(new AbortController().signal)).toMatchObject({ status: 'down', details: { reason: 'cannot create connections', createFailures: 1 } });
    await pool.close();
  });
});
