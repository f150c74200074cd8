import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { Pool, type PooledConnection } from '../src/index.js';
import { FakeManager, flush, type FakeConnection } from './helpers.js';

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

/** A pool of one connection, already lent, so every further acquire queues. */
async function busyPool(options: { fairQueue?: boolean } = {}): Promise<{ pool: Pool<FakeConnection>; held: PooledConnection<FakeConnection> }> {
  const pool = new Pool(new FakeManager(), { maxSize: 1, acquireTimeoutMs: 1_000_000, ...options });
  const held = await pool.acquire();
  return { pool, held };
}

describe('Pool acquire priorities', () => {
  it('serves a higher priority first and first come, first served within a priority', async () => {
    const { pool, held } = await busyPool();
    const served: string[] = [];
    const loans = new Map<string, Promise<PooledConnection<FakeConnection>>>();
    const queue = (name: string, priority?: number): void => {
      const p = pool.acquire(priority === undefined ? undefined : { priority });
      loans.set(name, p);
      void p.then(() => served.push(name));
    };
    queue('a0');
    queue('b-1', -1);
    queue('c5', 5);
    queue('d0', 0);
    queue('e5', 5);
    queue('f-1', -1);
    let loan = held;
    for (let i = 0; i < 6; i += 1) {
      loan.release();
      await flush(0);
      loan = await loans.get(served.at(-1)!)!;
    }
    expect(served).toEqual(['c5', 'e5', 'a0', 'd0', 'b-1', 'f-1']);
    loan.release();
    await pool.close();
  });

  it('serves the newest first within a priority when fairQueue is false', async () => {
    const { pool, held } = await busyPool({ fairQueue: false });
    const served: number[] = [];
    const all = [1, 2, 3].map((i) => pool.acquire({ priority: i === 1 ? 1 : 0 }).then((loan) => (served.push(i), loan)));
    held.release();
    await flush(0);
    (await all[0]!).release();
    await flush(0);
    (await all[2]!).release();
    await flush(0);
    expect(served).toEqual([1, 3, 2]);
    (await all[1]!).release();
    await pool.close();
  });

  it('never passes over the longest-waiting caller more than 7 times in a row', async () => {
    const { pool, held } = await busyPool();
    const served: string[] = [];
    const low = pool.acquire({ priority: -5 }).then((loan) => (served.push('low'), loan));
    const high: Promise<PooledConnection<FakeConnection>>[] = [];
    for (let i = 0; i < 20; i += 1) high.push(pool.acquire({ priority: 5 }).then((loan) => (served.push(`h${i}`), loan)));
    // The callers still queued at the end are rejected by close().
    for (const p of high) p.catch(() => undefined);
    let loan = held;
    for (let i = 0; i < 10; i += 1) {
      loan.release();
      await flush(0);
      const last = served.at(-1)!;
      loan = await (last === 'low' ? low : high[Number(last.slice(1))]!);
    }
    expect(served.indexOf('low')).toBe(7);
    loan.release();
    await pool.close({ deadlineMs: 0 });
  });

  it('refuses a priority that is not a safe integer with the house TypeError/RangeError', async () => {
    const pool = new Pool(new FakeManager());
    expect(() => pool.acquire({ priority: 1.5 })).toThrow(RangeError);
    expect(() => pool.acquire({ priority: Infinity })).toThrow(/`priority` to be a safe integer, got Infinity/);
    expect(() => pool.acquire({ priority: NaN })).toThrow(RangeError);
    expect(() => pool.acquire({ priority: '1' as never })).toThrow(TypeError);
    await pool.close();
  });
});

// The reference model: the waiters in arrival order and the rule of WaiterQueue, written naively.
interface ModelWaiter {
  id: number;
  priority: number;
}

class ReferenceQueue {
  waiting: ModelWaiter[] = [];
  passedOver = 0;

  take(): ModelWaiter {
    const best = Math.max(...this.waiting.map((w) => w.priority));
    let pick = this.waiting.find((w) => w.priority === best)!;
    if (pick !== this.waiting[0]) {
      if (this.passedOver >= 7) pick = this.waiting[0]!;
      else this.passedOver += 1;
    }
    if (pick === this.waiting[0]) this.passedOver = 0;
    this.remove(pick.id);
    return pick;
  }

  remove(id: number): void {
    this.waiting = this.waiting.filter((w) => w.id !== id);
    if (this.waiting.length === 0) this.passedOver = 0;
  }
}

type Op = { kind: 'acquire'; priorities: number[] } | { kind: 'handoff'; times: number } | { kind: 'abort'; index: number };

const priorityArb = fc.constantFrom(-2, 0, 0, 1, 3);
// Bursts of callers and of hand-offs, so queues get deep enough to reach the aging bound.
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('acquire' as const), priorities: fc.array(priorityArb, { minLength: 1, maxLength: 12 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('handoff' as const), times: fc.integer({ min: 1, max: 10 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('abort' as const), index: fc.nat({ max: 20 }) }) },
);

describe('Pool acquire priorities (property)', () => {
  it('hands off in the order of the reference model: by priority, FIFO within one, aging bound of 8', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 40 }), async (ops) => {
        const { pool, held } = await busyPool();
        const model = new ReferenceQueue();
        const served: number[] = [];
        const expected: number[] = [];
        const promises = new Map<number, Promise<PooledConnection<FakeConnection>>>();
        const controllers = new Map<number, AbortController>();
        const priorities = new Map<number, number>();
        let loan = held;
        let nextId = 0;
        let passedOldest = 0;
        for (const op of ops) {
          if (op.kind === 'acquire') {
            for (const priority of op.priorities) {
              const id = nextId++;
              const controller = new AbortController();
              controllers.set(id, controller);
              priorities.set(id, priority);
              const p = pool.acquire({ priority, signal: controller.signal }).then((l) => (served.push(id), l));
              // Aborted callers and those still queued at close() reject.
              p.catch(() => undefined);
              promises.set(id, p);
              model.waiting.push({ id, priority });
            }
          } else if (op.kind === 'abort') {
            if (model.waiting.length === 0) continue;
            const victim = model.waiting[op.index % model.waiting.length]!;
            model.remove(victim.id);
            controllers.get(victim.id)!.abort(new Error('abort'));
            await promises.get(victim.id)!.catch(() => undefined);
          } else {
            for (let i = 0; i < op.times && model.waiting.length > 0; i += 1) {
              const oldest = model.waiting[0]!.id;
              const want = model.take();
              expected.push(want.id);
              loan.release();
              await flush(0);
              const got = served.at(-1)!;
              // The bound itself, checked on what the pool did, independent of the model.
              passedOldest = got === oldest ? 0 : passedOldest + 1;
              expect(passedOldest).toBeLessThanOrEqual(7);
              loan = await promises.get(got)!;
            }
          }
        }
        expect(served).toEqual(expected);
        // FIFO within each priority.
        for (const priority of new Set(priorities.values())) {
          const ids = served.filter((id) => priorities.get(id) === priority);
          expect(ids).toEqual([...ids].sort((a, b) => a - b));
        }
        expect(pool.stats().waiting).toBe(model.waiting.length);
        loan.release();
        await pool.close({ deadlineMs: 0 });
      }),
      { numRuns: 150 },
    );
  });
});
