import { describeValue } from './describe.js';
import { MAX_TIMER_MS } from './validate.js';

/**
 * Waits until `work` settles (fulfilled or rejected, never rethrown) or `ms` pass, whichever is first,
 * and resolves `true` when it settled in time. The timer is cleared either way, so nothing is left
 * behind; `work` itself is never cancelled. For close and shutdown deadlines: "wait for the running
 * calls, but no longer than this". A bound ≤ 0 (a deadline already past) waits for nothing but a turn of
 * the event loop; `Infinity` waits for `work` with no timer.
 *
 * @example
 * ```ts
 * const drained = await settleWithin(Promise.allSettled(pending), deadlineMs);
 * ```
 * @throws TypeError / RangeError (as a rejection) when `ms` is not a number, is NaN, or is finite and above
 * {@link MAX_TIMER_MS} (Node would fire such a timer after 1 ms).
 */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  if (typeof ms !== 'number' || Number.isNaN(ms) || (ms > MAX_TIMER_MS && ms !== Infinity)) {
    const Ctor = typeof ms === 'number' ? RangeError : TypeError;
    throw new Ctor(`Expected \`ms\` to be a number of ms at most ${MAX_TIMER_MS} (or Infinity), got ${describeValue(ms)}`);
  }
  const settled = Promise.resolve(work).then(
    () => true,
    () => true,
  );
  if (ms === Infinity) return settled;
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms), false);
  });
  try {
    return await Promise.race([settled, bound]);
  } finally {
    clearTimeout(timer);
  }
}
