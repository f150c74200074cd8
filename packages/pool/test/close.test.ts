import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryMonitor } from '@patinox/monitor';
import { POOL_CLOSED, Pool } from '../src/index.js';
import { FakeManager, deferred, flush, type FakeConnection } from './helpers.js';

describe('Pool.close', () => {
  let manager: FakeManager;
  beforeEach(() => {
    jest.useFakeTimers();
    manager = new FakeManager();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('destroys idle connections at once and borrowed ones when they come back', async () => {
    const pool = new Pool(manager, { maxSize: 2 });
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    a.release();
    const closing = pool.close({ deadlineMs: 1000 });
    expect(pool.closed).toBe(true);
    expect(manager.destroyed).toHaveLength(1);
    b.release();
    await expect(closing).resolves.toEqual({ leaked: [], timedOut: false, unsettledDestroys: 0 });
    expect(manager.destroyed).toHaveLength(2);
    expect(pool.stats()).toMatchObject({ size: 0, closed: true });
  });

  it('reports each loan still out at the deadline with the stack where it was acquired, and destroys it', async () => {
    const monitor = new MemoryMonitor();
    const pool = new Pool(manager, { maxSize: 2, leakDetectionMs: 60_000, monitor });
    const leaky = await acquireInNamedFunction(pool);
    const leakedConnection = leaky.connection;
    const closing = pool.close({ deadlineMs: 500 });
    await flush(500);
    const report = await closing;
    expect(report.timedOut).toBe(true);
    expect(report.leaked).toHaveLength(1);
    expect(report.leaked[0]!.stack).toContain('acquireInNamedFunction');
    expect(report.leaked[0]!.heldMs).toBeGreaterThanOrEqual(500);
    expect(leakedConnection.destroyed).toBe(true);
    expect(monitor.events('pool.leak.reported')).toHaveLength(1);
    // A release after the forced close is a harmless no-op.
    leaky.release();
    expect(pool.stats()).toMatchObject({ size: 0, borrowed: 0 });
  });

  it('reports leaks without stacks when leak detection is off, and closes at once with deadlineMs 0', async () => {
    const pool = new Pool(manager);
    await pool.acquire();
    const report = await pool.close({ deadlineMs: 0 });
    expect(report).toEqual({ leaked: [{ heldMs: undefined, stack: undefined }], timedOut: true, unsettledDestroys: 0 });
  });

  it('makes a loan it reclaimed at the deadline unreadable, and ignores its late release', async () => {
    const pool = new Pool(manager, { maxSize: 1 });
    const leaked = await pool.acquire();
    const first = leaked.connection;
    await pool.close({ deadlineMs: 0 });
    expect(first.destroyed).toBe(true);
    expect(() => leaked.connection).toThrow(expect.objectContaining({ code: 'POOL_LOAN_RELEASED' }));
    leaked.release();
    expect(pool.stats()).toMatchObject({ size: 0, borrowed: 0 });
  });

  it('returns the same promise when called twice, and works with await using', async () => {
    const pool = new Pool(manager);
    const first = pool.close();
    expect(pool.close()).toBe(first);
    await first;
    {
      await using scoped = new Pool(manager);
      (await scoped.acquire()).release();
    }
    expect(manager.destroyed).toHaveLength(1);
  });

  it('aborts pending creates and destroys a connection that arrives afterwards', async () => {
    const gate = deferred<FakeConnection>();
    manager.createImpl = () => gate.promise;
    const pool = new Pool(manager, { minSize: 1 });
    await flush(0);
    const closing = pool.close();
    expect(manager.signals[0]!.aborted).toBe(true);
    await closing;
    const late = manager.make();
    gate.resolve(late);
    await flush(0);
    expect(late.destroyed).toBe(true);
    await expect(pool.acquire()).rejects.toMatchObject({ code: POOL_CLOSED });
  });

  it('destroys a new connection when close() runs from its own pool.connection.created event', async () => {
    let closing: Promise<unknown> | undefined;
    const monitor = {
      record(event: { type: string }): void {
        if (event.type === 'pool.connection.created') closing ??= pool.close();
      },
    };
    const pool: Pool<FakeConnection> = new Pool(manager, { maxSize: 1, monitor });
    await expect(pool.acquire()).rejects.toMatchObject({ code: POOL_CLOSED });
    await closing;
    expect(manager.destroyed).toHaveLength(1);
    expect(pool.stats()).toMatchObject({ size: 0, idle: 0, closed: true });
  });

  it('waits for async destroys, and reports a destroy that fails to the monitor without throwing', async () => {
    const monitor = new MemoryMonitor();
    let finish!: () => void;
    const pool = new Pool(
      {
        create: () => Promise.resolve({}),
        isValid: () => true,
        destroy: () => new Promise<void>((resolve) => (finish = resolve)),
      },
      { monitor },
    );
    (await pool.acquire()).release();
    let closed = false;
    const closing = pool.close().then(() => (closed = true));
    await flush(0);
    expect(closed).toBe(false);
    finish();
    await closing;

    const failing = new Pool(
      { create: () => Promise.resolve({}), isValid: () => true, destroy: () => Promise.reject(new Error('end failed')) },
      { monitor },
    );
    (await failing.acquire()).release();
    await failing.close();
    const throwing = new Pool(
      {
        create: () => Promise.resolve({}),
        isValid: () => true,
        destroy: () => {
          throw new Error('boom');
        },
      },
      { monitor },
    );
    (await throwing.acquire()).release();
    await throwing.close();
    expect(monitor.events('pool.manager.error').map((e) => e.data.operation)).toEqual(['destroy', 'destroy']);
  });

  it('gives up on a destroy that never settles after createTimeoutMs', async () => {
    const pool = new Pool({ create: () => Promise.resolve({}), isValid: () => true, destroy: () => new Promise<void>(() => undefined) }, { createTimeoutMs: 200 });
    (await pool.acquire()).release();
    const closing = pool.close();
    await flush(200);
    await expect(closing).resolves.toEqual({ leaked: [], timedOut: false, unsettledDestroys: 0 });
  });

  it('destroys connections in the middle of a check or recycle when it closes', async () => {
    const verdict = deferred<boolean>();
    const recycled = deferred<undefined>();
    const pool = new Pool(
      {
        create: (signal: AbortSignal) => manager.create(signal),
        isValid: () => verdict.promise,
        destroy: (c: FakeConnection) => manager.destroy(c),
        recycle: () => recycled.promise,
      },
      { maxSize: 2, validationSkipWindowMs: 0, healthCheckIntervalMs: 0 },
    );
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    b.release(); // recycling
    expect(pool.stats().borrowed).toBe(2);
    a.release(); // recycling too
    recycled.resolve(undefined);
    await flush(1);
    const checking = pool.acquire().catch((error: unknown) => error);
    await flush(0);
    const report = await pool.close({ deadlineMs: 0 });
    expect(report.timedOut).toBe(true);
    expect(await checking).toMatchObject({ code: POOL_CLOSED });
    verdict.resolve(true);
    await flush(0);
    expect(manager.destroyed).toHaveLength(2);
    expect(pool.stats()).toMatchObject({ size: 0, borrowed: 0 });
  });
});

async function acquireInNamedFunction(pool: Pool<FakeConnection>) {
  return pool.acquire();
}
