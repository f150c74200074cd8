import { isThenable, toError } from '@patinox/errors';

// Runs fn and releases once it is done. A synchronous fn costs no extra promise hop beyond the returned
// one, which is most of the uncontended round trip.
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
        throw error;
      },
    );
  }
  release();
  return Promise.resolve(result as Awaited<R>);
}
