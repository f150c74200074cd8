import type { Monitor, TraceHook } from '@patinox/monitor';

/** Options of a {@link Pool}; every field is optional. */
export interface PoolOptions {
  /** Connections kept open even when idle; restored by itself after errors and evictions. @default 0 */
  minSize?: number;
  /** Most connections open at once, borrowed or idle. @default 10 */
  maxSize?: number;
  /**
   * One deadline for everything an `acquire` waits for (the queue and any connect), in ms. Finite, so
   * no caller waits forever. At most 2147483647. @default 30000
   */
  acquireTimeoutMs?: number;
  /**
   * Longest a single `create` may take, in ms; past it the attempt counts as failed (and is retried) and a
   * late connection is destroyed. At most 2147483647. @default manager.connectTimeoutMs, else 10000
   */
  createTimeoutMs?: number;
  /**
   * Longest a single `isValid` or `recycle` call may take, in ms. Past it the call is abandoned (counted in
   * `stats().validationTimeouts`), its connection is destroyed and its place in `maxSize` freed for a new
   * one, so a check that never answers cannot hold capacity. At most 2147483647.
   * @default the smaller of 5000 and `createTimeoutMs`
   */
  validationTimeoutMs?: number;
  /**
   * Longest a single `destroy` call may take, in ms. Past it the pool stops waiting for it (counted in
   * `stats().destroyTimeouts`, reported as `pool.manager.error`), so `close()` never hangs on it.
   * At most 2147483647. @default the smaller of 5000 and `createTimeoutMs`
   */
  destroyTimeoutMs?: number;
  /** Idle time after which a connection above `minSize` is closed, in ms; 0 keeps them. At most 2147483647. @default 30000 */
  idleTimeoutMs?: number;
  /**
   * Age after which a connection is replaced, in ms; each connection gets up to 10 % less so they do not
   * all expire together. Borrowed ones are replaced on release. 0 disables. At most 2147483647. @default 0
   */
  maxLifetimeMs?: number;
  /** Interval of `isValid` checks on idle connections, in ms, with ±10 % jitter per check; 0 disables. At most 2147483647. @default 30000 */
  healthCheckIntervalMs?: number;
  /** Checks an idle connection with `isValid` before lending it, unless it was used within `validationSkipWindowMs`. @default true */
  validateOnBorrow?: boolean;
  /** A connection used this recently is lent without `isValid`, in ms. @default 500 */
  validationSkipWindowMs?: number;
  /** Serve waiters first come, first served; `false` serves the newest first (sheds the oldest under overload). @default true */
  fairQueue?: boolean;
  /** Most callers that may wait at once; the next gets `POOL_QUEUE_FULL` at once. 0 never queues. @default Infinity */
  maxWaiters?: number;
  /**
   * A loan held longer than this is reported (`pool.leak.suspected`) with the stack where it was acquired,
   * in ms; setting it also records acquire stacks for the leak report of `close()`. 0 disables. At most 2147483647. @default 0
   */
  leakDetectionMs?: number;
  /** First delay before retrying a failed create, in ms; doubles per consecutive failure. At most 2147483647. @default 100 */
  createRetryDelayMs?: number;
  /** Ceiling of the create retry delay, in ms. At most 2147483647. @default 5000 */
  createRetryMaxDelayMs?: number;
  /** Name used as the `source` of monitor events and the `pool` label of metrics. @default 'pool' */
  name?: string;
  /** Receives lifecycle events (never one per acquire). @default noopMonitor */
  monitor?: Monitor;
  /** Random source in [0, 1) for jitter; inject for deterministic tests. @default Math.random */
  random?: () => number;
  /**
   * Records a `pool.acquire` span per acquire (its duration is the caller's wait; attribute `pool.name`;
   * failed with the error code on a timeout) and a `pool.connect` span per `create`, nested under the
   * acquire that started it. Without it the pool builds no span and allocates nothing for tracing.
   * @default undefined (no tracing)
   */
  tracer?: TraceHook;
}

/** Options of {@link Pool.acquire}. */
export interface AcquireOptions {
  /** Gives up waiting when aborted; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** This call's deadline, in ms; at most 2147483647. @default the pool's acquireTimeoutMs */
  timeoutMs?: number;
}

/** Options of {@link Pool.close}. */
export interface CloseOptions {
  /**
   * The longest `close()` takes, in ms: it waits this long for borrowed connections to come back (then
   * destroys them as leaked) and for pending `destroy` calls to settle (then reports them in
   * `unsettledDestroys`). 0 closes at once. At most 2147483647. @default 10000
   */
  deadlineMs?: number;
}

/** Options of {@link Pool.resize}; an omitted field keeps its value. */
export interface ResizeOptions {
  /** New `minSize`. */
  minSize?: number;
  /** New `maxSize`. */
  maxSize?: number;
}
