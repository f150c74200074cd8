/** A clock a test moves by hand; see {@link clock}. */
export interface ManualClock {
  /** The current time in ms: 0 at first, then the sum of every `advance`. */
  now: () => number;
  /** Moves the time forward by `ms`. */
  advance: (ms: number) => void;
}

/**
 * A clock that stands still until the test moves it, for the `clock` option of a cache or a pool: TTLs
 * and timeouts then pass without sleeping. `now` is a bound function, so it can be passed on as is.
 *
 * @example
 * ```ts
 * const c = clock();
 * const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now, defaultTtlMs: 100 });
 * c.advance(100);
 * ```
 */
export function clock(): ManualClock {
  let t = 0;
  return { now: () => t, advance: (ms) => void (t += ms) };
}
