import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  MAX_TIMER_MS,
  PatinoxError,
  describeThrown,
  describeValue,
  expectNonNegativeFinite,
  expectPositiveInteger,
  expectSignal,
  expectTimerMs,
  expectTimerMsOrZero,
  isPatinoxError,
  isThenable,
  raceAbort,
  readOptions,
  serializeError,
  toError,
  withRecovery,
  type RecoveryStrategy,
} from '../src/index.js';

// The kit runs on values a caller (or an attacker) chose, inside other packages' error handling: any
// value, hostile ones included (getters that throw, Proxies whose traps throw, revoked Proxies, frozen and
// null-prototype objects), must be described without a throw, and a bad option must be a TypeError or a
// RangeError. withRecovery must settle, within its attempts, with delays a timer can honour.

// fast-check inspects what it generates, which a throwing Proxy would not survive: generate indexes and
// build the hostile value only when the call is made.
const throwing = (what: string) => (): never => {
  throw new Error(`hostile ${what}`);
};
const HOSTILE: (() => unknown)[] = [
  () => new Proxy({}, { get: throwing('get'), has: throwing('has'), getPrototypeOf: throwing('getPrototypeOf'), ownKeys: throwing('ownKeys') }),
  () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  },
  () =>
    Object.create(Error.prototype, {
      message: { get: throwing('message') },
      name: { get: throwing('name') },
      stack: { get: throwing('stack') },
      cause: { get: throwing('cause') },
      code: { get: throwing('code') },
      then: { get: throwing('then') },
    }) as unknown,
  () => Object.freeze({ message: Object.freeze({}) }),
  () => Object.create(null) as unknown,
  () => Symbol('thrown'),
  () => 10n,
  () => new Proxy(() => undefined, { get: throwing('fn get'), apply: throwing('apply') }),
];
type Gen = { hostile: number } | { plain: unknown };
const value: fc.Arbitrary<Gen> = fc.oneof(
  { weight: 2, arbitrary: fc.nat(HOSTILE.length - 1).map((hostile) => ({ hostile })) },
  { weight: 3, arbitrary: fc.anything({ withBigInt: true, withNullPrototype: true, withTypedArray: true }).map((plain) => ({ plain })) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, -1, -0, Infinity, 2 ** 31, MAX_TIMER_MS, Number.MAX_SAFE_INTEGER + 1).map((plain) => ({ plain })) },
);
const make = (g: Gen): unknown => ('hostile' in g ? HOSTILE[g.hostile]!() : g.plain);

const isTyped = (error: unknown): boolean => error instanceof TypeError || error instanceof RangeError;

describe('describing any value (property)', () => {
  it('describeValue, describeThrown, toError, serializeError, isPatinoxError and isThenable never throw', () => {
    fc.assert(
      fc.property(value, (g) => {
        const v = make(g);
        expect(typeof describeValue(v)).toBe('string');
        const described = describeThrown(v);
        expect(typeof described).toBe('string');
        expect(described.length).toBeGreaterThan(0);
        expect(toError(v)).toBeInstanceOf(Error);
        expect(typeof serializeError(v).message).toBe('string');
        expect(typeof isPatinoxError(v)).toBe('boolean');
        expect(typeof isPatinoxError(v, 'X')).toBe('boolean');
        expect(typeof isThenable(v)).toBe('boolean');
      }),
    );
  });
});

describe('validators on any value (property)', () => {
  const validators: [string, (name: string, v: unknown) => unknown, (out: unknown) => boolean][] = [
    ['expectTimerMs', expectTimerMs, (out) => typeof out === 'number' && out > 0 && out <= MAX_TIMER_MS],
    ['expectTimerMsOrZero', expectTimerMsOrZero, (out) => typeof out === 'number' && out >= 0 && out <= MAX_TIMER_MS],
    ['expectPositiveInteger', expectPositiveInteger, (out) => Number.isInteger(out) && (out as number) >= 1],
    ['expectNonNegativeFinite', expectNonNegativeFinite, (out) => Number.isFinite(out) && (out as number) >= 0],
    ['expectSignal', expectSignal, (out) => typeof (out as AbortSignal).aborted === 'boolean'],
    ['readOptions', (name, v) => readOptions(name, v, ['a', 'b', 'then']), (out) => typeof out === 'object' && out !== null],
  ];

  it.each(validators)('%s returns a value it promises or throws a TypeError/RangeError naming the option', (_label, check, promise) => {
    fc.assert(
      fc.property(value, (g) => {
        const v = make(g);
        let out: unknown;
        try {
          out = check('opt', v);
        } catch (error) {
          expect(isTyped(error)).toBe(true);
          expect((error as Error).message).toContain('`opt`');
          return;
        }
        expect(promise(out)).toBe(true);
      }),
    );
  });
});

describe('withRecovery under hostile failures and options (property)', () => {
  const strategy = fc.constantFrom<RecoveryStrategy | 'hostile'>('retry', 'fail', 'fallback', 'hostile');
  const delay = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(2 ** 31, MAX_TIMER_MS, NaN, -1, Infinity));

  it('settles within maxAttempts, rejects only with an Error, refuses bad options with TypeError/RangeError, and never asks for a delay a timer cannot honour', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(value.map((thrown) => ({ thrown })), strategy.map((recovery) => ({ recovery }))), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 5 }),
        delay,
        delay,
        fc.boolean(),
        async (script, maxAttempts, baseDelayMs, maxDelayMs, withFallback) => {
          const delays: number[] = [];
          let calls = 0;
          let outcome: 'value' | 'error';
          let result: unknown;
          try {
            result = await withRecovery(
              () => {
                const step = script[Math.min(calls, script.length - 1)]!;
                calls += 1;
                if ('thrown' in step) throw make(step.thrown);
                if (step.recovery === 'hostile') throw HOSTILE[2]!();
                throw new PatinoxError('step', { code: 'STEP', recovery: step.recovery });
              },
              {
                maxAttempts,
                baseDelayMs,
                maxDelayMs,
                random: () => 0.5,
                sleep: (ms) => {
                  delays.push(ms);
                  return Promise.resolve();
                },
                ...(withFallback ? { fallback: () => 'fallback' } : {}),
              },
            );
            outcome = 'value';
          } catch (error) {
            result = error;
            outcome = 'error';
          }
          if (outcome === 'value') expect(result).toBe('fallback');
          else expect(result).toBeInstanceOf(Error);
          const validDelay = (d: number): boolean => Number.isFinite(d) && d >= 0 && d <= MAX_TIMER_MS;
          if (!validDelay(baseDelayMs) || !validDelay(maxDelayMs)) {
            // Refused before the first attempt.
            expect(isTyped(result)).toBe(true);
            expect(calls).toBe(0);
            return;
          }
          expect(calls).toBeGreaterThanOrEqual(1);
          expect(calls).toBeLessThanOrEqual(maxAttempts);
          expect(delays).toHaveLength(calls - 1);
          for (const d of delays) expect(validDelay(d)).toBe(true);
        },
      ),
    );
  });

  it('refuses an options bag that throws when read, and options of the wrong kind, with a TypeError before the first attempt', async () => {
    let calls = 0;
    const fn = (): number => (calls += 1);
    for (const options of [HOSTILE[0]!(), HOSTILE[1]!(), { signal: {} }, { sleep: 5 }, { random: 'x' }, { onRetry: 1 }, { fallback: {} }, { classify: null }]) {
      await expect(withRecovery(fn, options as never)).rejects.toBeInstanceOf(TypeError);
    }
    expect(calls).toBe(0);
  });

  it('raceAbort rejects with an Error whatever the promise rejects with', async () => {
    await fc.assert(
      fc.asyncProperty(value, async (g) => {
        const controller = new AbortController();
        // Kept in a variable, not returned: resolving with an error whose `then` getter throws would read it.
        let error: unknown;
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a hostile value is the point
        await raceAbort(Promise.reject(make(g)), controller.signal).then(
          () => undefined,
          (e: unknown) => void (error = e),
        );
        expect(error).toBeInstanceOf(Error);
      }),
    );
  });
});
