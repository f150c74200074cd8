import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ERRORS_ERROR_CODES, PatinoxError, serializeError, toError } from '../src/index.js';

// What the other build (ESM vs CJS) of this package hands us: same shape, a different class.
class ForeignNonErrorThrown extends Error {
  readonly code = ERRORS_ERROR_CODES.nonErrorThrown;
  constructor(readonly value: unknown) {
    super('Non-error value thrown');
    this.name = 'NonErrorThrown';
  }
}

describe('errors from the other copy of the package, and context that JSON cannot hold', () => {
  it('serializes the thrown value of a NonErrorThrown made by another copy', () => {
    expect(serializeError(new ForeignNonErrorThrown({ reason: 'gone' }))).toMatchObject({ code: 'ERRORS_NON_ERROR_THROWN', value: { reason: 'gone' } });
    const outer = new PatinoxError('load failed', { code: 'LOAD', cause: new ForeignNonErrorThrown(42) });
    expect(outer.toJSON().cause).toMatchObject({ value: 42 });
  });

  it('serializes a branded error of another copy that carries no context', () => {
    const foreign = Object.assign(new Error('busy'), { [Symbol.for('patinox.error')]: true, code: 'BUSY', recovery: 'retry' });
    expect(serializeError(foreign)).toMatchObject({ name: 'Error', message: 'busy', code: 'BUSY', recovery: 'retry', context: {} });
  });

  it('keeps the value when the ESM build serializes a NonErrorThrown of the CJS build', () => {
    const dist = fileURLToPath(new URL('../dist/', import.meta.url));
    const script = `
      const cjs = require(${JSON.stringify(`${dist}cjs/index.js`)});
      import(${JSON.stringify(`${dist}esm/index.js`)}).then((esm) => {
        process.stdout.write(JSON.stringify(esm.serializeError(cjs.toError('socket closed')).value));
      });`;
    expect(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })).toBe('"socket closed"');
  });

  it('JSON.stringify of an error never throws on a context value JSON cannot hold (BigInt, cycle)', () => {
    const cycle: Record<string, unknown> = { id: 1 };
    cycle.self = cycle;
    const err = new PatinoxError('bad offset', { code: 'X', context: { offset: 2n ** 40n, cycle, ok: 'yes' }, cause: toError('inner') });
    const json = JSON.parse(JSON.stringify(err)) as { context: Record<string, unknown> };
    expect(json.context).toEqual({ offset: '1099511627776', cycle: '[object Object]', ok: 'yes' });
    // The live error keeps the values it was given.
    expect(err.context.offset).toBe(2n ** 40n);
  });
});
