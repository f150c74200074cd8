import { toError } from './patinox-error.js';

// makeError runs inside an abort listener, where a throw would be an uncaught exception and leave the
// caller waiting forever: what it throws becomes the rejection instead.
function abortError(makeError: (reason: unknown) => Error, reason: unknown): Error {
  try {
    return makeError(reason);
  } catch (error) {
    return toError(error);
  }
}

/**
 * Settles like `promise`, or rejects with `makeError(signal.reason)` as soon as `signal` aborts, whichever
 * comes first. The abort listener is removed either way, so a long-lived signal shared by many calls does
 * not collect listeners, and the underlying `promise` is never cancelled (other waiters keep it).
 * Non-`Error` rejections of `promise` arrive wrapped by `toError`; if `makeError` throws, that is the
 * rejection. `promise` may also be a thenable or a plain value.
 *
 * @example
 * ```ts
 * const value = await raceAbort(sharedLoad, request.signal, (reason) => new LoadAbortedError({ cause: reason }));
 * ```
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, makeError: (reason: unknown) => Error = toError): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortError(makeError, signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(makeError, signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    // Promise.resolve: a thenable or a plain value must not throw here after the listener is attached.
    Promise.resolve(promise).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(toError(err));
      },
    );
  });
}
