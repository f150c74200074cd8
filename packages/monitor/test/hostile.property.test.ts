import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { HOSTILE_COUNT, HostileRef, resolveHostile, watchUncaught } from '@patinox/test-servers';
import fc from 'fast-check';
import { Histogram, MemoryMonitor, checkHealth, defineEvents, expectMonitor, type HealthCheck, type HealthResult } from '../src/index.js';

// Random sequences of calls with hostile arguments (NaN, negative, huge, wrong types, throwing getters,
// Proxies) against a reference model. Invariants: no uncaught exception or unhandled rejection, only
// TypeError/RangeError escape, no hang (checkHealth settles by its deadline), no timer left after it, and
// counts consistent with the model.

// Generated data carries HostileRefs (fast-check cannot print a Proxy whose traps throw), resolved per call.
const hostile = fc.nat(HOSTILE_COUNT - 1).map((i) => new HostileRef(i));
const real = resolveHostile;

function isTyped(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError;
}

describe('Histogram under hostile input (property)', () => {
  const value = fc.oneof(
    { weight: 4, arbitrary: fc.double({ min: 0, max: 1e9, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(0, -0, -1, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE) },
    { weight: 1, arbitrary: hostile },
  );
  type Op = { t: 'record'; v: unknown } | { t: 'percentile'; q: unknown } | { t: 'merge' } | { t: 'reset' };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 8, arbitrary: fc.record({ t: fc.constant('record' as const), v: value }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('percentile' as const), q: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), hostile) }) },
    { weight: 1, arbitrary: fc.constant({ t: 'merge' as const }) },
    { weight: 1, arbitrary: fc.constant({ t: 'reset' as const }) },
  );

  it('counts every finite non-negative number and nothing else, keeps sum, min, max and percentiles consistent, and throws only TypeError/RangeError', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const h = new Histogram();
        let model: number[] = [];
        let invalid = 0;
        for (const o of ops) {
          if (o.t === 'record') {
            const v = real(o.v);
            try {
              h.record(v as number);
            } catch (error) {
              expect(isTyped(error)).toBe(true);
            }
            if (typeof v === 'number' && v >= 0 && v !== Infinity) model.push(v);
            else invalid += 1;
          } else if (o.t === 'percentile') {
            try {
              const p = h.percentile(real(o.q) as number);
              if (model.length > 0) {
                expect(p).toBeGreaterThanOrEqual(Math.min(...model));
                expect(p).toBeLessThanOrEqual(Math.max(...model));
              } else expect(p).toBe(0);
            } catch (error) {
              expect(isTyped(error)).toBe(true);
            }
          } else if (o.t === 'merge') {
            const other = new Histogram();
            other.record(5);
            h.merge(other);
            model.push(5);
          } else {
            h.reset();
            model = [];
            invalid = 0;
          }
          expect(h.count).toBe(model.length);
          expect(h.invalid).toBe(invalid);
          // Only finite values are recorded, but a sum of them can still overflow (Number.MAX_VALUE twice):
          // then it is Infinity, as the model's is; otherwise it is finite and matches.
          const modelSum = model.reduce((a, b) => a + b, 0);
          if (Number.isFinite(modelSum)) {
            expect(Number.isFinite(h.sum)).toBe(true);
            expect(h.sum).toBeCloseTo(modelSum, 0);
          } else expect(h.sum).toBe(modelSum);
          // (+ 0 folds -0 into 0: the histogram records -0 as a zero.)
          expect(h.min + 0).toBe(model.length === 0 ? 0 : Math.min(...model) + 0);
          expect(h.max + 0).toBe(model.length === 0 ? 0 : Math.max(...model) + 0);
          const s = h.summary();
          expect(Number.isFinite(s.mean)).toBe(Number.isFinite(modelSum));
        }
      }),
      // Found by a CI run (seed 1807786797): a sum of finite values that overflows.
      { examples: [[[{ t: 'record', v: Number.MAX_VALUE }, { t: 'record', v: Number.MAX_VALUE }]]] },
    );
  });
});

describe('checkHealth under hostile checks (property)', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  type Kind = 'up' | 'degraded' | 'down' | 'throws' | 'rejects' | 'hangs' | 'garbage' | 'hostile-result' | 'hostile-check' | 'hostile-name' | 'slow';
  const kind = fc.constantFrom<Kind>('up', 'degraded', 'down', 'throws', 'rejects', 'hangs', 'garbage', 'hostile-result', 'hostile-check', 'hostile-name', 'slow');

  function makeCheck(k: Kind, i: number, h: unknown, timeoutMs: number): HealthCheck {
    const named = (check: (signal: AbortSignal) => HealthResult | Promise<HealthResult>): HealthCheck => ({ name: `c${i}`, check });
    switch (k) {
      case 'up':
      case 'degraded':
      case 'down':
        return named(() => ({ status: k }));
      case 'throws':
        return named(() => {
          throw h;
        });
      case 'rejects':
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a hostile value is the point
        return named(() => Promise.reject(h));
      case 'hangs':
        return named(() => new Promise<HealthResult>(() => undefined));
      case 'garbage':
        return named(() => h as HealthResult);
      case 'hostile-result':
        return named(() => new Proxy({}, { get: () => { throw new Error('result trap'); }, has: () => { throw new Error('has trap'); } }) as HealthResult);
      case 'hostile-check':
        return h as HealthCheck;
      case 'hostile-name':
        return Object.create(null, { name: { get: () => { throw new Error('name getter'); } }, check: { value: () => ({ status: 'up' }) } }) as HealthCheck;
      case 'slow':
        return named(() => new Promise<HealthResult>((resolve) => setTimeout(() => resolve({ status: 'up' }), timeoutMs * 2)));
    }
  }

  it('settles by its deadline with one report per check, the worst status, never throws past its own TypeError, and leaves no timer', async () => {
    const uncaught = watchUncaught();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(kind, hostile), { maxLength: 8 }), fc.integer({ min: 1, max: 500 }), async (specs, timeoutMs) => {
        const checks = specs.map(([k, ref], i) => makeCheck(k, i, real(ref), timeoutMs));
        let settled = false;
        let report: Awaited<ReturnType<typeof checkHealth>> | undefined;
        let failure: unknown;
        checkHealth(checks, { timeoutMs }).then(
          (r) => ((settled = true), (report = r)),
          (e: unknown) => ((settled = true), (failure = e)),
        );
        await jest.advanceTimersByTimeAsync(timeoutMs);
        expect(settled).toBe(true);
        if (failure !== undefined) {
          // Only a check list that is not an array, or a check that is not a HealthCheck, may be refused.
          expect(isTyped(failure)).toBe(true);
          return;
        }
        expect(report!.checks).toHaveLength(checks.length);
        const rank = { up: 0, degraded: 1, down: 2 } as const;
        const worst = report!.checks.reduce((w, c) => Math.max(w, rank[c.status]), 0);
        expect(rank[report!.status]).toBe(worst);
        for (const [j, c] of report!.checks.entries()) {
          expect(typeof c.name).toBe('string');
          const k = specs[j]![0];
          if (k === 'up' || k === 'degraded' || k === 'down') expect(c.status).toBe(k);
          if (k === 'throws' || k === 'rejects' || k === 'hangs' || k === 'hostile-result' || k === 'slow') expect(c.status).toBe('down');
        }
        expect(jest.getTimerCount()).toBe(specs.filter(([k]) => k === 'slow').length);
        jest.clearAllTimers();
      }),
    );
    uncaught.stop();
    expect(uncaught.errors).toEqual([]);
  });
});

describe('MemoryMonitor, expectMonitor and defineEvents under hostile input (property)', () => {
  it('keeps the last `capacity` events in order and counts every record; the checks throw only TypeError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.oneof(fc.string(), hostile), { maxLength: 30 }), (capacity, items) => {
        const monitor = new MemoryMonitor({ capacity });
        const types: string[] = [];
        for (const [i, item] of items.entries()) {
          const type = `t.e${i}`;
          monitor.record({ type, source: 's', timestamp: i, data: { item: real(item) } });
          types.push(type);
          try {
            expectMonitor('monitor', real(item));
          } catch (error) {
            expect(error).toBeInstanceOf(TypeError);
          }
          try {
            defineEvents('t', { a: real(item) as string });
          } catch (error) {
            expect(error).toBeInstanceOf(TypeError);
          }
        }
        expect(monitor.totalRecorded).toBe(items.length);
        expect(monitor.events().map((e) => e.type)).toEqual(types.slice(-capacity));
      }),
    );
  });
});
