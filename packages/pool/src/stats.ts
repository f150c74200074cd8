/** One loan that was still out when `close()` gave up waiting. */
export interface LeakReport {
  /** How long it had been held, in ms; known when `leakDetectionMs` or `captureAcquireStacks` is set. */
  heldMs: number | undefined;
  /** Stack of the `acquire` call; recorded when `captureAcquireStacks` is on. */
  stack: string | undefined;
}

/** What `close()` found. */
export interface CloseReport {
  /** Loans not released by the deadline; their connections were destroyed. */
  leaked: LeakReport[];
  /** True when the deadline passed before every loan came back and every `destroy` settled. */
  timedOut: boolean;
  /** `destroy` calls still unsettled when close returned (a manager whose destroy hangs); the pool stopped waiting. */
  unsettledDestroys: number;
}

/** Counts and latencies of a pool at one moment. */
export interface PoolStats {
  /** Connections open or being opened: `idle + borrowed + pendingCreates`. */
  size: number;
  /** Connections ready to lend. */
  idle: number;
  /** Connections lent out, or out of the idle stack for `isValid`/`recycle`. */
  borrowed: number;
  /** Callers waiting for a connection. */
  waiting: number;
  /** `create` calls in flight. */
  pendingCreates: number;
  /** Current `minSize`. */
  minSize: number;
  /** Current `maxSize`. */
  maxSize: number;
  /** Connections created since the pool started. */
  created: number;
  /** Connections destroyed since the pool started. */
  destroyed: number;
  /** Successful acquires. */
  acquired: number;
  /** Acquires rejected with `POOL_TIMEOUT`. */
  timeouts: number;
  /** Acquires given up through their `signal`. */
  aborted: number;
  /** Failed or timed-out `create` calls. */
  createErrors: number;
  /** Connections that failed `isValid` (timeouts included). */
  validationFailures: number;
  /** `isValid`/`recycle` calls abandoned after `validationTimeoutMs`; their connections were destroyed. */
  validationTimeouts: number;
  /** `destroy` calls the pool stopped waiting for after `destroyTimeoutMs`. */
  destroyTimeouts: number;
  /** Second `release()`/`destroy()` calls on a loan, ignored. */
  doubleReleases: number;
  /** Connections destroyed or retired by `evictIdle()` / `softEvictAll()`. */
  evicted: number;
  /**
   * Time callers waited for a connection, in ms (0 when one was idle). Queued callers are timed by the
   * clock reads hand-offs share (see `acquireTimeoutMs`), so a wait is off by at most 32 hand-offs or the
   * rest of one event-loop turn; a caller queued and served between two reads counts as 0.
   */
  acquireWait: { count: number; mean: number; p50: number; p95: number; p99: number; max: number };
  /** `borrowed / maxSize`, 0..1 (above 1 briefly after a shrinking resize). */
  utilization: number;
  /** True between `suspend()` and `resume()`. */
  suspended: boolean;
  /** True from `drain()` until `resume()` or `close()`. */
  draining: boolean;
  /** True once `close()` was called. */
  closed: boolean;
}
