import { describe, expect, it } from '@jest/globals';
import { raceAbort } from '../src/index.js';

class Aborted extends Error {
  override readonly name = 'Aborted';
}

function listenerCount(signal: AbortSignal): number {
  // Node keeps the count on the EventTarget; reading it through the inspector symbol is brittle, so
  // count through a wrapper instead.
  return (signal as AbortSignal & { __count?: number }).__count ?? 0;
}

function countingSignal(controller: AbortController): AbortSignal {
  const signal = controller.signal as AbortSignal & { __count?: number };
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.__count = 0;
  signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => {
    signal.__count! += 1;
    add(...args);
  });
  signal.removeEventListener = ((...args: Parameters<AbortSignal['removeEventListener']>) => {
    signal.__count! -= 1;
    remove(...args);
  });
  return signal;
}

describe('raceAbort', () => {
  it('returns the promise itself when there is no signal', () => {
    const p = Promise.resolve(1);
    expect(raceAbort(p, undefined)).toBe(p);
  });

  it('resolves with the promise and removes its abort listener', async () => {
    const controller = new AbortController();
    const signal = countingSignal(controller);
    await expect(raceAbort(Promise.resolve('v'), signal)).resolves.toBe('v');
    expect(listenerCount(signal)).toBe(0);
  });

  it('rejects with makeError(reason) when the signal aborts first, leaving the promise running', async () => {
    const controller = new AbortController();
    let finish!: (v: string) => void;
    const shared = new Promise<string>((resolve) => (finish = resolve));
    const raced = raceAbort(shared, controller.signal, (reason) => new Aborted(String(reason)));
    controller.abort('stop');
    await expect(raced).rejects.toThrow(new Aborted('stop'));
    finish('later');
    await expect(shared).resolves.toBe('later');
  });

  it('rejects at once for an already aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(raceAbort(new Promise<never>(() => undefined), controller.signal)).rejects.toThrow('gone');
  });

  it('wraps non-Error rejections and removes its listener', async () => {
    const controller = new AbortController();
    const signal = countingSignal(controller);
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a non-Error rejection is the case under test
    const raced = raceAbort(Promise.reject('plain'), signal);
    await expect(raced).rejects.toBeInstanceOf(Error);
    expect(listenerCount(signal)).toBe(0);
  });
});

describe('raceAbort when makeError throws or the work is not a promise', () => {
  it('rejects with what makeError threw when the signal aborts, instead of an uncaught exception and a promise that never settles', async () => {
    const controller = new AbortController();
    const bug = new Error('makeError bug');
    const raced = raceAbort(new Promise(() => undefined), controller.signal, () => {
      throw bug;
    });
    controller.abort();
    await expect(raced).rejects.toBe(bug);
  });

  it('returns a rejected promise, not a synchronous throw, when the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let raced: Promise<unknown> | undefined;
    expect(() => {
      raced = raceAbort(Promise.resolve(1), controller.signal, () => {
        throw new Aborted('sync bug');
      });
    }).not.toThrow();
    await expect(raced).rejects.toThrow('sync bug');
  });

  it('takes a plain value or a thenable as the work and leaves no listener behind', async () => {
    const controller = new AbortController();
    const signal = countingSignal(controller);
    await expect(raceAbort(5 as never, signal)).resolves.toBe(5);
    await expect(raceAbort({ then: (resolve: (v: number) => void) => resolve(6) } as never, signal)).resolves.toBe(6);
    expect(listenerCount(signal)).toBe(0);
  });
});
