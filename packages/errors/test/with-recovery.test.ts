import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { PatinoxError, backoffDelay, defaultSleep, withRecovery } from '../src/index.js';

const retryable = (): PatinoxError => new PatinoxError('busy', { code: 'BUSY', recovery: 'retry' });

describe('withRecovery', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('returns the first success without waiting', async () => {
    const fn = jest.fn(async () => 'ok');
    await expect(withRecovery(fn)).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('retries retry errors with exponential backoff and full jitter, then succeeds', async () => {
    let calls = 0;
    const delays: number[] = [];
    const promise = withRecovery(
      async ({ attempt }) => {
        calls += 1;
        expect(attempt).toBe(calls);
        if (calls < 3) throw retryable();
        return 'done';
      },
      { maxAttempts: 5, baseDelayMs: 100, random: () => 0.5, onRetry: (_e, _a, d) => delays.push(d) },
    );
    await jest.advanceTimersByTimeAsync(1000);
    await expect(promise).resolves.toBe('done');
    expect(delays).toEqual([50, 100]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let calls = 0;
    const promise = withRecovery(
      async () => {
        calls += 1;
        throw retryable();
      },
      { maxAttempts: 3, baseDelayMs: 10, random: () => 0.99 },
    );
    const assertion = expect(promise).rejects.toMatchObject({ code: 'BUSY' });
    await jest.advanceTimersByTimeAsync(1000);
    await assertion;
    expect(calls).toBe(3);
  });

  it('caps each delay at maxDelayMs', () => {
    expect(backoffDelay(30, 100, 5000, () => 0.999999)).toBe(4999);
    expect(backoffDelay(1, 100, 5000, () => 0)).toBe(0);
    expect(backoffDelay(3, 100, 5000, () => 0.5)).toBe(200);
  });

  it('rethrows fail errors at once', async () => {
    let calls = 0;
    const err = new PatinoxError('bad', { code: 'BAD', recovery: 'fail' });
    await expect(
      withRecovery(async () => {
        calls += 1;
        throw err;
      }),
    ).rejects.toBe(err);
    expect(calls).toBe(1);
  });

  it('treats plain errors as fail unless classified', async () => {
    let calls = 0;
    const plain = withRecovery(async () => {
      calls += 1;
      throw new Error('plain');
    });
    await expect(plain).rejects.toThrow('plain');
    expect(calls).toBe(1);
    calls = 0;
    const classified = withRecovery(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('ECONNRESET');
        return calls;
      },
      { classify: () => 'retry', random: () => 0 },
    );
    await jest.advanceTimersByTimeAsync(0);
    await expect(classified).resolves.toBe(2);
  });

  it('calls the fallback for fallback errors', async () => {
    const promise = withRecovery(
      async () => {
        throw new PatinoxError('down', { code: 'DOWN', recovery: 'fallback' });
      },
      { fallback: (e) => `fallback for ${(e as PatinoxError).code}` },
    );
    await expect(promise).resolves.toBe('fallback for DOWN');
  });

  it('rethrows a fallback error when no fallback is given', async () => {
    await expect(
      withRecovery(async () => {
        throw new PatinoxError('down', { code: 'DOWN', recovery: 'fallback' });
      }),
    ).rejects.toMatchObject({ code: 'DOWN' });
  });

  it('stops waiting and rejects with the reason when the signal aborts during backoff', async () => {
    const controller = new AbortController();
    let calls = 0;
    const promise = withRecovery(
      async () => {
        calls += 1;
        throw retryable();
      },
      { signal: controller.signal, baseDelayMs: 10_000, random: () => 0.9, maxAttempts: 10 },
    );
    const assertion = expect(promise).rejects.toThrow('caller gave up');
    await jest.advanceTimersByTimeAsync(100);
    controller.abort(new Error('caller gave up'));
    await assertion;
    expect(calls).toBe(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects at once when the signal is already aborted, and when it aborts during an attempt', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already'));
    const fn = jest.fn(async () => 1);
    await expect(withRecovery(fn, { signal: controller.signal })).rejects.toThrow('already');
    expect(fn).not.toHaveBeenCalled();

    const c2 = new AbortController();
    await expect(
      withRecovery(
        async ({ signal }) => {
          c2.abort(new Error('mid-attempt'));
          expect(signal.aborted).toBe(true);
          throw retryable();
        },
        { signal: c2.signal },
      ),
    ).rejects.toThrow('mid-attempt');
  });

  it('uses an injected sleep', async () => {
    jest.useRealTimers();
    const slept: number[] = [];
    let calls = 0;
    const result = await withRecovery(
      async () => {
        calls += 1;
        if (calls < 4) throw retryable();
        return 'ok';
      },
      { maxAttempts: 4, baseDelayMs: 8, random: () => 0.5, sleep: async (ms) => void slept.push(ms) },
    );
    expect(result).toBe('ok');
    expect(slept).toEqual([4, 8, 16]);
  });

  it('validates its options', async () => {
    await expect(withRecovery(async () => 1, { maxAttempts: 0 })).rejects.toThrow('Expected `maxAttempts` to be a positive integer, got 0 (number)');
    await expect(withRecovery(async () => 1, { baseDelayMs: -1 })).rejects.toThrow(RangeError);
    await expect(withRecovery('nope' as never)).rejects.toThrow('Expected `fn` to be a function');
  });
});

describe('defaultSleep', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('resolves after the delay and rejects on abort, clearing its timer', async () => {
    const done = jest.fn();
    void defaultSleep(100).then(done);
    await jest.advanceTimersByTimeAsync(99);
    expect(done).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(done).toHaveBeenCalled();

    const controller = new AbortController();
    const p = defaultSleep(1000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(jest.getTimerCount()).toBe(0);
    await expect(defaultSleep(10, controller.signal)).rejects.toThrow('stop');
  });
});

describe('withRecovery random source', () => {
  it('refuses a random() outside [0, 1] with a RangeError instead of sleeping past maxDelayMs or for NaN ms', async () => {
    const retry = (): never => {
      throw new PatinoxError('busy', { code: 'BUSY', recovery: 'retry' });
    };
    const slept: number[] = [];
    const sleep = async (ms: number): Promise<void> => void slept.push(ms);
    await expect(withRecovery(retry, { random: () => 5, baseDelayMs: 10, maxDelayMs: 10, sleep })).rejects.toThrow(
      new RangeError('Expected `random` to return a number in [0, 1], got 5 (number)'),
    );
    await expect(withRecovery(retry, { random: () => Number.NaN, sleep })).rejects.toThrow(RangeError);
    expect(slept).toEqual([]);
  });
});
