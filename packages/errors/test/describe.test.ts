import { describe, expect, it } from '@jest/globals';
import { describeThrown, describeValue, isPatinoxError, isThenable, serializeError, toError } from '../src/index.js';

function hostileValues(): [string, unknown][] {
  const throwingGetters = Object.create(Error.prototype, {
    message: { get: () => { throw new Error('message getter'); } },
    name: { get: () => { throw new Error('name getter'); } },
    stack: { get: () => { throw new Error('stack getter'); } },
    cause: { get: () => { throw new Error('cause getter'); } },
    code: { get: () => { throw new Error('code getter'); } },
  });
  const trapsThrow = new Proxy({}, {
    get: () => { throw new Error('get trap'); },
    getPrototypeOf: () => { throw new Error('getPrototypeOf trap'); },
    has: () => { throw new Error('has trap'); },
    ownKeys: () => { throw new Error('ownKeys trap'); },
    getOwnPropertyDescriptor: () => { throw new Error('gOPD trap'); },
  });
  const errorProxy = new Proxy(new Error('wrapped'), { get: () => { throw new Error('get trap'); } });
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const { proxy: revokedFn, revoke: revokeFn } = Proxy.revocable(() => undefined, {});
  revokeFn();
  const nullProto = Object.create(null) as object;
  const badPrimitive = { [Symbol.toPrimitive]: () => { throw new Error('toPrimitive'); }, toString: () => { throw new Error('toString'); } };
  return [
    ['an Error with throwing getters', throwingGetters],
    ['a Proxy whose traps throw', trapsThrow],
    ['a Proxy of an Error whose get trap throws', errorProxy],
    ['a revoked Proxy', revoked],
    ['a revoked function Proxy', revokedFn],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'boom'],
    ['an empty string', ''],
    ['a frozen object', Object.freeze({ message: 'frozen' })],
    ['a frozen Error', Object.freeze(new Error('frozen error'))],
    ['a null-prototype object', nullProto],
    ['an object whose conversion throws', badPrimitive],
    ['a symbol', Symbol('s')],
    ['a bigint', 10n],
    ['NaN', NaN],
  ];
}

describe('describeThrown', () => {
  it.each(hostileValues())('never throws for %s and returns a non-empty string', (_label, value) => {
    const text = describeThrown(value);
    expect(typeof text).toBe('string');
    expect(text.length).toBeGreaterThan(0);
  });

  it("uses an error's message, a thrown string as is, and describes anything else", () => {
    expect(describeThrown(new TypeError('bad'))).toBe('bad');
    expect(describeThrown('boom')).toBe('boom');
    expect(describeThrown({ message: 'like an error' })).toBe('like an error');
    expect(describeThrown(null)).toBe('null');
    expect(describeThrown(42)).toBe('42 (number)');
    expect(describeThrown(new Error(''))).toBe('Error');
    expect(describeThrown(hostileValues()[0]![1])).toBe('an unreadable value');
  });
});

describe('describeValue', () => {
  it.each(hostileValues())('never throws for %s', (_label, value) => {
    expect(typeof describeValue(value)).toBe('string');
  });

  it('cuts a long string, so a bad 10 MB value does not make a 10 MB message', () => {
    const huge = 'x'.repeat(10_000_000);
    expect(describeValue(huge)).toBe(`"${'x'.repeat(100)}…" (string of 10000000 characters)`);
    expect(describeValue('y'.repeat(100))).toBe(`"${'y'.repeat(100)}" (string)`);
  });
});

describe('toError, serializeError and isPatinoxError', () => {
  it.each(hostileValues())('never throw for %s', (_label, value) => {
    const error = toError(value);
    expect(typeof error).toBe('object');
    const json = serializeError(value);
    expect(typeof json.name).toBe('string');
    expect(typeof json.message).toBe('string');
    expect(() => JSON.stringify(json)).not.toThrow();
    expect(isPatinoxError(value)).toBe(false);
  });
});

describe('isThenable', () => {
  it('recognises promises and objects or functions with a callable then', () => {
    expect(isThenable(Promise.resolve(1))).toBe(true);
    expect(isThenable({ then: () => undefined })).toBe(true);
    expect(isThenable(Object.assign(() => undefined, { then: () => undefined }))).toBe(true);
    expect(isThenable({ then: 1 })).toBe(false);
    expect(isThenable(null)).toBe(false);
    expect(isThenable('then')).toBe(false);
  });

  it.each(hostileValues())('never throws for %s', (_label, value) => {
    expect(typeof isThenable(value)).toBe('boolean');
  });
});
