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
