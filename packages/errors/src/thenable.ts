/**
 * True when `value` has a callable `then`, so `await` would follow it. Never throws: a value whose `then`
 * getter throws (a hostile Proxy, a revoked one) counts as not thenable, to be used as the plain value it is.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}
