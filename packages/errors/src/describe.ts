// Describing values for messages. Both functions run on values a caller (or an attacker) chose: a
// Proxy whose every trap throws, a revoked Proxy, an object whose getters throw. They must never throw,
// because they run inside error handling, where a second throw loses the first failure.

const UNREADABLE = 'an unreadable value';
const MAX_QUOTED = 100;

/**
 * Describes a value for an error message: `-1 (number)`, `"x" (string)`, `null`; a string past 100
 * characters is cut, with its length. Never throws.
 */
export function describeValue(value: unknown): string {
  try {
    if (value === null) return 'null';
    if (value === undefined) return 'undefined';
    if (typeof value === 'string') {
      // A message quoting a caller's 10 MB string would be 10 MB: quote the start and give the length.
      return value.length > MAX_QUOTED ? `${JSON.stringify(value.slice(0, MAX_QUOTED)).slice(0, -1)}…" (string of ${value.length} characters)` : `${JSON.stringify(value)} (string)`;
    }
    if (typeof value === 'function') return 'a function';
    if (typeof value === 'object') {
      if (Array.isArray(value)) return 'an array';
      const name = constructorName(value);
      return `an object${name !== undefined && name !== 'Object' ? ` (${name})` : ''}`;
    }
    const primitive = value as number | boolean | bigint | symbol;
    return `${primitive.toString()} (${typeof primitive})`;
  } catch {
    return UNREADABLE;
  }
}

function constructorName(value: object): string | undefined {
  try {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Describes anything that was thrown, for an event or a report: an `Error`'s (or an error-like object's)
 * `message`, a thrown string as is, anything else as {@link describeValue} would. Never throws, whatever
 * it is given: getters that throw, Proxies (revoked ones too), `null`, frozen objects.
 *
 * @example
 * ```ts
 * try { await cleanup(); } catch (err) { monitor.record(createEvent('resource.failed', name, { error: describeThrown(err) })); }
 * ```
 */
export function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value.length > 0 ? value : '"" (string)';
  if (typeof value !== 'object' || value === null) return describeValue(value);
  try {
    const message = (value as { message?: unknown }).message;
    if (typeof message === 'string' && message.length > 0) return message;
    const name = (value as { name?: unknown }).name;
    if (typeof name === 'string' && name.length > 0) return name;
  } catch {
    return UNREADABLE;
  }
  return describeValue(value);
}
