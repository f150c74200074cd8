import { toError } from '@patinox/errors';

/** How one caller waits for a shared load. */
export interface WaitPlan<V> {
  /** A stale value may stand in (soft timeout, hard timeout, failure). */
  readonly hasStale: boolean;
  readonly stale: V | undefined;
  /** 0 = off. Only used when `hasStale`. */
  readonly softTimeoutMs: number;
  /** 0 = off. */
  readonly hardTimeoutMs: number;
  readonly signal: AbortSignal | undefined;
  /** Called each time the stale value is handed out instead of the load's result. */
  onStale(): void;
  /** The error for a hard timeout without a stale value; also marks the load as having outlived it. */
  timeoutError(): Error;
  /** The error when the caller's `signal` aborts. */
  abortError(reason: unknown): Error;
}

/**
 * Waits for `load` under `plan`: whichever comes first of the load, the soft or hard timeout and the
 * caller's abort. Timers are unref'd and cleared and the abort listener removed as soon as the wait
 * ends, whatever ended it; the load itself is never cancelled (other callers may share it).
 */
export function waitForLoad<V>(load: Promise<V>, plan: WaitPlan<V>): Promise<V> {
  return new Promise<V>((resolve, reject) => {
    let soft: ReturnType<typeof setTimeout> | undefined;
    let hard: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    const signal = plan.signal;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      if (soft !== undefined) clearTimeout(soft);
      if (hard !== undefined) clearTimeout(hard);
      if (signal !== undefined) signal.removeEventListener('abort', onAbort);
      return true;
    };
    const serveStale = (): void => {
      plan.onStale();
      resolve(plan.stale as V);
    };
    function onAbort(): void {
      if (finish()) reject(plan.abortError(signal!.reason));
    }
    if (signal !== undefined) {
      if (signal.aborted) {
        done = true;
        reject(plan.abortError(signal.reason));
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
    }
    if (plan.hasStale && plan.softTimeoutMs > 0) {
      soft = setTimeout(() => {
        if (finish()) serveStale();
      }, plan.softTimeoutMs);
      soft.unref();
    }
    if (plan.hardTimeoutMs > 0) {
      hard = setTimeout(() => {
        if (!finish()) return;
        const error = plan.timeoutError();
        if (plan.hasStale) serveStale();
        else reject(error);
      }, plan.hardTimeoutMs);
      hard.unref();
    }
    load.then(
      (value) => {
        if (finish()) resolve(value);
      },
      (error: unknown) => {
        if (!finish()) return;
        if (plan.hasStale) serveStale();
        else reject(toError(error));
      },
    );
  });
}
