import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryMonitor } from '@patinox/monitor';
import { POOL_TIMEOUT, Pool } from '../src/index.js';
import { FakeManager, flush, type FakeConnection } from './helpers.js';

// A manager whose connections report an error as soon as they are watched (a `watch` that checks the
// connection's state first, a server that drops every connection it accepts): each one is destroyed
// before it is lent. Without a backoff the pool would recreate it at once, and with a `create` that
// resolves without I/O that loop runs in microtasks only: no timer fires, no caller's deadline passes.
class DeadOnArrivalManager extends FakeManager {
  override watch(connection: FakeConnection, onError: (error: unknown) => void): () => void {
    const off = super.watch(connection, onError);
    onError(new Error('ECONNRESET as soon as watched'));
    return off;
  }
}

describe('Pool with connections that fail before they are lent', () => {
  let manager: DeadOnArrivalManager;
  beforeEach(() => {
    jest.useFakeTimers();
    manager = new DeadOnArrivalManager();
    // A guard so the test ends even when the pool spins: past 200 creates, a create never settles.
    manager.createImpl = () => (manager.creates > 200 ? new Promise<FakeConnection>(() => undefined) : Promise.resolve(manager.make()));
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('backs off as after a failed create, and times the caller out with that error as the cause', async () => {
    const monitor = new MemoryMonitor();
    const pool = new Pool(manager, { maxSize: 2, acquireTimeoutMs: 1000, createRetryDelayMs: 50, createRetryMaxDelayMs: 400, monitor });
    let ticks = 0;
    const interval = setInterval(() => {
      ticks += 1;
    }, 10);
    const outcome = pool.acquire().then(
      () => 'lent',
      (error: unknown) => error,
    );
    await flush(1000);
    clearInterval(interval);
    const error = await outcome;
    expect(error).toMatchObject({ code: POOL_TIMEOUT, phase: 'connect', cause: new Error('ECONNRESET as soon as watched') });
    // Backoff 50, 100, 200, 400, 400 ms with equal jitter (at least half): at most ~12 attempts in a second.
    expect(manager.creates).toBeLessThanOrEqual(12);
    expect(manager.creates).toBeGreaterThanOrEqual(3);
    expect(ticks).toBe(100);
    expect(manager.destroyed).toHaveLength(manager.creates);
    expect(monitor.events('pool.connection.destroyed').every((event) => event.data.reason === 'error')).toBe(true);
    expect(pool.stats()).toMatchObject({ size: 0, borrowed: 0, waiting: 0 });
    await pool.close();
  });

  it('backs off too when the error comes a moment later, while the new connection is idle', async () => {
    manager.watch = function (this: DeadOnArrivalManager, connection: FakeConnection, onError: (error: unknown) => void): () => void {
      connection.on('error', onError);
      queueMicrotask(() => connection.emit('error', new Error('closed by the server')));
      return () => connection.off('error', onError);
    };
    const pool = new Pool(manager, { minSize: 1, maxSize: 1, createRetryDelayMs: 50, createRetryMaxDelayMs: 400 });
    let ticks = 0;
    const interval = setInterval(() => {
      ticks += 1;
    }, 10);
    await flush(1000);
    clearInterval(interval);
    expect(manager.creates).toBeLessThanOrEqual(12);
    expect(manager.creates).toBeGreaterThanOrEqual(3);
    expect(ticks).toBe(100);
    expect(await pool.healthCheck().check(new AbortController().signal)).toMatchObject({ status: 'down' });
    await pool.close();
  });

  it('replaces at once an unused connection that fails long after it was opened (a server or firewall idle timeout)', async () => {
    const made: FakeConnection[] = [];
    manager.createImpl = () => {
      const connection = manager.make();
      made.push(connection);
      return Promise.resolve(connection);
    };
    manager.watch = FakeManager.prototype.watch;
    const pool = new Pool(manager, { minSize: 1, createRetryDelayMs: 50, createRetryMaxDelayMs: 400, healthCheckIntervalMs: 0 });
    await flush(0);
    expect(manager.creates).toBe(1);
    // Older than createRetryMaxDelayMs: not a connection that failed as it was made.
    await flush(500);
    made[0]!.emit('error', new Error('idle session timeout'));
    await flush(0);
    expect(manager.creates).toBe(2);
    expect(await pool.healthCheck().check(new AbortController().signal)).toMatchObject({ status: 'up' });
    await pool.close();
  });

  it('lends the next sound connection at once after the backoff, and the backoff resets', async () => {
    let deadOnes = 2;
    manager.watch = function (this: DeadOnArrivalManager, connection: FakeConnection, onError: (error: unknown) => void): () => void {
      connection.on('error', onError);
      if (deadOnes > 0) {
        deadOnes -= 1;
        onError(new Error('ECONNRESET as soon as watched'));
      }
      return () => connection.off('error', onError);
    };
    const pool = new Pool(manager, { maxSize: 1, acquireTimeoutMs: 1000, createRetryDelayMs: 50, createRetryMaxDelayMs: 400 });
    const loan = pool.acquire();
    await flush(300);
    const lent = await loan;
    expect(manager.creates).toBe(3);
    lent.destroy();
    // A sound connection was created since: the next replacement starts without waiting.
    const next = pool.acquire();
    await flush(0);
    expect(manager.creates).toBe(4);
    (await next).release();
    await pool.close();
  });
});
