import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryMonitor } from '@patinox/monitor';
import { Pool } from '../src/index.js';
import { FakeManager, deferred, flush } from './helpers.js';

describe('Pool maintenance', () => {
  let manager: FakeManager;
  beforeEach(() => {
    jest.useFakeTimers();
    manager = new FakeManager();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('closes connections idle longer than idleTimeoutMs, but never below minSize', async () => {
    const pool = new Pool(manager, { minSize: 1, maxSize: 4, idleTimeoutMs: 1000, healthCheckIntervalMs: 0 });
    const loans = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const loan of loans) loan.release();
    await flush(500);
    expect(pool.stats().idle).toBe(3);
    await flush(1000);
    expect(pool.stats()).toMatchObject({ size: 1, idle: 1 });
    expect(manager.destroyed).toHaveLength(2);
    await pool.close();
  });

  it('replaces connections past maxLifetimeMs, idle at the next tick and borrowed on release, with jitter below the limit', async () => {
    const randoms = [0, 0.99];
    let i = 0;
    const pool = new Pool(manager, {
      maxSize: 2,
      maxLifetimeMs: 1000,
      healthCheckIntervalMs: 0,
      idleTimeoutMs: 0,
      random: () => randoms[i++ % randoms.length]!,
    });
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    const first = a.connection;
    const second = b.connection;
    a.release();
    await flush(950);
    // `first` (no jitter: 1000 ms) is idle; `second` (most jitter: ~901 ms) is borrowed and kept until released.
    expect(first.destroyed).toBe(false);
    expect(second.destroyed).toBe(false);
    await flush(60);
    expect(first.destroyed).toBe(true);
    b.release();
    expect(second.destroyed).toBe(true);
    await pool.close();
  });

  it('health-checks idle connections on an interval and evicts those that fail', async () => {
    let healthy = true;
    const isValid = jest.fn(() => healthy);
    manager.validImpl = isValid;
    const pool = new Pool(manager, { minSize: 2, maxSize: 2, healthCheckIntervalMs: 1000, idleTimeoutMs: 0, random: () => 0.5 });
    await flush(0);
    await flush(1200);
    expect(isValid).toHaveBeenCalledTimes(2);
    expect(manager.destroyed).toHaveLength(0);
    healthy = false;
    await flush(1200);
    expect(manager.destroyed.length).toBeGreaterThanOrEqual(2);
    expect(pool.stats()).toMatchObject({ size: 2 });
    await pool.close();
  });

  it('waits for async health checks, serves a waiter with a connection that passed, and times out a hung isValid', async () => {
    const verdicts: ReturnType<typeof deferred<boolean>>[] = [];
    manager.validImpl = () => {
      const d = deferred<boolean>();
      verdicts.push(d);
      return d.promise;
    };
    const pool = new Pool(manager, { minSize: 1, maxSize: 1, healthCheckIntervalMs: 100, idleTimeoutMs: 0, createTimeoutMs: 50, random: () => 0.5 });
    await flush(120);
    expect(verdicts).toHaveLength(1);
    const waiting = pool.acquire();
    verdicts[0]!.resolve(true);
    const loan = await waiting;
    expect(loan.connection.id).toBe(1);
    loan.release();
    await flush(120);
    expect(verdicts).toHaveLength(2);
    await flush(60); // isValid never answers: the check times out and the connection is replaced
    expect(manager.destroyed.map((c) => c.id)).toEqual([1]);
    expect(pool.stats().validationFailures).toBe(1);
    await pool.close({ deadlineMs: 0 });
  });

  it('reports a loan held longer than leakDetectionMs once, with its acquire stack', async () => {
    const monitor = new MemoryMonitor();
    const pool = new Pool(manager, { leakDetectionMs: 1000, monitor });
    const loan = await pool.acquire();
    await flush(3000);
    const events = monitor.events('pool.leak.suspected');
    expect(events).toHaveLength(1);
    expect(String(events[0]!.data.stack)).toContain('maintenance.test');
    loan.release();
    await pool.close();
  });

  it('retries a failing create with capped exponential backoff', async () => {
    const monitor = new MemoryMonitor();
    manager.createImpl = () => Promise.reject(new Error('down'));
    const pool = new Pool(manager, { minSize: 1, createRetryDelayMs: 100, createRetryMaxDelayMs: 400, random: () => 0.999, monitor });
    await flush(5000);
    const delays = monitor.events('pool.create.failed').map((e) => e.data.retryInMs);
    expect(delays.slice(0, 5)).toEqual([100, 200, 400, 400, 400]);
    await pool.close();
  });

  it('rejects waiters at once with POOL_MANAGER_ERROR when create fails with a permanent PatinoxError', async () => {
    const { PatinoxError } = await import('@patinox/errors');
    manager.createImpl = () => Promise.reject(new PatinoxError('password authentication failed', { code: 'AUTH', recovery: 'fail' }));
    const pool = new Pool(manager, { acquireTimeoutMs: 10_000 });
    const outcome = pool.acquire().catch((error: unknown) => error);
    await flush(0);
    expect(await outcome).toMatchObject({ code: 'POOL_MANAGER_ERROR', cause: { code: 'AUTH' } });
    await pool.close();
  });

  it('survives a manager whose create throws synchronously or whose watch throws', async () => {
    const monitor = new MemoryMonitor();
    let throwNow = true;
    const pool = new Pool(
      {
        create: () => {
          if (throwNow) throw new Error('sync');
          return Promise.resolve({});
        },
        isValid: () => true,
        destroy: () => undefined,
        watch: () => {
          throw new Error('no events');
        },
      },
      { createRetryDelayMs: 10, monitor },
    );
    const outcome = pool.acquire({ timeoutMs: 5 }).catch((error: unknown) => error);
    await flush(5);
    expect(await outcome).toMatchObject({ code: 'POOL_TIMEOUT', cause: { message: 'sync' } });
    throwNow = false;
    await flush(20);
    (await pool.acquire()).release();
    expect(monitor.events('pool.manager.error')).toHaveLength(1);
    await pool.close();
  });
});

describe('Pool with hostile managers and options', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('never lends a connection that reported an error while being watched', async () => {
    const manager = new FakeManager();
    const pool = new Pool(
      {
        create: (signal: AbortSignal) => manager.create(signal),
        isValid: () => true,
        destroy: (c) => manager.destroy(c),
        watch: (_c, onError) => {
          if (manager.creates === 1) onError(new Error('died at birth'));
        },
      },
      { maxSize: 1 },
    );
    const acquiring = pool.acquire();
    // The replacement comes after a create backoff (first retry delay 100 ms, at least half of it).
    await flush(100);
    const loan = await acquiring;
    expect(loan.connection.id).toBe(2);
    expect(manager.destroyed.map((c) => c.id)).toEqual([1]);
    loan.release();
    await pool.close();
  });

  it('keeps backoff bounded when the random source returns garbage', async () => {
    const manager = new FakeManager();
    manager.createImpl = () => Promise.reject(new Error('down'));
    const pool = new Pool(manager, { minSize: 1, createRetryDelayMs: 100, random: () => NaN });
    await flush(1000);
    expect(manager.creates).toBeLessThanOrEqual(6);
    await pool.close();
  });
});
