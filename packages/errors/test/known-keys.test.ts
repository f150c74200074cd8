import { describe, expect, it } from '@jest/globals';
import { PatinoxError, closestKey, expectTimerMs, readKnownOptions, rejectNearMisses, rejectUnknownKeys, withRecovery } from '../src/index.js';

const unknown = (bag: string, key: string, hint: string): TypeError =>
  new TypeError(`Expected \`${bag}\` to have only known keys, got unknown key \`${key}\`; ${hint}`);

describe('closestKey', () => {
  it('finds another case, another time unit, or the nearest within a few edits', () => {
    expect(closestKey('maxEntrys', ['maxEntries', 'ttlMs'])).toBe('maxEntries');
    expect(closestKey('MAXSIZE', ['maxSize'])).toBe('maxSize');
    expect(closestKey('acquireTimeout', ['acquireTimeoutMs'])).toBe('acquireTimeoutMs');
    expect(closestKey('timeoutMillis', ['timeoutMs'])).toBe('timeoutMs');
    expect(closestKey('sise', ['size', 'mode'])).toBe('size');
    expect(closestKey('maxAttemps', ['maxAttempts', 'maxDelayMs'])).toBe('maxAttempts');
  });

  it('suggests nothing when no known key is that close', () => {
    expect(closestKey('colour', ['maxSize', 'minSize'])).toBeUndefined();
    expect(closestKey('ab', ['xy'])).toBeUndefined();
  });
});

describe('readKnownOptions', () => {
  it('reads the known keys and refuses an unknown one, naming the bag, the key and the suggestion', () => {
    expect(readKnownOptions('options', { timeoutMs: 5 }, ['timeoutMs', 'signal'])).toEqual({ timeoutMs: 5, signal: undefined });
    expect(() => readKnownOptions('options', { timeout: 5 }, ['timeoutMs', 'signal'])).toThrow(unknown('options', 'timeout', 'did you mean `timeoutMs`?'));
    expect(() => readKnownOptions('retry', { colour: 1 }, ['timeoutMs', 'signal'])).toThrow(unknown('retry', 'colour', 'known keys: timeoutMs, signal'));
  });

  it('ignores symbol keys, inherited keys and non-enumerable keys', () => {
    const bag = Object.create({ inherited: 1 }) as Record<PropertyKey, unknown>;
    bag[Symbol('x')] = 1;
    Object.defineProperty(bag, 'hidden', { value: 1, enumerable: false });
    bag.timeoutMs = 5;
    expect(readKnownOptions('options', bag, ['timeoutMs'])).toEqual({ timeoutMs: 5 });
  });

  it('turns a bag whose keys cannot be listed into a TypeError naming it', () => {
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('no keys'); } });
    expect(() => readKnownOptions('options', hostile, ['timeoutMs'])).toThrow('Expected `options` to be readable, but listing its keys threw: no keys');
    expect(() => readKnownOptions('options', 5, ['timeoutMs'])).toThrow(new TypeError('Expected `options` to be an object, got 5 (number)'));
  });
});

describe('rejectUnknownKeys', () => {
  it('passes a bag of known keys and an empty one', () => {
    expect(() => rejectUnknownKeys('options', {}, ['a'])).not.toThrow();
    expect(() => rejectUnknownKeys('options', { a: 1 }, ['a', 'b'])).not.toThrow();
    expect(() => rejectUnknownKeys('options', { a: 1, bb: 2 }, ['a', 'b'])).toThrow(unknown('options', 'bb', 'did you mean `b`?'));
  });
});

describe('rejectNearMisses', () => {
  it('lets keys far from every known one pass and refuses near misses and keys known elsewhere', () => {
    const keys = ['max', 'database', 'idleTimeoutMillis'];
    expect(() => rejectNearMisses('config', { host: 'x', max: 3 }, keys)).not.toThrow();
    expect(() => rejectNearMisses('config', { Max: 3 }, keys)).toThrow(unknown('config', 'Max', 'did you mean `max`?'));
    expect(() => rejectNearMisses('config', { databse: 'x' }, keys)).toThrow(unknown('config', 'databse', 'did you mean `database`?'));
    expect(() => rejectNearMisses('config', { idleTimeoutMs: 1 }, keys)).toThrow(unknown('config', 'idleTimeoutMs', 'did you mean `idleTimeoutMillis`?'));
    const elsewhere = (key: string): string | undefined => (key === 'minSize' ? 'pool.minSize' : undefined);
    expect(() => rejectNearMisses('config', { minSize: 1 }, keys, elsewhere)).toThrow(unknown('config', 'minSize', 'did you mean `pool.minSize`?'));
  });
});

describe('options bags of this package', () => {
  it('withRecovery refuses a typo instead of keeping the default', async () => {
    await expect(withRecovery(() => 1, { maxAttemps: 3 } as never)).rejects.toThrow(unknown('options', 'maxAttemps', 'did you mean `maxAttempts`?'));
  });

  it('PatinoxError and expectTimerMs refuse a typo', () => {
    expect(() => new PatinoxError('x', { code: 'X', recover: 'retry' } as never)).toThrow(unknown('options', 'recover', 'did you mean `recovery`?'));
    expect(() => expectTimerMs('ttlMs', 0, { allowzero: true } as never)).toThrow(unknown('options', 'allowzero', 'did you mean `allowZero`?'));
  });
});
