/** A promise with its `resolve` and `reject` in hand; see {@link deferred}. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

/**
 * A promise the test settles when it chooses: a loader or a cleanup that waits on it stays in flight
 * until then, so a test can look at the state in between.
 *
 * @example
 * ```ts
 * const d = deferred<number>();
 * const pending = cache.getOrLoad('k', () => d.promise);
 * d.resolve(1);
 * ```
 */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
