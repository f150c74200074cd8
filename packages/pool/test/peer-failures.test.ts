import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { isPatinoxError } from '@patinox/errors';
import { MemoryMonitor } from '@patinox/monitor';
import { POOL_CLOSED, POOL_TIMEOUT, Pool, PoolTimeoutError, type PooledConnection } from '../src/index.js';
import { FakeManager, deferred, flush, type FakeConnection } from './helpers.js';

// The failure modes generic-pool, tarn and pg-pool are known for, one test each.
describe('Pool under the peers’ known failure cases', () => {
  let manager: FakeManager;
  beforeEach(() => {
    jest.useFakeTimers();
    manager = new FakeManager();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('1. create always rejects: every waiter settles by its deadline with the cause, creates back off, timers keep firing', async () => {
    manager.createImpl = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1'));
    const pool = new Pool(manager, { maxSize: 5, acquireTimeoutMs: 1000, createRetryDelayMs: 50, createRetryMaxDelayMs: 400 });
    let ticks = 0;
    const interval = setInterval(() => {
      ticks += 1;
    }, 10);
    const start = performance.now();
    const settledAt: number[] = [];
    const outcomes = Array.from({ length: 20 }, () =>
      pool.acquire().then(
        () => 'lent',
        (error: unknown) => {
          settledAt.push(performance.now() - start);
          return error;
        },
      ),
    );
    await flush(1000);
    const errors = await Promise.all(outcomes);
    for (const error of errors) {
      expect(isPatinoxError(error, POOL_TIMEOUT)).toBe(true);
      expect((error as PoolTimeoutError).phase).toBe('connect');
      expect((error as Error).cause).toEqual(new Error('connect ECONNREFUSED 127.0.0.1:1'));
    }
    expect(Math.max(...settledAt)).toBeLessThanOrEqual(1000);
    // Backoff 50, 100, 200, 400, 400 ms with equal jitter (at least half): at most ~12 attempts in a second.
    expect(manager.creates).toBeLessThanOrEqual(12);
    expect(manager.creates).toBeGreaterThanOrEqual(3);
    expect(ticks).toBe(100);
    expect(pool.stats()).toMatchObject({ waiting: 0, timeouts: 20, size: 0 });
    clearInterval(interval);
    await pool.close();
  });

  it('2. isValid always false: no create/destroy spin, and every acquire settles by its deadline', async () => {
    manager.validImpl = () => Promise.resolve(false);
    const pool = new Pool(manager, {
      minSize: 2,
      maxSize: 4,
      healthCheckIntervalMs: 100,
      validationSkipWindowMs: 0,
      acquireTimeoutMs: 500,
      idleTimeoutMs: 0,
    });
    const settled: boolean[] = [];
    for (let round = 0; round < 10; round += 1) {
      const started = performance.now();
      const loan = pool.acquire().then((l) => {
        settled.push(performance.now() - started <= 500);
        return l;
      });
      await flush(1);
      (await loan).release();
      await flush(99);
    }
    expect(settled).toHaveLength(10);
    expect(settled.every(Boolean)).toBe(true);
    // Per second: each of 2 idle connections fails its ~100 ms health check (≤ 2 × 12) and each of the
    // 10 borrows may replace one; a spin would be thousands.
    expect(manager.creates).toBeLessThanOrEqual(2 + 24 + 10);
    expect(pool.stats().validationFailures).toBeGreaterThan(0);
    await pool.close();
  });

  it('3. acquire during or after close() rejects immediately with POOL_CLOSED', async () => {
    const pool = new Pool(manager, { maxSize: 1 });
    const held = await pool.acquire();
    const queued = pool.acquire().catch((error: unknown) => error);
    const closing = pool.close({ deadlineMs: 5000 });
    const during = pool.acquire().catch((error: unknown) => error);
    await flush(0);
    expect(await queued).toMatchObject({ code: POOL_CLOSED });
    expect(await during).toMatchObject({ code: POOL_CLOSED });
    held.release();
    await closing;
    await expect(pool.acquire()).rejects.toMatchObject({ code: POOL_CLOSED });
  });

  it('4. destroying a borrowed connection, or a failed validation, wakes the head waiter at once', async () => {
    const pool = new Pool(manager, { maxSize: 1, validationSkipWindowMs: 0, healthCheckIntervalMs: 0 });
    const held = await pool.acquire();
    const head = pool.acquire();
    await flush(0);
    expect(manager.creates).toBe(1);
    held.destroy();
    expect(manager.creates).toBe(2);
    const second = await head;
    expect(second.connection.id).toBe(2);

    // Failed validation: the connection idles, the next borrower's async check fails, a create starts at once.
    second.release();
    const verdict = deferred<boolean>();
    manager.validImpl = () => verdict.promise;
    await flush(1);
    const waiter = pool.acquire();
    await flush(0);
    expect(pool.stats()).toMatchObject({ borrowed: 1, idle: 0 });
    verdict.resolve(false);
    await Promise.resolve();
    await Promise.resolve();
    await Promise.resolve();
    expect(manager.creates).toBe(3);
    expect((await waiter).connection.id).toBe(3);
    await pool.close({ deadlineMs: 0 });
  });

  it('5. waiters that time out or abort leave the counts exact, and the next acquire succeeds (property)', async () => {
    type Op =
      | { kind: 'acquire'; timeoutMs: number | undefined; abortable: boolean }
      | { kind: 'release' | 'destroy'; index: number }
      | { kind: 'abort'; index: number }
      | { kind: 'advance'; ms: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constant('acquire' as const),
        timeoutMs: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
        abortable: fc.boolean(),
      }),
      fc.record({ kind: fc.constantFrom('release' as const, 'destroy' as const), index: fc.nat(20) }),
      fc.record({ kind: fc.constant('abort' as const), index: fc.nat(20) }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 60 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 }), fc.array(op, { maxLength: 40 }), async (maxSize, createDelay, ops) => {
        const m = new FakeManager();
        m.createImpl = () =>
          createDelay === 0 ? Promise.resolve(m.make()) : new Promise((resolve) => setTimeout(() => resolve(m.make()), createDelay));
        const pool = new Pool(m, { maxSize, acquireTimeoutMs: 40, healthCheckIntervalMs: 0, idleTimeoutMs: 0 });
        const held: PooledConnection<FakeConnection>[] = [];
        const controllers: AbortController[] = [];
        let pending = 0;
        const check = (): void => {
          const s = pool.stats();
          expect(s.idle + s.borrowed + s.pendingCreates).toBe(s.size);
          expect(s.borrowed).toBe(held.length);
          expect(s.waiting).toBe(pending);
          expect(s.size).toBeLessThanOrEqual(maxSize);
        };
        for (const step of ops) {
          if (step.kind === 'acquire') {
            const controller = new AbortController();
            controllers.push(controller);
            pending += 1;
            pool
              .acquire({ timeoutMs: step.timeoutMs, signal: step.abortable ? controller.signal : undefined })
              .then(
                (loan) => held.push(loan),
                () => undefined,
              )
              .finally(() => {
                pending -= 1;
              });
          } else if (step.kind === 'abort') {
            controllers[step.index % Math.max(1, controllers.length)]?.abort();
          } else if (step.kind === 'advance') {
            await flush(step.ms);
          } else if (held.length > 0) {
            const [loan] = held.splice(step.index % held.length, 1);
            if (step.kind === 'release') loan!.release();
            else loan!.destroy();
          }
          await flush(0);
          check();
        }
        for (const loan of held.splice(0)) loan.release();
        await flush(100);
        for (const loan of held.splice(0)) loan.release();
        check();
        expect(pending).toBe(0);
        const next = pool.acquire({ timeoutMs: 1000 });
        await flush(10);
        (await next).release();
        await pool.close({ deadlineMs: 0 });
      }),
      { numRuns: 150 },
    );
  });

  it('6. a create that resolves after its connect timeout is destroyed, never handed out', async () => {
    const late = deferred<FakeConnection>();
    let calls = 0;
    manager.createImpl = () => (++calls === 1 ? late.promise : Promise.resolve(manager.make()));
    const pool = new Pool(manager, { maxSize: 1, createTimeoutMs: 100, acquireTimeoutMs: 5000, createRetryDelayMs: 10 });
    const acquiring = pool.acquire();
    await flush(100);
    expect(manager.signals[0]!.aborted).toBe(true);
    const lateConnection = manager.make();
    await flush(20);
    const loan = await acquiring;
    expect(loan.connection).not.toBe(lateConnection);
    late.resolve(lateConnection);
    await flush(0);
    expect(lateConnection.destroyed).toBe(true);
    expect(pool.stats()).toMatchObject({ size: 1, borrowed: 1, createErrors: 1 });
    const lent = loan.connection;
    loan.release();
    const again = await pool.acquire();
    expect(again.connection).toBe(lent);
    again.release();
    await pool.close();
  });

  it('7. minSize is restored after create errors, lifetime evictions and connection errors, with no acquire', async () => {
    let failures = 2;
    manager.createImpl = () => (failures-- > 0 ? Promise.reject(new Error('not yet')) : Promise.resolve(manager.make()));
    const pool = new Pool(manager, { minSize: 3, maxSize: 5, maxLifetimeMs: 1000, healthCheckIntervalMs: 0, createRetryDelayMs: 20 });
    await flush(200);
    expect(pool.stats()).toMatchObject({ size: 3, idle: 3 });
    await flush(1300);
    expect(manager.destroyed.length).toBeGreaterThanOrEqual(3);
    expect(pool.stats()).toMatchObject({ size: 3, idle: 3 });
    const before = manager.creates;
    const conns = new Set<FakeConnection>();
    // Read the idle connections through the pool without disturbing minSize.
    const loans = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const loan of loans) {
      conns.add(loan.connection);
      loan.release();
    }
    const victim = [...conns][0]!;
    victim.emit('error', new Error('ECONNRESET'));
    await flush(0);
    expect(victim.destroyed).toBe(true);
    expect(manager.creates).toBe(before + 1);
    expect(pool.stats()).toMatchObject({ size: 3, idle: 3 });
    await pool.close();
  });

  it('8. an idle pool keeps no timer that holds the process open, and close() clears every timer', async () => {
    jest.useRealTimers();
    const refTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const baseline = refTimers();
    const real = new Pool(new FakeManager(), { minSize: 2, maxSize: 2, maxLifetimeMs: 60_000, leakDetectionMs: 60_000 });
    const a = await real.acquire();
    const b = await real.acquire();
    const queued = real.acquire();
    expect(refTimers()).toBe(baseline + 1); // the deadline timer of the waiting caller
    a.release();
    (await queued).release();
    b.release();
    expect(refTimers()).toBe(baseline);
    await real.close();

    jest.useFakeTimers();
    const pool = new Pool(manager, { minSize: 1, maxSize: 1, maxLifetimeMs: 60_000, leakDetectionMs: 60_000 });
    await flush(0);
    const loan = await pool.acquire();
    const queuedAtClose = pool.acquire({ timeoutMs: 100 }).catch((error: unknown) => error);
    expect(jest.getTimerCount()).toBeGreaterThan(1);
    const closing = pool.close();
    loan.release();
    await closing;
    expect(await queuedAtClose).toMatchObject({ code: POOL_CLOSED });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('9. an error emitted by an idle connection evicts that connection only and never crashes the process', async () => {
    const monitor = new MemoryMonitor();
    const pool = new Pool(manager, { maxSize: 3, monitor });
    const loans = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    const [first, second, third] = loans.map((l) => l.connection);
    for (const loan of loans.slice(0, 2)) loan.release();
    expect(() => first!.emit('error', new Error('ECONNRESET'))).not.toThrow();
    expect(first!.destroyed).toBe(true);
    expect(first!.listenerCount('error')).toBe(0);
    expect(second!.destroyed).toBe(false);
    expect(pool.stats()).toMatchObject({ size: 2, idle: 1, borrowed: 1 });
    // A borrowed connection that fails is destroyed when it comes back, not lent again.
    third!.emit('error', new Error('socket hang up'));
    expect(third!.destroyed).toBe(false);
    loans[2].release();
    expect(third!.destroyed).toBe(true);
    expect(pool.stats()).toMatchObject({ size: 1, idle: 1 });
    expect(monitor.events('pool.connection.error')).toHaveLength(2);
    // A stale error from a destroyed connection is ignored.
    expect(() => first!.emit('error', new Error('late'))).toThrow('late');
    await pool.close();
  });

  it('10. under 1000 queued waiters, service is FIFO and no waiter starves', async () => {
    const pool = new Pool(manager, { maxSize: 3, acquireTimeoutMs: 60_000 });
    const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    const order: number[] = [];
    const waiters = Array.from({ length: 1000 }, (_, i) =>
      pool.acquire().then(async (loan) => {
        order.push(i);
        await flush(1);
        loan.release();
      }),
    );
    await flush(0);
    expect(pool.stats().waiting).toBe(1000);
    for (const loan of held) loan.release();
    await flush(2000);
    await Promise.all(waiters);
    expect(order).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(pool.stats()).toMatchObject({ timeouts: 0, waiting: 0, acquired: 1003 });
    await pool.close();
  });
});
