import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryMonitor } from '@patinox/monitor';
import {
  RESOURCE_CLEANUP_DEADLINE_EXCEEDED,
  RESOURCE_CLEANUP_TIMEOUT,
  CleanupPriority,
  RESOURCE_REGISTRY_SHUTTING_DOWN,
  RegistryShutdownError,
  ResourceRegistry,
  guard,
} from '../src/index.js';

describe('shutdown', () => {
  beforeEach(() => {
    // p-queue schedules with queueMicrotask: faking it would stall the queue between timer advances.
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('refuses new registrations, cleans everything by priority and reports what it could not clean', async () => {
    const monitor = new MemoryMonitor();
    const registry = new ResourceRegistry({ name: 'svc', monitor, concurrency: 1, timeoutMs: 100 });
    const order: string[] = [];
    guard('cache', () => void order.push('cache'), { registry, name: 'cache', priority: CleanupPriority.Low });
    guard('db', () => void order.push('db'), { registry, name: 'db', priority: CleanupPriority.Critical });
    guard('stuck', () => new Promise(() => order.push('stuck')), { registry, name: 'stuck' });
    const pending = registry.shutdown({ deadlineMs: 5000 });
    expect(registry.isShuttingDown).toBe(true);
    let refused: unknown;
    try {
      guard('late', () => undefined, { registry });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(RegistryShutdownError);
    expect(refused).toMatchObject({ code: RESOURCE_REGISTRY_SHUTTING_DOWN, recovery: 'fail' });
    await jest.advanceTimersByTimeAsync(100);
    const report = await pending;
    expect(order).toEqual(['db', 'stuck', 'cache']);
    expect(report).toMatchObject({ cleaned: 2, complete: false });
    expect(report.failures).toEqual([expect.objectContaining({ name: 'stuck', code: RESOURCE_CLEANUP_TIMEOUT })]);
    expect(registry.shutdown()).toBe(pending);
    expect(monitor.events('resource.shutdown.completed')[0]?.data).toMatchObject({
      cleaned: 2,
      complete: false,
      failures: [expect.objectContaining({ name: 'stuck', code: RESOURCE_CLEANUP_TIMEOUT })],
    });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops waiting at the deadline and names what is unfinished', async () => {
    const registry = new ResourceRegistry({ timeoutMs: 60_000 });
    const g = guard('slow', () => new Promise((r) => setTimeout(r, 30_000)), { registry, name: 'slow' });
    const pending = registry.shutdown({ deadlineMs: 1000 });
    await jest.advanceTimersByTimeAsync(1000);
    const report = await pending;
    expect(report.complete).toBe(false);
    expect(report.failures).toEqual([expect.objectContaining({ name: 'slow', code: RESOURCE_CLEANUP_DEADLINE_EXCEEDED, reason: expect.stringContaining('1000 ms') })]);
    // The cleanup keeps running after the report and still finishes.
    await jest.advanceTimersByTimeAsync(29_000);
    expect(g.isCleanedUp).toBe(true);
  });

  it('forceCleanupAll honours a deadline too, and leaves the registry open', async () => {
    const registry = new ResourceRegistry();
    guard('slow', () => new Promise((r) => setTimeout(r, 3000)), { registry, name: 'slow' });
    const pending = registry.forceCleanupAll({ deadlineMs: 10 });
    await jest.advanceTimersByTimeAsync(10);
    expect((await pending).failures.map((f) => f.code)).toEqual([RESOURCE_CLEANUP_DEADLINE_EXCEEDED]);
    const again = guard('new', () => undefined, { registry });
    await again.cleanup();
    await jest.advanceTimersByTimeAsync(3000);
  });

  it('completes at once with nothing to clean, and via await using', async () => {
    let report;
    {
      await using registry = new ResourceRegistry();
      report = await registry.forceCleanupAll();
      expect(report).toMatchObject({ cleaned: 0, handedBack: 0, failures: [], complete: true });
    }
    expect(jest.getTimerCount()).toBe(0);
  });
});
