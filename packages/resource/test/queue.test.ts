import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { PatinoxError } from '@patinox/errors';
import { MemoryMonitor } from '@patinox/monitor';
import { RESOURCE_CLEANUP_FAILED, RESOURCE_CLEANUP_TIMEOUT, CleanupPriority, ResourceRegistry, guard } from '../src/index.js';

const retryable = (message: string): PatinoxError => new PatinoxError(message, { code: 'TRANSIENT', recovery: 'retry' });

describe('cleanup timeouts and retries', () => {
  beforeEach(() => {
    // p-queue schedules with queueMicrotask: faking it would stall the queue between timer advances.
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('fails a cleanup that never settles with RESOURCE_CLEANUP_TIMEOUT after timeoutMs, leaving no timer behind', async () => {
    const monitor = new MemoryMonitor();
    const registry = new ResourceRegistry({ timeoutMs: 1000, monitor });
    const g = guard('socket', () => new Promise(() => undefined), { registry, name: 'stuck-socket' });
    const result = g.cleanup().catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(999);
    expect(g.state).toBe('cleaning');
    await jest.advanceTimersByTimeAsync(1);
    const error = await result;
    expect(error).toMatchObject({ code: RESOURCE_CLEANUP_TIMEOUT, name: 'CleanupError', context: { name: 'stuck-socket', timeoutMs: 1000 } });
    expect(registry.stats()).toMatchObject({ active: 0, failed: 1, timedOut: 1 });
    expect(monitor.events('resource.failed')[0]?.data).toMatchObject({ name: 'stuck-socket', code: RESOURCE_CLEANUP_TIMEOUT });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('uses the per-guard timeout over the registry default', async () => {
    const registry = new ResourceRegistry({ timeoutMs: 10_000 });
    const g = guard(1, () => new Promise(() => undefined), { registry, timeoutMs: 50 });
    const result = g.cleanup().catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(50);
    expect(await result).toMatchObject({ code: RESOURCE_CLEANUP_TIMEOUT });
  });

  it('ignores a late rejection of a timed-out cleanup (no unhandled rejection)', async () => {
    const registry = new ResourceRegistry({ timeoutMs: 10 });
    let reject!: (e: unknown) => void;
    const g = guard(1, () => new Promise((_, r) => (reject = r)), { registry });
    const result = g.cleanup().catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(10);
    expect(await result).toMatchObject({ code: RESOURCE_CLEANUP_TIMEOUT });
    reject(new Error('too late'));
    await jest.advanceTimersByTimeAsync(1);
    expect(g.state).toBe('failed');
  });

  it('retries a retryable failure with backoff, a bounded number of times', async () => {
    const monitor = new MemoryMonitor();
    const registry = new ResourceRegistry({ maxRetries: 2, retryBaseDelayMs: 100, retryMaxDelayMs: 1000, monitor });
    let runs = 0;
    const flaky = guard(1, async () => {
      runs += 1;
      if (runs < 3) throw retryable(`attempt ${runs}`);
    }, { registry });
    const done = flaky.cleanup();
    await jest.advanceTimersByTimeAsync(1000);
    await done;
    expect(runs).toBe(3);
    expect(flaky.isCleanedUp).toBe(true);
    expect(registry.stats()).toMatchObject({ retried: 2, cleaned: 1, failed: 0 });
    expect(monitor.events('resource.retry').map((e) => e.data.attempt)).toEqual([1, 2]);

    let always = 0;
    const broken = guard(2, () => {
      always += 1;
      throw retryable('still down');
    }, { registry, name: 'broken' });
    const failed = broken.cleanup().catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(5000);
    expect(await failed).toMatchObject({ code: RESOURCE_CLEANUP_FAILED, context: { name: 'broken', attempts: 3 }, cause: { message: 'still down' } });
    expect(always).toBe(3);
  });

  it('does not retry a timeout (the first attempt may still be running)', async () => {
    const registry = new ResourceRegistry({ timeoutMs: 10, maxRetries: 5 });
    let runs = 0;
    const g = guard(1, () => {
      runs += 1;
      return new Promise(() => undefined);
    }, { registry });
    const result = g.cleanup().catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(100);
    expect(await result).toMatchObject({ code: RESOURCE_CLEANUP_TIMEOUT });
    expect(runs).toBe(1);
  });
});

describe('the cleanup queue', () => {
  it('runs forced cleanups Critical first with bounded concurrency, and one throwing cleanup stops nothing', async () => {
    const registry = new ResourceRegistry({ concurrency: 2 });
    const order: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const make = (name: string, priority: CleanupPriority, fail = false) =>
      guard(name, async (n) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setImmediate(r));
        order.push(n);
        running -= 1;
        if (fail) throw new Error(`${n} failed`);
      }, { registry, name, priority });
    const guards = [
      make('low', CleanupPriority.Low),
      make('normal-1', CleanupPriority.Normal, true),
      make('critical', CleanupPriority.Critical),
      make('high', CleanupPriority.High),
      make('normal-2', CleanupPriority.Normal),
      make('low-2', CleanupPriority.Low),
    ];
    const report = await registry.forceCleanupAll();
    expect(maxRunning).toBe(2);
    expect(order.slice(0, 2).sort()).toEqual(['critical', 'high']);
    expect(order.indexOf('low')).toBeGreaterThan(order.indexOf('normal-1'));
    expect(order.indexOf('low-2')).toBeGreaterThan(order.indexOf('normal-2'));
    expect(order).toHaveLength(6);
    expect(report).toMatchObject({ cleaned: 5, handedBack: 0, complete: false });
    expect(report.failures).toEqual([expect.objectContaining({ name: 'normal-1', code: RESOURCE_CLEANUP_FAILED, reason: expect.stringContaining('normal-1 failed') })]);
    expect(guards.map((g) => g.state)).toEqual(['cleaned', 'failed', 'cleaned', 'cleaned', 'cleaned', 'cleaned']);
    expect(registry.isShuttingDown).toBe(false);
    expect(registry.stats().active).toBe(0);
  });

  it('counts a resource handed back before its turn, and joins cleanups already running', async () => {
    const registry = new ResourceRegistry({ concurrency: 1 });
    let finish!: () => void;
    const running = guard('running', () => new Promise<void>((r) => (finish = r)), { registry });
    const first = guard('first', () => undefined, { registry, priority: CleanupPriority.Critical });
    const taken = guard('taken', () => undefined, { registry });
    const manual = running.cleanup();
    const report = registry.forceCleanupAll();
    taken.intoInner();
    finish();
    await manual;
    expect(await report).toMatchObject({ cleaned: 2, handedBack: 1, complete: true });
    expect(first.isCleanedUp).toBe(true);
  });
});
