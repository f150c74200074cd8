import { describe, expect, it } from '@jest/globals';
import { ERRORS_ERROR_CODES, NonErrorThrown } from '@patinox/errors';
import { MutableSharedData, SharedRegion, SharedRwLock } from '../src/index.js';

type Runner = (fn: () => unknown) => Promise<unknown>;

const thrown = { reason: 'not an Error' };

function runners(): [string, Runner][] {
  const data = new MutableSharedData(0);
  const lock = new SharedRwLock();
  const region = SharedRegion.create('Int32Array', 4);
  return [
    ['MutableSharedData.withRead', (fn) => data.withRead(fn)],
    ['MutableSharedData.withWrite', (fn) => data.withWrite(fn)],
    ['SharedRwLock.withRead', (fn) => lock.withRead(fn)],
    ['SharedRwLock.withWrite', (fn) => lock.withWrite(fn)],
    ['SharedRegion.withRead', (fn) => region.withRead(fn)],
    ['SharedRegion.withWrite', (fn) => region.withWrite(fn)],
  ];
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('withRead / withWrite with a callback that fails with a non-Error', () => {
  it.each(runners())('%s wraps a thrown and a rejected non-Error alike, keeping the value', async (_name, run) => {
    for (const value of ['a string', thrown, undefined, 42]) {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error throw is the point
      const sync = await rejection(run(() => { throw value; }));
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error rejection is the point
      const async = await rejection(run(async () => { throw value; }));
      const thenable = await rejection(run(() => ({ then: (_: unknown, reject: (e: unknown) => void) => reject(value) })));
      for (const error of [sync, async, thenable]) {
        expect(error).toBeInstanceOf(NonErrorThrown);
        expect(error).toMatchObject({ code: ERRORS_ERROR_CODES.nonErrorThrown });
        expect((error as NonErrorThrown).value).toBe(value);
      }
    }
  });

  it.each(runners())('%s passes an Error rejection through as is', async (_name, run) => {
    const original = new Error('kept');
    expect(await rejection(run(async () => { throw original; }))).toBe(original);
    expect(await rejection(run(() => { throw original; }))).toBe(original);
  });
});
