import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import { hostileValues, watchUncaught, type UncaughtWatch } from '@patinox/test-servers';
import { spawn } from 'node:child_process';
import fc from 'fast-check';
import { Pool, type PooledConnection } from '../src/index.js';
import { FakeManager, type FakeConnection } from './helpers.js';

// Random sequences of pool calls with hostile arguments and a hostile manager (hangs, throws of any
// value, re-entrant calls), operations (suspend, resume, evictions, drain) and priorities, checked against a model of what the caller holds. Invariants: no uncaught
// exception or unhandled rejection, only documented errors, counts consistent after every step, every
// caller settled and no timer left once the pool is closed.

type Behaviour = 'ok' | 'fail' | 'hang' | 'hostile';
type Op =
  | { kind: 'acquire'; arg: 'none' | 'options' | 'timeoutMs' | 'signal' | 'abort'; h: number }
  | { kind: 'release' | 'destroy' | 'releaseTwice' | 'read' | 'connError'; slot: number }
  | { kind: 'use'; h: number; reentrant: boolean }
  | { kind: 'resize'; h: number; min: number; max: number }
  | { kind: 'create' | 'validate' | 'destroyBehaviour'; behaviour: Behaviour; h: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'operate'; what: 'suspend' | 'resume' | 'evictIdle' | 'softEvictAll' | 'drain' | 'priority'; h: number }
  | { kind: 'observe' };

const H = hostileValues().length;
const behaviour = fc.constantFrom<Behaviour>('ok', 'ok', 'fail', 'hang', 'hostile');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('acquire' as const), arg: fc.constantFrom('none', 'none', 'options', 'timeoutMs', 'signal', 'abort') as fc.Arbitrary<'none'>, h: fc.nat({ max: H - 1 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('release', 'destroy', 'releaseTwice', 'read', 'connError') as fc.Arbitrary<'release'>, slot: fc.nat({ max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('use' as const), h: fc.nat({ max: H - 1 }), reentrant: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resize' as const), h: fc.integer({ min: -1, max: H - 1 }), min: fc.nat({ max: 3 }), max: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('create', 'validate', 'destroyBehaviour') as fc.Arbitrary<'create'>, behaviour, h: fc.nat({ max: H - 1 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(0, 1, 10, 35, 120) }) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'observe' }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('operate' as const),
      what: fc.constantFrom('suspend', 'resume', 'evictIdle', 'softEvictAll', 'drain', 'priority') as fc.Arbitrary<'suspend'>,
      h: fc.nat({ max: H - 1 }),
    }),
  },
);

function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

/** A manager whose create, isValid and destroy behave as the sequence says, re-entering the pool at times. */
class HostileManager extends FakeManager {
  createAs: Behaviour = 'ok';
  validAs: Behaviour = 'ok';
  destroyAs: Behaviour = 'ok';
  hostile: unknown = null;
  reenter: (() => void) | undefined;

  override create(signal: AbortSignal): Promise<FakeConnection> {
    this.reenter?.();
    if (this.createAs === 'fail') return Promise.reject(new Error('ECONNREFUSED'));
    if (this.createAs === 'hang') return never();
     
    if (this.createAs === 'hostile') throw this.hostile;
    return super.create(signal);
  }

  override isValid(connection: FakeConnection): boolean | Promise<boolean> {
    this.reenter?.();
    if (this.validAs === 'fail') return false;
    if (this.validAs === 'hang') return never();
     
    if (this.validAs === 'hostile') throw this.hostile;
    return super.isValid(connection);
  }

  override destroy(connection: FakeConnection): void {
    this.reenter?.();
    if (this.destroyAs === 'hang') return never() as unknown as undefined;
     
    if (this.destroyAs === 'hostile') throw this.hostile;
    super.destroy(connection);
  }
}

function isProgrammerError(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError;
}

async function run(ops: Op[]): Promise<void> {
  // A run that failed half way leaves its timers behind; each run starts from none.
  jest.clearAllTimers();
  const manager = new HostileManager();
  const pool = new Pool(manager, {
    maxSize: 3,
    acquireTimeoutMs: 100,
    createTimeoutMs: 50,
    validationTimeoutMs: 30,
    destroyTimeoutMs: 30,
    validationSkipWindowMs: 0,
    healthCheckIntervalMs: 40,
    idleTimeoutMs: 60,
    createRetryDelayMs: 5,
    createRetryMaxDelayMs: 20,
  });
  const loans: PooledConnection<FakeConnection>[] = [];
  const held = new Set<PooledConnection<FakeConnection>>();
  let pending = 0;
  let drains = 0;
  let closing = false;
  const unexpected: unknown[] = [];
  const abortReason = new Error('aborted by the test');

  /** Starts an acquire and accounts for its outcome; a sync throw must be a programmer error. */
  const acquire = (call: () => Promise<PooledConnection<FakeConnection>>): void => {
    let promise: Promise<PooledConnection<FakeConnection>>;
    try {
      promise = call();
    } catch (error) {
      if (!isProgrammerError(error)) unexpected.push(error);
      return;
    }
    pending += 1;
    promise.then(
      (loan) => {
        pending -= 1;
        // Once closing, a caller served by a release gives its loan straight back, as a well-behaved one would.
        if (closing) {
          loan.release();
          return;
        }
        loans.push(loan);
        held.add(loan);
      },
      (error: unknown) => {
        pending -= 1;
        const code = isPatinoxError(error) ? error.code : undefined;
        if (error !== abortReason && !(code !== undefined && code.startsWith('POOL_'))) unexpected.push(error);
      },
    );
  };
  manager.reenter = () => {
    // Re-entrant calls from inside the manager: reading state is always allowed.
    pool.stats();
  };

  const check = (): void => {
    const s = pool.stats();
    expect(s.size).toBe(s.idle + s.borrowed + s.pendingCreates);
    expect(s.borrowed).toBeGreaterThanOrEqual(held.size);
    expect(s.waiting).toBe(pending);
    expect(s.idle).toBeLessThanOrEqual(s.maxSize);
    expect(s.minSize).toBeLessThanOrEqual(s.maxSize);
    expect(Number.isFinite(s.utilization)).toBe(true);
  };

  for (const op of ops) {
    const hostile = hostileValues()[Math.max(0, 'h' in op ? op.h : 0) % H]!.value;
    switch (op.kind) {
      case 'acquire': {
        if (op.arg === 'none') acquire(() => pool.acquire());
        else if (op.arg === 'options') acquire(() => pool.acquire(hostile as never));
        else if (op.arg === 'timeoutMs') acquire(() => pool.acquire({ timeoutMs: hostile as number }));
        else if (op.arg === 'signal') acquire(() => pool.acquire({ signal: hostile as AbortSignal }));
        else {
          const controller = new AbortController();
          acquire(() => pool.acquire({ signal: controller.signal }));
          controller.abort(abortReason);
        }
        break;
      }
      case 'release':
      case 'destroy':
      case 'releaseTwice':
      case 'read':
      case 'connError': {
        const loan = loans[op.slot % Math.max(1, loans.length)];
        if (loan === undefined) break;
        if (op.kind === 'read') {
          try {
            void loan.connection;
          } catch (error) {
            if (!isPatinoxError(error, 'POOL_LOAN_RELEASED')) unexpected.push(error);
          }
        } else if (op.kind === 'connError') {
          if (held.has(loan)) loan.connection.emit('error', hostile);
        } else {
          if (op.kind === 'destroy') loan.destroy(hostile);
          else loan.release();
          if (op.kind === 'releaseTwice') loan.release();
          held.delete(loan);
        }
        break;
      }
      case 'use': {
        try {
          const used = pool.use((connection) => {
            if (op.reentrant) acquire(() => pool.acquire({ timeoutMs: 5 }));
            void connection;
             
            throw hostile;
          });
          pending += 1;
          used.then(
            () => (pending -= 1),
            () => (pending -= 1),
          );
        } catch (error) {
          unexpected.push(error);
        }
        // `use` holds a waiter or a loan until it settles: let it settle before counting.
        await jest.advanceTimersByTimeAsync(0);
        break;
      }
      case 'resize': {
        try {
          pool.resize(op.h < 0 ? { minSize: Math.min(op.min, op.max), maxSize: op.max } : { maxSize: hostile as number });
        } catch (error) {
          if (!isProgrammerError(error)) unexpected.push(error);
        }
        break;
      }
      case 'create':
        manager.createAs = op.behaviour;
        manager.hostile = hostile;
        break;
      case 'validate':
        manager.validAs = op.behaviour;
        manager.hostile = hostile;
        break;
      case 'destroyBehaviour':
        manager.destroyAs = op.behaviour;
        manager.hostile = hostile;
        break;
      case 'advance':
        await jest.advanceTimersByTimeAsync(op.ms);
        break;
      case 'operate': {
        try {
          if (op.what === 'priority') acquire(() => pool.acquire({ priority: hostile as number }));
          else if (op.what === 'drain') {
            drains += 1;
            pool.drain().then(
              () => (drains -= 1),
              (error: unknown) => {
                drains -= 1;
                unexpected.push(error);
              },
            );
          } else pool[op.what]();
        } catch (error) {
          unexpected.push(error);
        }
        break;
      }
      case 'observe': {
        pool.collectMetrics();
        const health = await pool.healthCheck().check(new AbortController().signal);
        expect(['up', 'degraded', 'down']).toContain(health.status);
        break;
      }
    }
    await jest.advanceTimersByTimeAsync(0);
    check();
  }

  closing = true;
  for (const loan of held) loan.release();
  held.clear();
  let report: unknown;
  void pool.close({ deadlineMs: 200 }).then((r) => (report = r));
  for (let i = 0; i < 10 && report === undefined; i += 1) await jest.advanceTimersByTimeAsync(50);
  expect(report).toMatchObject({ leaked: [] });
  expect(pending).toBe(0);
  expect(drains).toBe(0);
  expect(pool.stats()).toMatchObject({ size: 0, idle: 0, borrowed: 0, waiting: 0, pendingCreates: 0, closed: true });
  expect(jest.getTimerCount()).toBe(0);
  expect(unexpected).toEqual([]);
}

describe('Pool under hostile input (property)', () => {
  let uncaught: UncaughtWatch;
  beforeEach(() => {
    jest.useFakeTimers();
    uncaught = watchUncaught();
  });
  afterEach(() => {
    uncaught.stop();
    jest.useRealTimers();
  });

  it('keeps counts consistent, throws only documented errors, settles every caller and leaves no timer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        await run(ops);
      }),
      { numRuns: 150 },
    );
    expect(uncaught.errors).toEqual([]);
  });
});

// Real timers, checked in a child process against the built package: inside jest, jest's own timers
// come and go and would blur a count of the event loop's timers.
const DIST = new URL('../dist/esm/index.js', import.meta.url).href;
const CHILD = `
  const { Pool } = await import(process.argv[1]);
  const cases = JSON.parse(process.argv[2]);
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const never = () => new Promise(() => {});
  const out = [];
  for (const [createAs0, validAs0, destroyAs0, loansOut] of cases) {
    const baseline = timers();
    let createAs = 'ok', validAs = 'ok', destroyAs = 'ok', id = 0;
    const act = (as, ok) => as === 'hang' ? never() : as === 'fail' ? Promise.reject(new Error('fail')) : as === 'hostile' ? Promise.reject(new Proxy({}, { get() { throw new Error('trap'); } })) : ok();
    const manager = {
      create: () => act(createAs, () => Promise.resolve({ id: ++id })),
      isValid: () => act(validAs, () => true),
      destroy: () => destroyAs === 'ok' ? undefined : act(destroyAs, () => undefined),
    };
    const pool = new Pool(manager, { maxSize: 3, acquireTimeoutMs: 20, createTimeoutMs: 10, validationTimeoutMs: 5, destroyTimeoutMs: 5, validationSkipWindowMs: 0 });
    const first = await pool.acquire().catch(() => undefined);
    first?.release();
    createAs = createAs0; validAs = validAs0; destroyAs = destroyAs0;
    const loans = await Promise.all(Array.from({ length: loansOut }, () => pool.acquire().catch(() => undefined)));
    for (const loan of loans.slice(1)) loan?.release();
    await pool.close({ deadlineMs: 15 });
    out.push({ baseline, after: timers() });
  }
  console.log(JSON.stringify(out));
`;

describe('Pool with real timers and a manager that hangs (property)', () => {
  it('leaves no timer on the event loop once close() resolves', async () => {
    const cases = fc.sample(fc.tuple(behaviour, behaviour, behaviour, fc.nat({ max: 3 })), 24);
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '--unhandled-rejections=strict', '-e', CHILD, DIST, JSON.stringify(cases)], { env });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const counts = JSON.parse(result.stdout) as { baseline: number; after: number }[];
    expect(counts).toHaveLength(cases.length);
    for (const [i, count] of counts.entries()) expect({ case: cases[i], after: count.after }).toEqual({ case: cases[i], after: count.baseline });
  });
});
