import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { settleWithin } from '../src/index.js';

describe('settleWithin', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('resolves true as soon as the work settles, fulfilled or rejected, and leaves no timer', async () => {
    jest.useFakeTimers();
    await expect(settleWithin(Promise.resolve(1), 1_000)).resolves.toBe(true);
    await expect(settleWithin(Promise.reject(new Error('down')), 1_000)).resolves.toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('resolves false at the deadline when the work has not settled, and the timer is gone', async () => {
    jest.useFakeTimers();
    let done: boolean | undefined;
    const waiting = settleWithin(new Promise(() => undefined), 200).then((d) => (done = d));
    await jest.advanceTimersByTimeAsync(199);
    expect(done).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('treats a negative bound as no wait at all', async () => {
    await expect(settleWithin(new Promise(() => undefined), -5)).resolves.toBe(false);
  });
});

describe('settleWithin bounds', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('waits for the work with no timer at all when the bound is Infinity', async () => {
    jest.useFakeTimers();
    let release!: () => void;
    let done: boolean | undefined;
    const waiting = settleWithin(new Promise<void>((r) => (release = r)), Infinity).then((d) => (done = d));
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(done).toBeUndefined();
    release();
    await waiting;
    expect(done).toBe(true);
  });

  it('rejects a bound a timer cannot honour instead of firing after 1 ms', async () => {
    const never = new Promise(() => undefined);
    await expect(settleWithin(never, 3_000_000_000)).rejects.toThrow(
      new RangeError('Expected `ms` to be a number of ms at most 2147483647 (or Infinity), got 3000000000 (number)'),
    );
    await expect(settleWithin(never, Number.NaN)).rejects.toThrow(RangeError);
    await expect(settleWithin(never, '100' as never)).rejects.toThrow(new TypeError('Expected `ms` to be a number of ms at most 2147483647 (or Infinity), got "100" (string)'));
  });
});
