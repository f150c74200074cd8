import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NonErrorThrown, PatinoxError, isPatinoxError, serializeError, toError, describeValue } from '../src/index.js';

class PoolTimeout extends PatinoxError {
  constructor(cause?: unknown) {
    super('timed out', { code: 'POOL_TIMEOUT', recovery: 'retry', context: { waitedMs: 50 }, cause });
  }
}

describe('PatinoxError', () => {
  it('carries a stable code, recovery, frozen context and the class name', () => {
    const err = new PoolTimeout();
    expect(err.code).toBe('POOL_TIMEOUT');
    expect(err.recovery).toBe('retry');
    expect(err.context).toEqual({ waitedMs: 50 });
    expect(Object.isFrozen(err.context)).toBe(true);
    expect(err.name).toBe('PoolTimeout');
    expect(err).toBeInstanceOf(Error);
    expect(err.stack).toContain('PoolTimeout');
  });

  it('defaults recovery to fail and context to empty', () => {
    const err = new PatinoxError('x', { code: 'X' });
    expect(err.recovery).toBe('fail');
    expect(err.context).toEqual({});
    expect(err.cause).toBeUndefined();
  });

  it('rejects a missing code and an unknown recovery with a TypeError naming the option', () => {
    expect(() => new PatinoxError('x', { code: '' })).toThrow('Expected `code` to be a non-empty string, got "" (string)');
    expect(() => new PatinoxError('x', { code: 'X', recovery: 'later' as never })).toThrow(
      'Expected `recovery` to be one of retry, fail, fallback, got "later" (string)',
    );
  });

  it('keeps Error causes and wraps non-Error throwables', () => {
    const root = new Error('socket closed');
    expect(new PoolTimeout(root).cause).toBe(root);
    const wrapped = new PoolTimeout('just a string').cause;
    expect(wrapped).toBeInstanceOf(NonErrorThrown);
    expect((wrapped as NonErrorThrown).value).toBe('just a string');
    expect(wrapped?.message).toBe('Non-error value thrown: "just a string" (string)');
  });

  it('serializes the whole cause chain to JSON', () => {
    const root = new Error('ECONNREFUSED');
    const mid = new PatinoxError('create failed', { code: 'POOL_MANAGER_ERROR', recovery: 'retry', cause: root });
    const top = new PoolTimeout(mid);
    const json = JSON.parse(JSON.stringify(top)) as Record<string, unknown>;
    expect(json).toMatchObject({
      name: 'PoolTimeout',
      code: 'POOL_TIMEOUT',
      recovery: 'retry',
      context: { waitedMs: 50 },
      cause: { name: 'PatinoxError', code: 'POOL_MANAGER_ERROR', cause: { name: 'Error', message: 'ECONNREFUSED' } },
    });
  });

  it('cuts cycles in the cause chain instead of recursing forever', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new PatinoxError('b', { code: 'B', cause: a });
    a.cause = b;
    const json = b.toJSON();
    expect(json.cause).toMatchObject({ message: 'a', cause: { circular: true } });
    expect(() => JSON.stringify(b)).not.toThrow();
  });

  it('serializes AggregateError members, codes of plain errors and unserializable thrown values', () => {
    const agg = new AggregateError([new Error('one'), Object.assign(new Error('two'), { code: 'E2' })], 'many');
    const json = serializeError(agg);
    expect(json.errors?.map((e) => e.message)).toEqual(['one', 'two']);
    expect(json.errors?.[1]?.code).toBe('E2');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(serializeError(cyclic).value).toBe('[object Object]');
    expect(serializeError(42).value).toBe(42);
  });

  it('describes values for messages', () => {
    expect(describeValue(-1)).toBe('-1 (number)');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue([])).toBe('an array');
    expect(describeValue({})).toBe('an object');
    expect(describeValue(new Map())).toBe('an object (Map)');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue(1n)).toBe('1 (bigint)');
  });

  it('toError keeps errors from other realms and wraps the rest', () => {
    const err = new Error('x');
    expect(toError(err)).toBe(err);
    expect(toError(undefined)).toBeInstanceOf(NonErrorThrown);
  });
});

describe('isPatinoxError', () => {
  it('recognises by brand and optional code, not instanceof', () => {
    const err = new PoolTimeout();
    expect(isPatinoxError(err)).toBe(true);
    expect(isPatinoxError(err, 'POOL_TIMEOUT')).toBe(true);
    expect(isPatinoxError(err, 'POOL_CLOSED')).toBe(false);
    expect(isPatinoxError(new Error('x'))).toBe(false);
    expect(isPatinoxError(null)).toBe(false);
    expect(isPatinoxError('POOL_TIMEOUT')).toBe(false);
    const foreign = { [Symbol.for('patinox.error')]: true, code: 'FOREIGN' };
    expect(isPatinoxError(foreign, 'FOREIGN')).toBe(true);
  });

  it('works across the ESM and CJS builds loaded in one process', () => {
    const dist = fileURLToPath(new URL('../dist/', import.meta.url));
    const script = `
      const cjs = require(${JSON.stringify(`${dist}cjs/index.js`)});
      import(${JSON.stringify(`${dist}esm/index.js`)}).then((esm) => {
        const fromCjs = new cjs.PatinoxError('x', { code: 'A' });
        const fromEsm = new esm.PatinoxError('y', { code: 'B' });
        const out = {
          distinctClasses: cjs.PatinoxError !== esm.PatinoxError,
          instanceofFails: !(fromCjs instanceof esm.PatinoxError),
          esmSeesCjs: esm.isPatinoxError(fromCjs, 'A'),
          cjsSeesEsm: cjs.isPatinoxError(fromEsm, 'B'),
        };
        process.stdout.write(JSON.stringify(out));
      });`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ distinctClasses: true, instanceofFails: true, esmSeesCjs: true, cjsSeesEsm: true });
  });
});

describe('PatinoxError options', () => {
  it('rejects a missing or non-object options bag with a TypeError naming it', () => {
    expect(() => new PatinoxError('x', undefined as never)).toThrow(new TypeError('Expected `options` to be an object, got undefined'));
    expect(() => new PatinoxError('x', null as never)).toThrow(new TypeError('Expected `options` to be an object, got null'));
  });

  it('rejects a context that is not a plain record instead of spreading it', () => {
    expect(() => new PatinoxError('x', { code: 'X', context: 'abc' as never })).toThrow(new TypeError('Expected `context` to be an object, got "abc" (string)'));
    expect(() => new PatinoxError('x', { code: 'X', context: [1, 2] as never })).toThrow(new TypeError('Expected `context` to be an object, got an array'));
    expect(new PatinoxError('x', { code: 'X', context: undefined }).context).toEqual({});
  });
});
