import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import { POOL_CLOSED, POOL_LOAN_RELEASED, POOL_QUEUE_FULL, POOL_TIMEOUT, Pool, type PooledConnection } from '../src/index.js';
import { FakeManager, deferred, flush, type FakeConnection } from './helpers.js';

describe('Pool.acquire', () => {
  let manager: FakeManager;
  beforeEach(() => {
    jest.useFakeTimers();
    manager = new FakeManager();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('creates a connection on demand and reuses it after release', async () => {
    const pool = new Pool(manager, { maxSize: 2 });
    const first = await pool.acquire();
    const id = first.connection.id;
    first.release();
    const second = await pool.acquire();
    expect(second.connection.id).toBe(id);
    expect(manager.creates).toBe(1);
    second.release();
    expect(pool.stats()).toMatchObject({ size: 1, idle: 1, borrowed: 0, acquired: 2 });
    await pool.close();
  });

  it('lends the most recently used idle connection first', async () => {
    const pool = new Pool(manager, { maxSize: 3 });
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    const lastReturned = b.connection;
    a.release();
    b.release();
    const next = await pool.acquire();
    expect(next.connection).toBe(lastReturned);
    next.release();
    await pool.close();
  });

  it('treats a second release or destroy as a counted no-op that never touches the next borrower', async () => {
    const pool = new Pool(manager, { maxSize: 1 });
    const loan = await pool.acquire();
    loan.release();
    const next = await pool.acquire();
    loan.release();
    loan.destroy();
    await loan[Symbol.asyncDispose]();
    expect(pool.stats()).toMatchObject({ borrowed: 1, doubleReleases: 3 });
    expect(next.connection.destroyed).toBe(false);
    next.destroy();
    next.release();
    expect(pool.stats()).toMatchObject({ size: 0, borrowed: 0, doubleReleases: 4 });
    await pool.close();
  });

  it('refuses reads of .connection after the loan ended', async () => {
    const pool = new Pool(manager);
    const loan = await pool.acquire();
    expect(loan.isReleased).toBe(false);
    loan.release();
    expect(loan.isReleased).toBe(true);
    expect(() => loan.connection).toThrow(expect.objectContaining({ code: POOL_LOAN_RELEASED }));
    await pool.close();
  });

  it('releases on `using` and `await using` disposal', async () => {
    const pool = new Pool(manager, { maxSize: 1 });
    {
      const loan = await pool.acquire();
      loan[Symbol.dispose]();
    }
    {
      const loan = await pool.acquire();
      await loan[Symbol.asyncDispose]();
    }
    expect(pool.stats()).toMatchObject({ idle: 1, borrowed: 0, doubleReleases: 0 });
    await pool.close();
  });

  it('destroys a loan on destroy() and replaces it for the next caller', async () => {
    const pool = new Pool(manager, { maxSize: 1 });
    const loan = await pool.acquire();
    const conn = loan.connection;
    loan.destroy(new Error('broken'));
    expect(conn.destroyed).toBe(true);
    const next = await pool.acquire();
    expect(next.connection).not.toBe(conn);
    next.release();
    await pool.close();
  });

  it('queues callers when every connection is borrowed and serves them on release', async () => {
    const pool = new Pool(manager, { maxSize: 1 });
    const held = await pool.acquire();
    const conn = held.connection;
    const waiting = pool.acquire();
    await flush();
    expect(pool.stats().waiting).toBe(1);
    jest.advanceTimersByTime(7);
    held.release();
    const served = await waiting;
    expect(served.connection).toBe(conn);
    expect(pool.stats().acquireWait.max).toBeGreaterThanOrEqual(7);
    served.release();
    await pool.close();
  });

  it('rejects with POOL_TIMEOUT in the queue phase when the pool is full', async () => {
    const pool = new Pool(manager, { maxSize: 1, acquireTimeoutMs: 100 });
    const held = await pool.acquire();
    const waiting = pool.acquire();
    const outcome = waiting.catch((error: unknown) => error);
    await flush(100);
    const error = (await outcome) as Error & { phase: string };
    expect(isPatinoxError(error, POOL_TIMEOUT)).toBe(true);
    expect(error.phase).toBe('queue');
    expect(pool.stats()).toMatchObject({ waiting: 0, timeouts: 1, borrowed: 1 });
    held.release();
    await pool.close();
  });

  it('honours a per-call timeoutMs shorter than the pool default', async () => {
    const pool = new Pool(manager, { maxSize: 1, acquireTimeoutMs: 10_000 });
    const held = await pool.acquire();
    const long = pool.acquire();
    const short = pool.acquire({ timeoutMs: 50 }).catch((error: unknown) => error);
    await flush(50);
    expect(isPatinoxError(await short, POOL_TIMEOUT)).toBe(true);
    held.release();
    (await long).release();
    await pool.close();
  });

  it('times a caller queued behind others from its own acquire, never earlier, within the event-loop turn', async () => {
    const pool = new Pool(manager, { maxSize: 1, acquireTimeoutMs: 100 });
    const held = await pool.acquire();
    const first = pool.acquire().catch((error: unknown) => error);
    jest.advanceTimersByTime(60);
    // Queued behind `first`: stamped by the pool's next clock read, at the end of this turn at the latest.
    let settled = false;
    const second = pool.acquire().catch((error: unknown) => error);
    void second.then(() => (settled = true));
    await flush(40);
    expect(isPatinoxError(await first, POOL_TIMEOUT)).toBe(true);
    await flush(59);
    expect(settled).toBe(false);
    await flush(1);
    const error = (await second) as Error & { context: { waitedMs: number } };
    expect(isPatinoxError(error, POOL_TIMEOUT)).toBe(true);
    expect(error.context.waitedMs).toBe(100);
    held.release();
    await pool.close();
  });

  it('records the waits of callers served from the queue, however many are served in one synchronous run', async () => {
    const pool = new Pool(manager, { maxSize: 1 });
    const held = await pool.acquire();
    const queued = Array.from({ length: 100 }, () => pool.acquire());
    await flush(30);
    let loan = held;
    for (const next of queued) {
      loan.release();
      loan = await next;
    }
    loan.release();
    const { acquireWait } = pool.stats();
    expect(acquireWait.count).toBe(101);
    expect(acquireWait.p50).toBeCloseTo(30, 0);
    expect(acquireWait.max).toBeCloseTo(30, 0);
    await pool.close();
  });

  it('rejects with the signal reason when the signal aborts, before or while waiting', async () => {
    const pool = new Pool(manager, { maxSize: 1 });
    const held = await pool.acquire();
    const controller = new AbortController();
    const pending = pool.acquire({ signal: controller.signal }).catch((error: unknown) => error);
    controller.abort(new Error('stop'));
    expect(await pending).toEqual(new Error('stop'));
    await expect(pool.acquire({ signal: controller.signal })).rejects.toThrow('stop');
    expect(pool.stats()).toMatchObject({ waiting: 0, aborted: 1 });
    held.release();
    await pool.close();
  });

  it('turns callers away with POOL_QUEUE_FULL beyond maxWaiters', async () => {
    const pool = new Pool(manager, { maxSize: 1, maxWaiters: 1 });
    const held = await pool.acquire();
    const queued = pool.acquire();
    await expect(pool.acquire()).rejects.toMatchObject({ code: POOL_QUEUE_FULL });
    held.release();
    (await queued).release();
    await pool.close();
  });

  it('counts toward maxWaiters only callers that wait for a busy connection, not for one being opened for them', async () => {
    const pool = new Pool(manager, { maxSize: 2, maxWaiters: 0 });
    // A fresh pool with maxWaiters 0 still opens connections up to maxSize.
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    // Both are borrowed now: a third caller would have to queue.
    await expect(pool.acquire()).rejects.toMatchObject({ code: POOL_QUEUE_FULL });
    a.release();
    // With one idle, it is lent at once.
    const c = await pool.acquire({ timeoutMs: 100 });
    c.release();
    b.release();
    await pool.close();
    const wider = new Pool(manager, { maxSize: 5, maxWaiters: 1 });
    const settled: string[] = [];
    const calls = Array.from({ length: 7 }, (_, i) =>
      wider.acquire().then(
        (loan) => {
          settled.push(`lent ${i}`);
          return loan;
        },
        (error: { code: string }) => {
          settled.push(`${error.code} ${i}`);
        },
      ),
    );
    await flush(0);
    // Five callers get a connection opened for them, one queues for a busy one, the seventh is refused.
    expect(settled.sort()).toEqual(['POOL_QUEUE_FULL 6', 'lent 0', 'lent 1', 'lent 2', 'lent 3', 'lent 4']);
    (await calls[0])!.release();
    expect(await calls[5]).toBeDefined();
    await wider.close({ deadlineMs: 0 });
  });

  it('serves the newest waiter first when fairQueue is false', async () => {
    const pool = new Pool(manager, { maxSize: 1, fairQueue: false });
    const held = await pool.acquire();
    const order: number[] = [];
    const waits = [1, 2, 3].map((n) => pool.acquire().then((loan) => {
      order.push(n);
      loan.release();
    }));
    await flush();
    held.release();
    await Promise.all(waits);
    expect(order).toEqual([3, 2, 1]);
    await pool.close();
  });

  it('use() releases after success and after a throw, and validates a connection whose callback threw', async () => {
    const isValid = jest.fn(() => true);
    manager.validImpl = isValid;
    const pool = new Pool(manager, { maxSize: 1 });
    await expect(pool.use((c) => c.id)).resolves.toBe(1);
    await expect(pool.use(() => Promise.reject(new Error('query failed')))).rejects.toThrow('query failed');
    expect(pool.stats()).toMatchObject({ borrowed: 0, idle: 1 });
    expect(isValid).not.toHaveBeenCalled();
    await pool.use((c) => c.id);
    expect(isValid).toHaveBeenCalledTimes(1);
    await pool.close();
  });

  it('validates an idle connection on borrow only outside the skip window', async () => {
    const isValid = jest.fn(() => true);
    manager.validImpl = isValid;
    const pool = new Pool(manager, { maxSize: 1, validationSkipWindowMs: 100, healthCheckIntervalMs: 0, idleTimeoutMs: 0 });
    (await pool.acquire()).release();
    (await pool.acquire()).release();
    expect(isValid).not.toHaveBeenCalled();
    await flush(150);
    (await pool.acquire()).release();
    expect(isValid).toHaveBeenCalledTimes(1);
    await pool.close();
  });

  it('waits for an async isValid and replaces a connection that fails it', async () => {
    let valid = true;
    manager.validImpl = () => Promise.resolve(valid);
    const pool = new Pool(manager, { maxSize: 1, validationSkipWindowMs: 0, healthCheckIntervalMs: 0 });
    const first = await pool.acquire();
    const conn = first.connection;
    first.release();
    await flush(1);
    const second = await pool.acquire();
    expect(second.connection).toBe(conn);
    second.release();
    valid = false;
    await flush(1);
    const third = await pool.acquire();
    expect(third.connection).not.toBe(conn);
    expect(conn.destroyed).toBe(true);
    expect(pool.stats().validationFailures).toBe(1);
    third.release();
    await pool.close();
  });

  it('starts one async check per waiting caller, not one per idle connection', async () => {
    const isValid = jest.fn(() => Promise.resolve(true));
    manager.validImpl = isValid;
    const pool = new Pool(manager, { maxSize: 3, validationSkipWindowMs: 0, healthCheckIntervalMs: 0 });
    const loans = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const loan of loans) loan.release();
    await flush(1);
    const loan = await pool.acquire();
    expect(isValid).toHaveBeenCalledTimes(1);
    expect(pool.stats()).toMatchObject({ idle: 2, borrowed: 1 });
    loan.release();
    await pool.close();
  });

  it('lends without isValid when validateOnBorrow is false', async () => {
    const isValid = jest.fn(() => false);
    manager.validImpl = isValid;
    const pool = new Pool(manager, { validateOnBorrow: false, healthCheckIntervalMs: 0 });
    (await pool.acquire()).release();
    await flush(10_000);
    (await pool.acquire()).release();
    expect(isValid).not.toHaveBeenCalled();
    await pool.close();
  });

  it('recycles a returned connection before lending it again, and destroys it when recycle throws', async () => {
    const recycle = jest.fn((_c: FakeConnection): void | Promise<void> => undefined);
    const pool = new Pool({ ...bind(manager), recycle }, { maxSize: 1 });
    const loan = await pool.acquire();
    const conn = loan.connection;
    loan.release();
    expect(recycle).toHaveBeenCalledWith(conn);
    recycle.mockImplementation(() => Promise.resolve());
    const again = await pool.acquire();
    expect(again.connection).toBe(conn);
    const waiter = pool.acquire();
    again.release();
    await flush();
    const third = await waiter;
    expect(third.connection).toBe(conn);
    recycle.mockImplementation(() => {
      throw new Error('cannot reset');
    });
    third.release();
    expect(conn.destroyed).toBe(true);
    expect(pool.stats()).toMatchObject({ size: 0, borrowed: 0 });
    await pool.close();
  });

  it('rejects at once after close()', async () => {
    const pool = new Pool(manager);
    await pool.close();
    await expect(pool.acquire()).rejects.toMatchObject({ code: POOL_CLOSED });
    await expect(pool.acquire({ timeoutMs: 5 })).rejects.toMatchObject({ code: POOL_CLOSED });
  });

  it('hands a connection created for a waiter to that waiter', async () => {
    const gate = deferred<FakeConnection>();
    manager.createImpl = () => gate.promise;
    const pool = new Pool(manager, { maxSize: 1 });
    const pending = pool.acquire();
    await flush();
    expect(pool.stats()).toMatchObject({ size: 1, pendingCreates: 1, waiting: 1 });
    gate.resolve(manager.make());
    const loan: PooledConnection<FakeConnection> = await pending;
    expect(loan.connection.id).toBe(1);
    loan.release();
    await pool.close();
  });
});

/** The fake manager as a plain object, so tests can add or replace methods. */
function bind(manager: FakeManager) {
  return {
    create: (signal: AbortSignal) => manager.create(signal),
    isValid: (c: FakeConnection) => manager.isValid(c),
    destroy: (c: FakeConnection) => manager.destroy(c),
  };
}
