import { describeValue } from '@patinox/errors';

/**
 * `value` as a `T` when it is an object with every one of `methods` as a function (checked by shape, so a
 * second copy of the peer library's class passes too), else a `TypeError` naming `name`, `what` it should
 * be and the methods; a getter that throws while checking counts as missing.
 */
export function expectMethods<T>(name: string, value: unknown, what: string, methods: readonly string[]): T {
  let ok = false;
  if (typeof value === 'object' && value !== null) {
    try {
      ok = methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function');
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new TypeError(`Expected \`${name}\` to be ${what} (with ${methods.join(', ')}), got ${describeValue(value)}`);
  return value as T;
}
