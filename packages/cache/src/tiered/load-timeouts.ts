import { CacheLoadTimeoutError } from '../errors.js';
import type { LoadTiming } from '../loading/load-timing.js';

/**
 * One caller's wait for a shared load under `softTimeoutMs` / `hardTimeoutMs`: after the soft timeout
 * the caller takes a stale value when `stale()` finds one (the load goes on and fills the cache); after
 * the hard timeout it rejects with `CACHE_LOAD_TIMEOUT`. The timers are unref'd and cleared on settle,
 * and the load's own outcome is always observed, so a late failure is never an unhandled rejection.
 */
export function awaitLoad<V>(
  load: Promise<V>,
  key: unknown,
  policy: LoadTiming,
  stale: () => Promise<V | undefined>,
  onStaleServed: () => void,
): Promise<V> {
  const { softTimeoutMs, hardTimeoutMs } = policy;
  if (softTimeoutMs === 0 && hardTimeoutMs === 0) return load;
  return new Promise<V>((resolve, reject) => {
    let settled = false;
    let soft: NodeJS.Timeout | undefined;
    let hard: NodeJS.Timeout | undefined;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(soft);
      clearTimeout(hard);
      return true;
    };
    load.then(
      (value) => finish() && resolve(value),
      (err: unknown) => finish() && reject(err as Error),
    );
    if (softTimeoutMs > 0) {
      soft = setTimeout(() => {
        stale().then(
          (value) => {
            if (value !== undefined && finish()) {
              onStaleServed();
              resolve(value);
            }
          },
          () => undefined,
        );
      }, softTimeoutMs);
      soft.unref();
    }
    if (hardTimeoutMs > 0) {
      hard = setTimeout(() => {
        if (finish()) reject(new CacheLoadTimeoutError({ key, hardTimeoutMs }));
      }, hardTimeoutMs);
      hard.unref();
    }
  });
}
