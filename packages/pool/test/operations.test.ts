import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryMonitor } from '@patinox/monitor';
import { POOL_CLOSED, POOL_DRAINING, POOL_TIMEOUT, Pool, type PooledConnection } from '../src/index.js';
import { FakeManager, deferred, flush, type FakeConnection } from './helpers.js';

let manager: FakeManager;
beforeEach(() => {
  jest.useFakeTimers();
  manager = new FakeManager();
});
afterEach(() => {
  jest.useRealTimers();
});

describe('Pool idleOrder', () => {
  async function lendOrder(idleOrder: 'lifo' | 'fifo' | undefined): Promise<number[]> {
    const pool = new Pool(manager, { maxSize: 3, validateOnBorrow: false, ...(idleOrder === undefined ? {} : { idleOrder }) });
    const loans = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    // Returned in the order 1, 2, 3: connection 3 is the most recently used.
    for (const loan of loans) loan.release();
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const loan = await pool.acquire();
      ids.push(loan.connection.id);
      loan.release();
    }
    await pool.close();
    return ids;
  }

  it('lends the most recently used connection first by default (lifo)', async () => {
    expect(await lendOrder(undefined)).toEqual([3, 3, 3, 3, 3]);
    expect(await lendOrder('lifo')).toEqual([6, 6, 6, 6, 6]);
  });

  it('lends the longest idle first with fifo, spreading use over every connection', async () => {
    expect(await lendOrder('fifo')).toEqual([1, 2, 3, 1, 2]);
  });

  it('keeps fifo order across growth, eviction and resize', async () => {
    const pool = new Pool(manager, { maxSize: 20, idleOrder: 'fifo', validateOnBorrow: false, idleTimeoutMs: 0, healthCheckIntervalMs: 0 });
    const first = await Promise.all(Array.from({ length: 6 }, () => pool.acquire()));
    for (const loan of first.slice(0, 3)) loan.release();
    // Ring wraps: lend two, then return them behind the rest.
    const a = await pool.acquire();
    const b = await pool.acquire();
    expect([a.connection.id, b.connection.id]).toEqual([1, 2]);
    for (const loan of first.slice(3)) loan.release();
    a.release();
    b.release();
    // More connections than slots so far: the arrays grow while the ring is wrapped.
    const more = await Promise.all(Array.from({ length: 12 }, () => pool.acquire()));
    expect(more.slice(0, 6).map((l) => l.connection.id)).toEqual([3, 4, 5, 6, 1, 2]);
    const moreIds = more.map((l) => l.connection.id);
    for (const loan of more) loan.release();
    pool.resize({ maxSize: 4 });
    expect(pool.stats()).toMatchObject({ size: 4, idle: 4 });
    const rest: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const loan = await pool.acquire();
      rest.push(loan.connection.id);
    }
    expect(rest).toEqual(moreIds.slice(8));
    await pool.close({ deadlineMs: 0 });
  });

  it('refuses an unknown idleOrder', () => {
    expect(() => new Pool(manager, { idleOrder: 'random' as never })).toThrow(/`idleOrder` to be one of lifo, fifo/);
  });
});

describe('Pool suspend / resume', () => {
  it('makes acquires wait while loans finish, and serves them on resume', async () => {
    const monitor = new MemoryMonitor();
    const pool = new Pool(manager, { maxSize: 2, monitor });
    const held = await pool.acquire();
    (await pool.acquire()).release();
    pool.suspend();
    pool.suspend(); // idempotent
    expect(pool.suspended).toBe(true);
    let served: PooledConnection<FakeConnection> | undefined;
    void pool.acquire().then((loan) => (served = loan));
    held.release();
    await flush(100);
    expect(served).toBeUndefined();
    expect(pool.stats()).toMatchObject({ idle: 2, waiting: 1, suspended: true });
    pool.resume();
    await flush(0);
    expect(served).toBeDefined();
    expect(pool.suspended).toBe(false);
    pool.resume(); // a no-op now
    expect(monitor.events('pool.suspended')).toHaveLength(1);
    expect(monitor.events('pool.resumed')).toHaveLength(1);
    served!.release();
    await pool.close();
  });

  it('times out callers that wait through a long suspension, naming it', async () => {
    const pool = new Pool(manager, { minSize: 1 });
    await pool.ready();
    pool.suspend();
    const outcome = pool.acquire({ timeoutMs: 200 }).catch((e: unknown) => e);
    await flush(200);
    expect(await outcome).toMatchObject({ code: POOL_TIMEOUT, phase: 'queue', context: { suspended: true } });
    expect(manager.creates).toBe(1);
    await pool.close();
  });

  it('throws POOL_CLOSED for suspend or resume after close', async () => {
    const pool = new Pool(manager);
    await pool.close();
    expect(() => pool.suspend()).toThrow(expect.objectContaining({ code: POOL_CLOSED }));
    expect(() => pool.resume()).toThrow(expect.objectContaining({ code: POOL_CLOSED }));
  });

  it('rejects callers waiting in a suspended pool with POOL_CLOSED on close', async () => {
    const pool = new Pool(manager);
    pool.suspend();
    const outcome = pool.acquire().catch((e: unknown) => e);
    await pool.close();
    expect(await outcome).toMatchObject({ code: POOL_CLOSED });
  });
});

describe('Pool evictIdle / softEvictAll', () => {
  it('evictIdle destroys every idle connection now and refills minSize with new ones', async () => {
    const monitor = new MemoryMonitor();
    const pool = new Pool(manager, { minSize: 2, maxSize: 4, monitor });
    await pool.ready();
    const held = await pool.acquire();
    expect(pool.evictIdle()).toBe(1);
    expect(manager.destroyed.map((c) => c.id)).toEqual([1]);
    await flush(0);
    expect(pool.stats()).toMatchObject({ size: 2, idle: 1, evicted: 1 });
    expect(held.connection.destroyed).toBe(false);
    expect(monitor.events('pool.connection.destroyed').map((e) => e.data.reason)).toEqual(['evicted']);
    held.release();
    await pool.close();
  });

  it('softEvictAll retires borrowed, checking and connecting connections when they come back', async () => {
    const check = deferred<boolean>();
    const pool = new Pool(manager, { maxSize: 4, validationSkipWindowMs: 0 });
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    const old = [a.connection, b.connection];
    b.release();
    await flush(10);
    // b's connection is now idle; the next acquire checks it with an isValid that waits.
    manager.validImpl = () => check.promise;
    const checked = pool.acquire();
    await flush(0);
    // And one create in flight.
    const creating = deferred<FakeConnection>();
    manager.createImpl = () => creating.promise;
    const fresh = pool.acquire({ timeoutMs: 5000 });
    await flush(0);
    expect(pool.softEvictAll()).toBe(3);
    expect(pool.stats().evicted).toBe(3);
    // The borrowed one is destroyed on release, not before.
    expect(a.connection.destroyed).toBe(false);
    a.release();
    expect(old[0]!.destroyed).toBe(true);
    // The checked one is destroyed once its check passes; its caller gets a new connection instead.
    manager.createImpl = () => Promise.resolve(manager.make());
    check.resolve(true);
    await flush(0);
    expect(old[1]!.destroyed).toBe(true);
    // The connection whose create was in flight is retired as soon as it arrives.
    const late = manager.make();
    creating.resolve(late);
    await flush(0);
    expect(late.destroyed).toBe(true);
    const loans = await Promise.all([checked, fresh]);
    for (const loan of loans) expect([...old, late]).not.toContain(loan.connection);
    for (const loan of loans) loan.release();
    // Connections made after the call are kept.
    expect(pool.softEvictAll()).toBe(2);
    await pool.close();
  });

  it('throws POOL_CLOSED after close', async () => {
    const pool = new Pool(manager);
    await pool.close();
    expect(() => pool.evictIdle()).toThrow(expect.objectContaining({ code: POOL_CLOSED }));
    expect(() => pool.softEvictAll()).toThrow(expect.objectContaining({ code: POOL_CLOSED }));
  });
});

describe('Pool drain', () => {
  it('refuses new acquires, serves the queued ones, and resolves when every loan is back, without closing', async () => {
    const pool = new Pool(manager, { maxSize: 1 });
    const held = await pool.acquire();
    const queued = pool.acquire();
    let drained = false;
    const draining = pool.drain().then(() => (drained = true));
    expect(pool.draining).toBe(true);
    await expect(pool.acquire()).rejects.toMatchObject({ code: POOL_DRAINING });
    held.release();
    const next = await queued;
    await flush(0);
    expect(drained).toBe(false);
    next.release();
    await draining;
    expect(pool.stats()).toMatchObject({ size: 1, idle: 1, closed: false, draining: true });
    // Again: resolves at once now.
    await pool.drain();
    pool.resume();
    (await pool.acquire()).release();
    await pool.close();
  });

  it('counts a queued caller that times out or aborts as gone', async () => {
    const pool = new Pool(manager, { maxSize: 1 });
    const held = await pool.acquire();
    const controller = new AbortController();
    const a = pool.acquire({ signal: controller.signal }).catch((e: unknown) => e);
    const b = pool.acquire({ timeoutMs: 100 }).catch((e: unknown) => e);
    let drained = false;
    void pool.drain().then(() => (drained = true));
    controller.abort(new Error('stop'));
    await a;
    await flush(100);
    expect(await b).toMatchObject({ code: POOL_TIMEOUT });
    expect(drained).toBe(false);
    held.destroy();
    await flush(0);
    expect(drained).toBe(true);
    await pool.close();
  });

  it('rejects with the abort reason, and ends when the pool closes', async () => {
    const pool = new Pool(manager, { maxSize: 1 });
    const held = await pool.acquire();
    const controller = new AbortController();
    const aborted = pool.drain({ signal: controller.signal }).catch((e: unknown) => e);
    controller.abort(new Error('enough'));
    expect(await aborted).toMatchObject({ message: 'enough' });
    await expect(pool.drain({ signal: AbortSignal.abort('now') })).rejects.toBe('now');
    const waiting = pool.drain();
    void pool.close({ deadlineMs: 0 });
    await expect(waiting).resolves.toBeUndefined();
    await expect(pool.drain()).rejects.toMatchObject({ code: POOL_CLOSED });
    expect(held.isReleased).toBe(false);
  });
});
