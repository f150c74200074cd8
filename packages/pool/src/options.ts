import type { Monitor, TraceHook } from '@patinox/monitor';

/**
 * The largest `maxSize` (and so `minSize` and `initialSize`) a pool accepts: 2^16, more connections than a
 * host has ephemeral ports towards one server. A larger value is a `RangeError` naming the option.
 */
export const MAX_POOL_SIZE = 65_536;

/** Options of a {@link Pool}; every field is optional. */
export interface PoolOptions {
  /**
   * Connections kept open even when idle; restored by itself after errors and evictions. At most
   * `maxSize` and {@link MAX_POOL_SIZE}. They are opened in the background, at most 128 creates started
   * per event-loop turn, so a large value never blocks the event loop in one burst. @default 0
   */
  minSize?: number;
  /** Most connections open at once, borrowed or idle; at most {@link MAX_POOL_SIZE}. @default 10, or `minSize` when larger */
  maxSize?: number;
  /**
   * Connections opened at start-up, before any acquire; `ready()` resolves once this many were created.
   * At most `maxSize`. After start-up `minSize` alone decides how many stay open when idle.
   * @default minSize
   */
  initialSize?: number;
  /**
   * Start-up in fail-fast mode (HikariCP's `initializationFailTimeout` of 0): while `ready()` is pending, the
   * first failed create rejects it with `POOL_STARTUP_FAILED` (the create error as `cause`) instead of the
   * pool retrying silently until the `ready` deadline. The pool itself keeps retrying in the background.
   * @default false
   */
  failFast?: boolean;
  /**
   * Which idle connection is lent next: `'lifo'` the most recently used (the rest age out and are closed
   * by `idleTimeoutMs`), `'fifo'` the longest idle (use spreads over every connection, so a server or
   * firewall that kills idle connections hits none). @default 'lifo'
   */
  idleOrder?: 'lifo' | 'fifo';
  /**
   * One deadline for everything an `acquire` waits for (the queue and any connect), in ms. Finite, so
   * no caller waits forever. At most 2147483647. A caller that queues behind others is timed from the
   * pool's next clock read, which hand-offs share: never before its `acquire()` call, and at most 32
   * hand-offs or the rest of that event-loop turn later, so a timeout can come that much late, never early.
   * @default 30000
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
  /**
   * Health checks (`isValid`) per maintenance run at most, longest idle first; the others due wait for the
   * next run, so a large pool does not check thousands of connections at once (generic-pool's
   * `numTestsPerEvictionRun`). Has no effect when `healthCheckIntervalMs` is 0. @default Infinity
   */
  healthChecksPerRun?: number;
  /**
   * Checks an idle connection with `isValid` before lending it, unless it was used within
   * `validationSkipWindowMs` (so with that window set to N, only connections idle longer than N ms are
   * checked). @default true
   */
  validateOnBorrow?: boolean;
  /**
   * Checks a returned connection with `isValid` (after `recycle`, when set) before it goes back to the idle
   * connections or to a waiter; a failure destroys it and frees its place. @default false
   */
  validateOnReturn?: boolean;
  /** A connection used this recently is lent without `isValid`, in ms; only read when `validateOnBorrow` is on. @default 500 */
  validationSkipWindowMs?: number;
  /**
   * Serve waiters first come, first served within a priority (and the longest waiter at least once in any
   * 8 hand-offs, see `AcquireOptions.priority`); `false` serves the newest first (sheds the oldest under
   * overload; priorities still apply, without that aging bound). @default true
   */
  fairQueue?: boolean;
  /**
   * Most callers that may wait for a busy connection at once; the next gets `POOL_QUEUE_FULL` at once. 0
   * never queues. Callers served by a connection being opened (or checked) for them, or one there is still
   * room to open below `maxSize`, do not count: a pool below `maxSize` always opens connections for callers.
   * While suspended every waiting caller counts. @default Infinity
   */
  maxWaiters?: number;
  /**
   * A loan held longer than this is reported (`pool.leak.suspected`, with `heldMs` and, when
   * `captureAcquireStacks` is on, the acquiring stack), in ms. 0 disables. At most 2147483647. @default 0
   */
  leakDetectionMs?: number;
  /**
   * Records the stack of every `acquire` (an `Error` per loan: costly, see the benchmark) and the time each
   * loan started, so leak reports (`pool.leak.suspected`, `close()`'s `leaked`) name where and how long
   * ago a leaked connection was acquired. @default true when `leakDetectionMs` is set, else false
   */
  captureAcquireStacks?: boolean;
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
  /**
   * A safe integer: when callers wait, a higher priority is served first, first come first served within a
   * priority. Starvation-free (with `fairQueue`): of any 8 consecutive hand-offs, at least one goes to the
   * caller that has waited longest, whatever its priority. No effect when a connection is idle.
   * generic-pool's priorities run the other way (0 is its highest): pass `-priority`. @default 0
   */
  priority?: number;
}

/** Options of {@link Pool.ready}. */
export interface ReadyOptions {
  /** Stops waiting when aborted; the promise rejects with `signal.reason` (the pool is unaffected). */
  signal?: AbortSignal;
  /**
   * Longest wait, in ms; past it `ready()` rejects with `POOL_TIMEOUT` (phase `connect`, the last create
   * error as `cause`). At most 2147483647. @default the pool's acquireTimeoutMs
   */
  timeoutMs?: number;
}

/** Options of {@link Pool.drain}. */
export interface DrainOptions {
  /** Stops waiting when aborted; the promise rejects with `signal.reason` (the pool stays draining). */
  signal?: AbortSignal;
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
