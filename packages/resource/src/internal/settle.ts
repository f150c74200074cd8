/** The attempt's promise fulfilled. */
export const FULFILLED: unique symbol = Symbol('fulfilled');
/** The attempt's promise did not settle in time. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

export type Settled = typeof FULFILLED | typeof TIMED_OUT | { readonly error: unknown };

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Waits for `promise` at most `timeoutMs`; never rejects. Both handlers are attached at once, so a
 * cleanup that rejects after its timeout never becomes an unhandled rejection. The timer is ref'd:
 * it is bounded and something (a caller, a shutdown report) waits on the answer.
 */
export function settleWithin(promise: PromiseLike<unknown>, timeoutMs: number): Promise<Settled> {
  return new Promise<Settled>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs, TIMED_OUT);
    try {
      promise.then(
        () => {
          clearTimeout(timer);
          resolve(FULFILLED);
        },
        (error: unknown) => {
          clearTimeout(timer);
          resolve({ error });
        },
      );
    } catch (error) {
      // A hostile thenable whose `then` throws.
      clearTimeout(timer);
      resolve({ error });
    }
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
