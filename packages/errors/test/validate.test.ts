import { describe, expect, it } from '@jest/globals';
import {
  MAX_TIMER_MS,
  expectBoolean,
  expectFunction,
  expectNonEmptyString,
  expectNonNegativeFinite,
  expectNonNegativeInteger,
  expectObject,
  expectOneOf,
  expectPositiveFinite,
  expectPositiveInteger,
  expectSignal,
  expectString,
  expectTimerMs,
  expectTimerMsOrZero,
  optional,
  readOptions,
} from '../src/index.js';

describe('option validators', () => {
  it('name the option, the expectation and what arrived', () => {
    expect(() => expectPositiveInteger('maxSize', -1)).toThrow(new RangeError('Expected `maxSize` to be a positive integer, got -1 (number)'));
    expect(() => expectPositiveInteger('maxSize', '3')).toThrow(new TypeError('Expected `maxSize` to be a positive integer, got "3" (string)'));
    expect(() => expectPositiveInteger('maxSize', 1.5)).toThrow(RangeError);
    expect(expectPositiveInteger('maxSize', 3)).toBe(3);
    expect(() => expectNonNegativeInteger('minSize', -1)).toThrow(RangeError);
    expect(() => expectNonNegativeInteger('minSize', null)).toThrow(TypeError);
    expect(expectNonNegativeInteger('minSize', 0)).toBe(0);
    expect(() => expectNonNegativeFinite('ttlMs', Infinity)).toThrow('Expected `ttlMs` to be a non-negative finite number, got Infinity (number)');
    expect(() => expectNonNegativeFinite('ttlMs', NaN)).toThrow(RangeError);
    expect(() => expectNonNegativeFinite('ttlMs', undefined)).toThrow(TypeError);
    expect(expectNonNegativeFinite('ttlMs', 0)).toBe(0);
    expect(() => expectPositiveFinite('rate', 0)).toThrow(RangeError);
    expect(() => expectPositiveFinite('rate', 'x')).toThrow(TypeError);
    expect(expectPositiveFinite('rate', 0.5)).toBe(0.5);
    expect(() => expectFunction('cleanup', 42)).toThrow('Expected `cleanup` to be a function, got 42 (number)');
    const fn = (): number => 1;
    expect(expectFunction('cleanup', fn)).toBe(fn);
    expect(() => expectOneOf('mode', 'rw', ['read', 'write'])).toThrow('Expected `mode` to be one of read, write, got "rw" (string)');
    expect(expectOneOf('mode', 'read', ['read', 'write'])).toBe('read');
    expect(() => expectBoolean('fair', 1)).toThrow(TypeError);
    expect(expectBoolean('fair', false)).toBe(false);
  });

  it('optional applies the check only when a value is given', () => {
    expect(optional('maxSize', undefined, expectPositiveInteger, 10)).toBe(10);
    expect(optional('maxSize', 4, expectPositiveInteger, 10)).toBe(4);
    expect(() => optional('maxSize', 0, expectPositiveInteger, 10)).toThrow(RangeError);
  });

  it('check objects and strings with the same message shape', () => {
    expect(() => expectObject('options', null)).toThrow(new TypeError('Expected `options` to be an object, got null'));
    expect(() => expectObject('options', 'x')).toThrow(new TypeError('Expected `options` to be an object, got "x" (string)'));
    expect(() => expectObject('migrations', 1, 'an object of functions')).toThrow('Expected `migrations` to be an object of functions, got 1 (number)');
    const bag = { a: 1 };
    expect(expectObject('options', bag)).toBe(bag);
    expect(expectObject('list', [])).toEqual([]);
    expect(() => expectString('tag', 3)).toThrow(new TypeError('Expected `tag` to be a string, got 3 (number)'));
    expect(expectString('tag', '')).toBe('');
    expect(() => expectNonEmptyString('name', '')).toThrow(new TypeError('Expected `name` to be a non-empty string, got "" (string)'));
    expect(() => expectNonEmptyString('name', undefined)).toThrow(TypeError);
    expect(expectNonEmptyString('name', 'pool')).toBe('pool');
  });
});

describe('expectTimerMs', () => {
  it('accepts durations a timer can honour and rejects the rest naming the bound', () => {
    expect(expectTimerMs('idleTimeoutMs', 1)).toBe(1);
    expect(expectTimerMs('idleTimeoutMs', MAX_TIMER_MS)).toBe(2 ** 31 - 1);
    expect(() => expectTimerMs('idleTimeoutMs', 2 ** 31)).toThrow(
      new RangeError('Expected `idleTimeoutMs` to be a positive number of ms at most 2147483647, got 2147483648 (number)'),
    );
    expect(() => expectTimerMs('idleTimeoutMs', 0)).toThrow(RangeError);
    expect(() => expectTimerMs('idleTimeoutMs', -1)).toThrow(RangeError);
    expect(() => expectTimerMs('idleTimeoutMs', NaN)).toThrow(RangeError);
    expect(() => expectTimerMs('idleTimeoutMs', Infinity)).toThrow(RangeError);
    expect(() => expectTimerMs('idleTimeoutMs', '5')).toThrow(TypeError);
    expect(() => expectTimerMs('idleTimeoutMs', 5n)).toThrow(TypeError);
  });

  it('accepts 0 with allowZero and Infinity with allowInfinity only', () => {
    expect(expectTimerMs('t', 0, { allowZero: true })).toBe(0);
    expect(expectTimerMsOrZero('t', 0)).toBe(0);
    expect(() => expectTimerMsOrZero('t', 2 ** 31)).toThrow(RangeError);
    expect(() => expectTimerMs('t', -0.5, { allowZero: true })).toThrow('Expected `t` to be a non-negative number of ms at most 2147483647, got -0.5 (number)');
    expect(expectTimerMs('t', Infinity, { allowInfinity: true })).toBe(Infinity);
    expect(() => expectTimerMs('t', -Infinity, { allowInfinity: true })).toThrow(RangeError);
    expect(() => expectTimerMs('t', 2 ** 40, { allowInfinity: true })).toThrow('at most 2147483647 (or Infinity)');
  });
});

describe('expectSignal', () => {
  it('accepts an AbortSignal, and anything shaped like one from another realm', () => {
    const signal = new AbortController().signal;
    expect(expectSignal('signal', signal)).toBe(signal);
    const foreign = { aborted: false, addEventListener: () => undefined, removeEventListener: () => undefined };
    expect(expectSignal('signal', foreign)).toBe(foreign);
  });

  it('throws a TypeError for anything else, hostile values included', () => {
    expect(() => expectSignal('signal', {})).toThrow(new TypeError('Expected `signal` to be an AbortSignal, got an object'));
    expect(() => expectSignal('signal', null)).toThrow(TypeError);
    expect(() => expectSignal('signal', 'abort')).toThrow(TypeError);
    const hostile = new Proxy({}, { get: () => { throw new Error('trap'); } });
    expect(() => expectSignal('signal', hostile)).toThrow(TypeError);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(() => expectSignal('signal', proxy)).toThrow(TypeError);
  });
});

describe('readOptions', () => {
  it('copies the named fields once and turns a bag that throws when read into a TypeError', () => {
    let reads = 0;
    const bag = { get timeoutMs(): number { reads += 1; return 5; }, other: 1 };
    expect(readOptions('options', bag, ['timeoutMs', 'signal'])).toEqual({ timeoutMs: 5, signal: undefined });
    expect(reads).toBe(1);
    expect(() => readOptions('options', null, ['a'])).toThrow(new TypeError('Expected `options` to be an object, got null'));
    const hostile = new Proxy({}, { get: () => { throw new Error('trap'); } });
    expect(() => readOptions('options', hostile, ['timeoutMs'])).toThrow('Expected `options` to be readable, but reading `timeoutMs` threw: trap');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(() => readOptions('options', proxy, ['timeoutMs'])).toThrow(TypeError);
  });
});
