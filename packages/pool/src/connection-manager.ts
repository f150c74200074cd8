/**
 * Creates, checks and destroys the connections a {@link Pool} holds; the only code that knows what a
 * connection is.
 *
 * @example
 * ```ts
 * const manager: ConnectionManager<pg.Client> = {
 *   async create(signal) { const c = new pg.Client(url); await c.connect(); return c; },
 *   isValid: (c) => c.query('SELECT 1').then(() => true, () => false),
 *   destroy: (c) => c.end(),
 *   watch: (c, onError) => { c.on('error', onError); },
 * };
 * ```
 */
export interface ConnectionManager<C> {
  /**
   * Opens a new connection. `signal` aborts when the create timeout passes or the pool closes; a
   * connection that arrives after that is destroyed, never handed out. Throwing a PatinoxError with
   * recovery `fail` (say, bad credentials) rejects every waiter at once instead of retrying.
   */
  create(signal: AbortSignal): Promise<C>;
  /** Whether an idle connection still works; false, a throw or a timeout make the pool replace it. */
  isValid(connection: C): boolean | Promise<boolean>;
  /** Resets a returned connection before reuse (roll back, clear session state); a throw destroys it. */
  recycle?(connection: C): void | Promise<void>;
  /** Closes a connection for good; errors are reported to the monitor, never thrown to callers. */
  destroy(connection: C): void | Promise<void>;
  /**
   * Subscribes to failures a connection reports on its own (an `'error'` event of a socket or client).
   * Call `onError` and the pool evicts that connection if idle, or destroys it on release if borrowed;
   * for a connection not lent yet and younger than `createRetryMaxDelayMs`, its replacement waits for the
   * create backoff, as after a failed create.
   * May return an unsubscribe function, called when the connection is destroyed.
   */
  watch?(connection: C, onError: (error: unknown) => void): void | (() => void);
  /** Default for the pool's `createTimeoutMs`, in ms. */
  readonly connectTimeoutMs?: number;
}
