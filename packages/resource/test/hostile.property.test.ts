import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { PatinoxError, isPatinoxError } from '@patinox/errors';
import { hostileValues, watchUncaught, type UncaughtWatch } from '@patinox/test-servers';
import fc from 'fast-check';
import { ResourceRegistry, guard, type AsyncResourceGuard } from '../src/index.js';

// Random sequences of registry and guard calls with hostile arguments and hostile cleanups (throws of
// any value, rejections, hangs, re-entrant calls), checked against a model. Invariants: no uncaught
// exception or unhandled rejection, only documented errors, counts consistent after every step, every
// resource ended (cleaned, failed or handed back) and no timer left once shut down.

type Cleanup = 'sync' | 'async' | 'throw' | 'reject' | 'hang' | 'retryThenOk' | 'reentrant';
type Op =
  | { kind: 'create'; cleanup: Cleanup; options: 'none' | 'timeoutMs' | 'priority' | 'name' | 'bag' | 'valid'; h: number }
  | { kind: 'cleanup' | 'intoInner' | 'get'; slot: number }
  | { kind: 'adopt'; h: number }
  | { kind: 'forceCleanupAll'; hostile: boolean; h: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'observe' };

const H = hostileValues().length;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      cleanup: fc.constantFrom<Cleanup>('sync', 'async', 'throw', 'reject', 'hang', 'retryThenOk', 'reentrant'),
      options: fc.constantFrom('none', 'none', 'valid', 'timeoutMs', 'priority', 'name', 'bag') as fc.Arbitrary<'none'>,
      h: fc.nat({ max: H - 1 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('cleanup', 'intoInner', 'get') as fc.Arbitrary<'cleanup'>, slot: fc.nat({ max: 11 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('adopt' as const), h: fc.nat({ max: H - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forceCleanupAll' as const), hostile: fc.boolean(), h: fc.nat({ max: H - 1 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(0, 1, 20, 60) }) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'observe' }) },
);

const isProgrammerError = (error: unknown): boolean => error instanceof TypeError || error instanceof RangeError;
const isOurs = (error: unknown, prefix = 'RESOURCE_'): boolean => isPatinoxError(error) && error.code.startsWith(prefix);

async function run(ops: Op[]): Promise<void> {
  jest.clearAllTimers();
  const registry = new ResourceRegistry({ timeoutMs: 50, maxRetries: 1, retryBaseDelayMs: 1, retryMaxDelayMs: 5, trackLeaks: false });
  const guards: AsyncResourceGuard<unknown>[] = [];
  const unexpected: unknown[] = [];
  const pending: Promise<unknown>[] = [];

  const makeCleanup = (kind: Cleanup, hostile: unknown): ((r: unknown) => unknown) => {
    let attempts = 0;
    return () => {
      attempts += 1;
      switch (kind) {
        case 'sync':
          return undefined;
        case 'async':
          return Promise.resolve();
        case 'throw':
          throw hostile;
        case 'reject':
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          return Promise.reject(hostile);
        case 'hang':
          return new Promise(() => undefined);
        case 'retryThenOk':
          if (attempts === 1) throw new PatinoxError('busy', { code: 'EBUSY', recovery: 'retry' });
          return undefined;
        case 'reentrant':
          // A cleanup that calls back into the registry while it runs.
          registry.stats();
          registry.list();
          for (const g of guards) void g.state;
          return registry.forceCleanupAll({ deadlineMs: 1 }).then(() => undefined);
      }
    };
  };

  const check = (): void => {
    const s = registry.stats();
    expect(s.created).toBe(s.cleaned + s.failed + s.handedBack + s.active);
    expect(registry.list()).toHaveLength(s.active);
    const live = guards.filter((g) => g.state === 'active' || g.state === 'cleaning').length;
    expect(s.active).toBe(live);
    expect(s.timedOut).toBeLessThanOrEqual(s.failed);
  };

  for (const op of ops) {
    const hostile = hostileValues()[Math.max(0, 'h' in op ? op.h : 0) % H]!.value;
    switch (op.kind) {
      case 'create': {
        const options =
          op.options === 'none'
            ? undefined
            : op.options === 'valid'
              ? { name: 'valid', timeoutMs: 30, priority: 2 as const, sizeBytes: 10 }
              : op.options === 'bag'
                ? hostile
                : { [op.options]: hostile };
        try {
          const cleanup = makeCleanup(op.cleanup, hostile);
          guards.push(op.options === 'bag' ? registry.guard({ n: guards.length }, cleanup, options as never) : guard({ n: guards.length }, cleanup, { ...(options as object), registry }));
        } catch (error) {
          if (!isProgrammerError(error)) unexpected.push(error);
        }
        break;
      }
      case 'adopt': {
        try {
          guards.push(registry.adopt(hostile as Disposable));
        } catch (error) {
          if (!isProgrammerError(error)) unexpected.push(error);
        }
        break;
      }
      case 'cleanup':
      case 'intoInner':
      case 'get': {
        const g = guards[op.slot % Math.max(1, guards.length)];
        if (g === undefined) break;
        try {
          if (op.kind === 'cleanup') {
            pending.push(
              g.cleanup().then(undefined, (error: unknown) => {
                if (!isOurs(error, 'RESOURCE_CLEANUP_')) unexpected.push(error);
              }),
            );
          } else if (op.kind === 'intoInner') g.intoInner();
          else g.get();
        } catch (error) {
          if (!isOurs(error)) unexpected.push(error);
        }
        break;
      }
      case 'forceCleanupAll': {
        try {
          pending.push(registry.forceCleanupAll(op.hostile ? { deadlineMs: hostile as number } : { deadlineMs: 40 }));
        } catch (error) {
          if (!isProgrammerError(error)) unexpected.push(error);
        }
        break;
      }
      case 'advance':
        await jest.advanceTimersByTimeAsync(op.ms);
        break;
      case 'observe': {
        registry.collectMetrics();
        const health = await registry.healthCheck().check(new AbortController().signal);
        expect(['up', 'degraded', 'down']).toContain(health.status);
        break;
      }
    }
    await jest.advanceTimersByTimeAsync(0);
    check();
  }

  let report: unknown;
  void registry.shutdown({ deadlineMs: 100 }).then((r) => (report = r));
  // The deadline, then every attempt's timeout and retry: each hung cleanup ends failed.
  for (let i = 0; i < 20 && (report === undefined || registry.stats().active > 0); i += 1) await jest.advanceTimersByTimeAsync(25);
  expect(report).toBeDefined();
  await Promise.all(pending);
  check();
  expect(registry.stats().active).toBe(0);
  for (const g of guards) expect(['cleaned', 'failed', 'taken']).toContain(g.state);
  expect(registry.closed).toBe(true);
  await jest.advanceTimersByTimeAsync(0);
  expect(jest.getTimerCount()).toBe(0);
  expect(unexpected).toEqual([]);
}

describe('ResourceRegistry under hostile input (property)', () => {
  let uncaught: UncaughtWatch;
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
    uncaught = watchUncaught();
  });
  afterEach(() => {
    uncaught.stop();
    jest.useRealTimers();
  });

  it('keeps counts consistent, throws only documented errors, ends every resource and leaves no timer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        await run(ops);
      }),
      { numRuns: 150 },
    );
    expect(uncaught.errors).toEqual([]);
  });
});
