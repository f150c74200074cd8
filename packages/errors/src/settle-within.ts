/**
 * Waits until `work` settles (fulfilled or rejected, never rethrown) or `ms` pass, whichever is first,
 * and resolves `true` when it settled in time. The timer is cleared either way, so nothing is left
 * behind; `work` itself is never cancelled. For close and shutdown deadlines: "wait for the running
 * calls, but no longer than this".
 *
 * @example
 * ```ts
 * const drained = await settleWithin(Promise.allSettled(pending), deadlineMs);
 * ```
 */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = work.then(
    () => true,
    () => true,
  );
  const bound = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms), false);
  });
  try {
    return await Promise.race([settled, bound]);
  } finally {
    clearTimeout(timer);
  }
}
