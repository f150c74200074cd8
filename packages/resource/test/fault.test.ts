import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { PatinoxError } from '@patinox/errors';
import { RESOURCE_CLEANUP_TIMEOUT, ResourceRegistry, guard, type AsyncResourceGuard, type CleanupReport } from '../src/index.js';

const TOTAL = 10_000;

describe('fault test: 10,000 resources, 5 % fail once (retryable), 1 % hang past their timeout', () => {
  // Unhandled rejections cannot be observed from inside jest; process.int.test.ts checks them in a real
  // process run with --unhandled-rejections=strict.
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('cleans every non-hanging resource, reports every hanging one by name, and leaves nothing running', async () => {
    const registry = new ResourceRegistry({ name: 'fault', timeoutMs: 1000, retryBaseDelayMs: 10, retryMaxDelayMs: 100 });
    const cleaned = new Set<number>();
    const hanging = new Set<string>();
    const guards: AsyncResourceGuard<{ id: number }>[] = [];
    const attempts = new Uint8Array(TOTAL);
    for (let id = 0; id < TOTAL; id += 1) {
      const kind = id % 100 === 0 ? 'hang' : id % 20 === 1 ? 'flaky' : 'ok';
      if (kind === 'hang') hanging.add(`res-${id}`);
      guards.push(
        guard(
          { id },
          (r) => {
            attempts[r.id]! += 1;
            if (kind === 'hang') return new Promise(() => undefined);
            if (kind === 'flaky' && attempts[r.id] === 1) throw new PatinoxError('transient', { code: 'EBUSY', recovery: 'retry' });
            // Half the cleanups are asynchronous, half synchronous.
            if (id % 2 === 0) return Promise.resolve().then(() => void cleaned.add(r.id));
            cleaned.add(r.id);
            return undefined;
          },
          { registry, name: `res-${id}` },
        ),
      );
    }
    expect(hanging.size).toBe(100);

    let report: CleanupReport | undefined;
    void registry.shutdown({ deadlineMs: 120_000 }).then((r) => (report = r));
    let elapsedMs = 0;
    while (report === undefined && elapsedMs < 120_000) {
      await jest.advanceTimersByTimeAsync(250);
      elapsedMs += 250;
    }

    expect(report).toBeDefined();
    expect(report!.cleaned).toBe(TOTAL - 100);
    expect(cleaned.size).toBe(TOTAL - 100);
    expect(new Set(report!.failures.map((f) => f.name))).toEqual(hanging);
    expect(report!.failures.every((f) => f.code === RESOURCE_CLEANUP_TIMEOUT && f.reason.includes('did not settle within 1000 ms'))).toBe(true);
    expect(registry.stats()).toMatchObject({ active: 0, cleaned: TOTAL - 100, failed: 100, timedOut: 100, retried: 500 });
    expect(guards.filter((g) => g.state === 'failed')).toHaveLength(100);
    // 100 hangs of 1 s over 16 concurrent slots: well inside the deadline, and nothing left to keep the process alive.
    expect(elapsedMs).toBeLessThan(20_000);
    expect(jest.getTimerCount()).toBe(0);
  });
});
