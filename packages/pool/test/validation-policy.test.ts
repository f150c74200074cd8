import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryMonitor } from '@patinox/monitor';
import { Pool } from '../src/index.js';
import { FakeManager, deferred, flush, type FakeConnection } from './helpers.js';

let manager: FakeManager;
beforeEach(() => {
  jest.useFakeTimers();
  manager = new FakeManager();
});
afterEach(() => {
  jest.useRealTimers();
});

describe('Pool validation policy', () => {
  it('validates on return with validateOnReturn, destroying a connection that fails', async () => {
    const checked: number[] = [];
    let healthy = true;
    manager.validImpl = (c) => {
      checked.push(c.id);
      return healthy;
    };
    const pool = new Pool(manager, { maxSize: 2, validateOnBorrow: false, validateOnReturn: true, healthCheckIntervalMs: 0 });
    const loan = await pool.acquire();
    expect(checked).toEqual([]);
    loan.release();
    expect(checked).toEqual([1]);
    expect(pool.stats()).toMatchObject({ idle: 1, size: 1 });
    healthy = false;
    (await pool.acquire()).release();
    expect(manager.destroyed.map((c) => c.id)).toEqual([1]);
    expect(pool.stats()).toMatchObject({ idle: 0, size: 0, validationFailures: 1 });
    await pool.close();
  });

  it('hands a returned connection to a waiter only after an async return check passes', async () => {
    const verdict = deferred<boolean>();
    const pool = new Pool(manager, { maxSize: 1, validateOnBorrow: false, validateOnReturn: true });
    const loan = await pool.acquire();
    const first = loan.connection;
    manager.validImpl = () => verdict.promise;
    let served: FakeConnection | undefined;
    void pool.acquire().then((l) => (served = l.connection));
    loan.release();
    await flush(0);
    expect(served).toBeUndefined();
    expect(pool.stats().borrowed).toBe(1);
    verdict.resolve(true);
    await flush(0);
    expect(served).toBe(first);
    await pool.close({ deadlineMs: 0 });
  });

  it('runs recycle before the return check, and skips the check when recycle fails', async () => {
    const calls: string[] = [];
    let recycleFails = false;
    const pool = new Pool(
      {
        create: () => Promise.resolve(manager.make()),
        isValid: () => (calls.push('isValid'), true),
        recycle: () => {
          calls.push('recycle');
          if (recycleFails) throw new Error('rollback failed');
        },
        destroy: () => undefined,
      },
      { validateOnBorrow: false, validateOnReturn: true },
    );
    (await pool.acquire()).release();
    expect(calls).toEqual(['recycle', 'isValid']);
    recycleFails = true;
    (await pool.acquire()).release();
    expect(calls).toEqual(['recycle', 'isValid', 'recycle']);
    expect(pool.stats().size).toBe(0);
    await pool.close();
  });

  it('checks on borrow only connections idle longer than validationSkipWindowMs', async () => {
    const isValid = jest.fn(() => true);
    manager.validImpl = isValid;
    const pool = new Pool(manager, { validationSkipWindowMs: 1000, healthCheckIntervalMs: 0 });
    (await pool.acquire()).release();
    await flush(999);
    (await pool.acquire()).release();
    expect(isValid).toHaveBeenCalledTimes(0);
    await flush(1001);
    (await pool.acquire()).release();
    expect(isValid).toHaveBeenCalledTimes(1);
    await pool.close();
  });

  it('health-checks at most healthChecksPerRun connections per maintenance run, longest idle first', async () => {
    const checked: number[] = [];
    manager.validImpl = (c) => (checked.push(c.id), true);
    const pool = new Pool(manager, { minSize: 5, maxSize: 5, healthCheckIntervalMs: 1000, healthChecksPerRun: 2, idleTimeoutMs: 0, random: () => 0.5 });
    await pool.ready();
    // The run interval is 250 ms; all five are due at 1000 ms.
    await flush(1000);
    expect(checked).toEqual([1, 2]);
    await flush(250);
    expect(checked).toEqual([1, 2, 3, 4]);
    await flush(250);
    expect(checked).toEqual([1, 2, 3, 4, 5]);
    await pool.close();
  });

  it('refuses malformed policy options', () => {
    expect(() => new Pool(manager, { validateOnReturn: 1 as never })).toThrow(TypeError);
    expect(() => new Pool(manager, { healthChecksPerRun: 0 })).toThrow(/`healthChecksPerRun` to be a positive integer/);
    expect(() => new Pool(manager, { healthChecksPerRun: 2.5 })).toThrow(RangeError);
  });
});

describe('Pool acquire stacks for leak reports', () => {
  it('reports held time without stacks when captureAcquireStacks is off', async () => {
    const monitor = new MemoryMonitor();
    const pool = new Pool(manager, { leakDetectionMs: 1000, captureAcquireStacks: false, monitor });
    const loan = await pool.acquire();
    await flush(2000);
    const [event] = monitor.events('pool.leak.suspected');
    expect(event!.data.heldMs).toBeGreaterThanOrEqual(1000);
    expect(event!.data.stack).toBeUndefined();
    const report = await pool.close({ deadlineMs: 0 });
    expect(report.leaked[0]!.heldMs).toBeGreaterThanOrEqual(2000);
    expect(report.leaked[0]!.stack).toBeUndefined();
    expect(loan.isReleased).toBe(false);
  });

  it('names the acquiring stack and held time in close() without leakDetectionMs when captureAcquireStacks is on', async () => {
    const pool = new Pool(manager, { maxSize: 1, captureAcquireStacks: true });
    await pool.acquire();
    // A queued caller carries its stack from the acquire call, not from the hand-off.
    const queued = pool.acquire();
    await flush(500);
    const report = await pool.close({ deadlineMs: 0 });
    await queued.catch(() => undefined);
    expect(report.leaked).toHaveLength(1);
    expect(report.leaked[0]!.heldMs).toBe(500);
    expect(report.leaked[0]!.stack).toContain('validation-policy.test');
  });

  it('keeps the stack of a queued acquire through the hand-off', async () => {
    const pool = new Pool(manager, { maxSize: 1, captureAcquireStacks: true });
    const first = await pool.acquire();
    const queued = (function queuedAcquire() {
      return pool.acquire();
    })();
    first.release();
    await queued;
    await flush(100);
    const report = await pool.close({ deadlineMs: 0 });
    expect(report.leaked[0]!.stack).toContain('queuedAcquire');
  });
});
