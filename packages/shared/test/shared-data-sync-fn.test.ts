import { describe, expect, it } from '@jest/globals';
import { SharedData } from '../src/index.js';

// `update` and `tryUpdate` take a synchronous function: copy-on-write decides ownership when `fn` returns,
// so changes made after an `await` would land in a snapshot this handle no longer owns alone. Both the
// in-place and the copy path refuse a function that returns a promise.

const asyncFn = async (draft: { a: number }): Promise<void> => {
  draft.a = 2;
};

describe('SharedData with an async function', () => {
  it('update() throws a TypeError naming `fn` on the in-place path, as on the copy path', () => {
    const sole = new SharedData({ a: 1 });
    expect(sole.isExclusive).toBe(true);
    expect(() => sole.update(asyncFn)).toThrow(/Expected `fn` to be synchronous/);

    const shared = new SharedData({ a: 1 });
    const other = shared.cloneRef();
    expect(() => shared.update(asyncFn)).toThrow(/Expected `fn` to be synchronous/);
    expect(shared.get()).toEqual({ a: 1 });
    other.dispose();
  });

  it('tryUpdate() throws the same TypeError instead of reporting success', () => {
    const sole = new SharedData({ a: 1 });
    let thrown: unknown;
    try {
      sole.tryUpdate(asyncFn);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
  });
});
