import { isThenable, toError } from '@patinox/errors';

// Runs fn and releases once it is done. A synchronous fn costs no extra promise hop beyond the returned
// one, which is most of the uncontended round trip. A throw and a rejection reach the caller alike: an
// Error as is, anything else wrapped by toError (its `value` is what was thrown).
export function settle<R>(fn: () => R, release: () => void): Promise<Awaited<R>> {
  let result: R;
  try {
    result = fn();
  } catch (error) {
    release();
    return Promise.reject(toError(error));
  }
  if (isThenable(result)) {
    return Promise.resolve(result).then(
      (value) => {
        release();
        return value;
      },
      (error: unknown) => {
        release();
        throw toError(error);
      },
    );
  }
  release();
  return Promise.resolve(result as Awaited<R>);
}
