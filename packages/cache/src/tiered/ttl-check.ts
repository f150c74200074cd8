import { describeValue, expectNonNegativeFinite, expectPositiveFinite } from '@patinox/errors';

/**
 * The longest TTL the tier accepts, in ms (about 285,000 years). Redis refuses a `PX` whose expiry does
 * not fit a 64-bit ms timestamp, and JavaScript writes 1e21 and above in exponent form, which Redis cannot
 * parse: such a TTL would reach the server and come back as an outage, opening the circuit breaker.
 */
export const MAX_TTL_MS = Number.MAX_SAFE_INTEGER;

/**
 * Throws unless `value` is a TTL in ms every backend can carry: a finite number from 0 to {@link MAX_TTL_MS}.
 *
 * @throws TypeError for a non-number, RangeError for a number out of range, naming `name`.
 */
export function expectTtlMs(name: string, value: unknown): number {
  return belowMax(name, expectNonNegativeFinite(name, value));
}

/** {@link expectTtlMs} for a TTL that must be above 0 (a lock's). */
export function expectPositiveTtlMs(name: string, value: unknown): number {
  return belowMax(name, expectPositiveFinite(name, value));
}

function belowMax(name: string, ms: number): number {
  if (ms > MAX_TTL_MS) throw new RangeError(`Expected \`${name}\` to be at most ${MAX_TTL_MS} ms, got ${describeValue(ms)}`);
  return ms;
}
