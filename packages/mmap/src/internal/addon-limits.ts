/** @internal Page size assumed when the addon (which reports the real one) is not loaded. */
export const FALLBACK_PAGE_SIZE = 4096;
// The addon passes size and offset through a C `int`: one mapping holds at most 2^31 − 1 bytes and starts
// below 2^31. Larger offsets wrap modulo 2^32 and would silently map the wrong bytes, so they never reach it.
/** @internal */
export const INT_LIMIT = 2 ** 31;

/** @internal Largest page-aligned mapping size and file offset the addon accepts. */
export function addonLimits(pageSize: number): { maxMapBytes: number; maxFileOffset: number; reachableEnd: number } {
  const max = INT_LIMIT - pageSize;
  return { maxMapBytes: max, maxFileOffset: max, reachableEnd: max + max };
}
