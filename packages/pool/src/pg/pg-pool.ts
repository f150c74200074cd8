import { EventEmitter } from 'node:events';
import type * as pg from 'pg';
import { MAX_TIMER_MS, describeThrown, describeValue, expectBoolean, expectFunction, expectNonNegativeFinite, expectNonNegativeInteger, expectObject, expectTimerMsOrZero, optional, rejectNearMisses, rejectUnknownKeys, toError } from '@patinox/errors';
import { createEvent, noopMonitor, safeRecord, type HealthCheck, type Monitor } from '@patinox/monitor';
import type { ConnectionManager } from '../connection-manager.js';
import { PoolLoanReleasedError } from '../errors.js';
import { POOL_EVENTS } from '../events.js';
import { POOL_OPTION_KEYS, expectMaxSize, expectMinSize } from '../internal/resolve-options.js';
import type { PoolOptions } from '../options.js';
import { Pool, type PoolStats } from '../pool.js';
import type { PooledConnection } from '../pooled-connection.js';
import { createPgConnectionManager, isClientBroken } from './connection-manager.js';
import { PgConnectionLostError } from './errors.js';
import { PG_POOL_CONFIG_KEYS, type PgClientConstructor, type PgPoolConfig } from './options.js';
import { failSubmittable, isSubmittable, type PgSubmittable } from './submittable.js';

/** A client lent by {@link PgPool.connect}: a `pg.Client` with `release(err?)`, like pg.Pool's `PoolClient`. */
export type PgPoolClient = pg.PoolClient;

type QueryCallback = (error: Error | undefined, result?: pg.QueryResult) => void;
type ConnectCallback = (error: Error | undefined, client: PgPoolClient | undefined, done: (release?: Error | boolean) => void) => void;

const STATE = Symbol('patinox.pgPoolClient');

// Per-client bookkeeping, stored on the client under a private symbol (one property lookup per call).
interface ClientState {
  loan: PooledConnection<pg.Client> | undefined;
  uses: number;
}

interface StatefulClient extends pg.PoolClient {
  [STATE]: ClientState;
  // pg.Client has them (pg-pool calls them for allowExitOnIdle); @types/pg does not list them.
  ref?: () => void;
  unref?: () => void;
}

const ignore = (): void => undefined;

// A database error (a 5-character SQLSTATE) leaves the connection usable, except class 08 (connection
// exception) and 57P (operator intervention: the backend is going away).
function keepsConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 && !code.startsWith('08') && !code.startsWith('57P');
}

/**
 * A node-postgres `pg.Pool` replacement on {@link Pool}: the same `query`, `connect`/`release`, `end`,
 * counters and events, so switching is one line, with a pool that never lets a caller wait past
 * `connectionTimeoutMillis`, rolls back clients returned inside a transaction, and keeps `min` clients
 * open through server restarts.
 *
 * Events, as pg.Pool: `'connect'` (client) once per new client, `'acquire'` (client) per checkout,
 * `'release'` (err, client) per return, `'remove'` (client) once a client is closed, `'error'` (err,
 * client) when an idle client fails. Unlike pg.Pool an `'error'` with no listener does not crash the
 * process: it reaches the monitor as `pool.connection.error`.
 *
 * Differences: a query that fails with a database error (a SQLSTATE such as a syntax error or a
 * constraint violation) releases its client for reuse instead of closing it; a double `release()`
 * throws {@link PoolLoanReleasedError} (`POOL_LOAN_RELEASED`) as pg.Pool throws; waits past the deadline
 * reject with `POOL_TIMEOUT` and calls after `end()` with `POOL_CLOSED`.
 *
 * @example
 * ```ts
 * import { createPgPool } from '@patinox/pool/pg';
 *
 * const pool = createPgPool({ connectionString: process.env.DATABASE_URL, max: 20 });
 * const { rows } = await pool.query('SELECT $1::int AS n', [1]);
 * await pool.end();
 * ```
 */
export class PgPool extends EventEmitter implements AsyncDisposable {
  /** The config the pool was made with (shallow copy), as pg.Pool exposes it. */
  readonly options: Readonly<PgPoolConfig>;
  readonly #pool: Pool<pg.Client>;
  readonly #maxUses: number;
  readonly #allowExitOnIdle: boolean;
  readonly #monitor: Monitor;
  #ending = false;
  #ended = false;
  #endPromise: Promise<void> | undefined = undefined;

  /**
   * @throws {PgConfigError} `POOL_PG_CONFIG_INVALID` when `pg.Client` refuses the connection settings.
   * @throws TypeError / RangeError for a malformed option.
   */
  constructor(config: PgPoolConfig = {}) {
    super();
    expectObject('config', config);
    // pg-pool's old `poolSize` alias of `max` is not read here: refused rather than ignored.
    rejectNearMisses('config', config, PG_POOL_CONFIG_KEYS, (key) =>
      key === 'poolSize' ? 'max' : (POOL_OPTION_KEYS as readonly string[]).includes(key) ? `pool.${key}` : undefined,
    );
    this.options = { ...config };
    const max = optional('max', config.max, expectMaxSize, 10);
    const min = optional('min', config.min, expectMinSize, 0);
    const idle = config.idleTimeoutMillis ?? 10_000;
    const idleTimeoutMs = expectTimerMsOrZero('idleTimeoutMillis', idle);
    const connectionTimeoutMillis = optional('connectionTimeoutMillis', config.connectionTimeoutMillis, expectTimerMsOrZero, 0);
    this.#maxUses = config.maxUses === undefined || config.maxUses === Infinity ? 0 : expectNonNegativeInteger('maxUses', config.maxUses);
    const lifetimeSeconds = optional('maxLifetimeSeconds', config.maxLifetimeSeconds, expectNonNegativeFinite, 0);
    // Checked here under the pg names: the pool would name `maxLifetimeMs`, `minSize` and `maxSize`.
    if (lifetimeSeconds * 1000 > MAX_TIMER_MS) {
      throw new RangeError(`Expected \`maxLifetimeSeconds\` to be a non-negative number of seconds at most ${MAX_TIMER_MS / 1000}, got ${describeValue(lifetimeSeconds)}`);
    }
    this.#allowExitOnIdle = optional('allowExitOnIdle', config.allowExitOnIdle, expectBoolean, false);
    const extra: PoolOptions = config.pool === undefined ? {} : expectObject('pool', config.pool);
    // Named `pool` here: the merged bag the Pool checks would name the key as a top-level option.
    rejectUnknownKeys('pool', extra, POOL_OPTION_KEYS);
    if (min > max && extra.minSize === undefined && extra.maxSize === undefined) {
      throw new RangeError(`Expected \`min\` to be at most \`max\` (${max}), got ${describeValue(min)}`);
    }
    this.#monitor = extra.monitor ?? noopMonitor;
    const onConnect = config.onConnect as ((client: pg.Client) => void | Promise<void>) | undefined;

    const base = createPgConnectionManager({
      config: clientConfig(config),
      ...(config.Client === undefined ? {} : { Client: config.Client as unknown as PgClientConstructor }),
      ...(config.validationQuery === undefined ? {} : { validationQuery: config.validationQuery }),
      ...(config.resetSession === undefined ? {} : { resetSession: config.resetSession }),
      ...(config.endTimeoutMs === undefined ? {} : { endTimeoutMs: config.endTimeoutMs }),
      ...(onConnect === undefined ? {} : { onConnect }),
    });
    const manager: ConnectionManager<pg.Client> = {
      create: async (signal) => {
        const client = (await base.create(signal)) as StatefulClient;
        client[STATE] = { loan: undefined, uses: 0 };
        client.release = (error?: Error | boolean) => this.#release(client, error);
        // Not borrowed yet: a client made for minSize may stay idle for good.
        if (this.#allowExitOnIdle) client.unref?.();
        this.#emit('connect', client);
        return client;
      },
      isValid: (client) => base.isValid(client),
      recycle: (client) => base.recycle!(client),
      destroy: (client) => {
        const ended = base.destroy(client);
        if (ended === undefined) {
          this.#emit('remove', client);
          return undefined;
        }
        return Promise.resolve(ended).then(() => this.#emit('remove', client));
      },
      watch: (client, onError) =>
        base.watch!(client, (error) => {
          onError(error);
          // As pg.Pool: only an idle client's error is the pool's to report; a borrowed one's goes to its borrower.
          if ((client as StatefulClient)[STATE]?.loan === undefined && this.listenerCount('error') > 0) this.#emit('error', error, client);
        }),
      ...(base.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: base.connectTimeoutMs }),
    };
    const timeoutMs = connectionTimeoutMillis > 0 ? connectionTimeoutMillis : 30_000;
    this.#pool = new Pool(manager, {
      name: 'pg',
      maxSize: max,
      minSize: min,
      idleTimeoutMs,
      acquireTimeoutMs: timeoutMs,
      ...(connectionTimeoutMillis > 0 ? { createTimeoutMs: connectionTimeoutMillis } : {}),
      maxLifetimeMs: lifetimeSeconds * 1000,
      ...extra,
    });
  }

  /** Clients open or opening (pg.Pool's `totalCount`). */
  get totalCount(): number {
    return this.#pool.stats().size;
  }

  /** Clients idle in the pool. */
  get idleCount(): number {
    return this.#pool.stats().idle;
  }

  /** Callers waiting for a client. */
  get waitingCount(): number {
    return this.#pool.stats().waiting;
  }

  /** True once `end()` was called. */
  get ending(): boolean {
    return this.#ending;
  }

  /** True once `end()` finished. */
  get ended(): boolean {
    return this.#ended;
  }

  /** True once `end()` was called (as {@link Pool.closed}: no new checkouts from then on); same as `ending`. */
  get closed(): boolean {
    return this.#ending;
  }

  /** The underlying pool's health check (`pool:<name>`): `down` once ended, `degraded` while creates fail. */
  healthCheck(): HealthCheck {
    return this.#pool.healthCheck();
  }

  /** The underlying {@link Pool}, for `stats()`, `collectMetrics()` and `resize()`. */
  get pool(): Pool<pg.Client> {
    return this.#pool;
  }

  /** Counts and acquire-wait percentiles of the underlying pool. */
  stats(): PoolStats {
    return this.#pool.stats();
  }

  /**
   * Runs one query on a pooled client and returns the client, as `pg.Pool#query`; a `Submittable`
   * (pg-cursor, pg-query-stream) holds its client until it emits `'end'` or `'error'`.
   * @throws {PoolTimeoutError} `POOL_TIMEOUT` when no client is free within `connectionTimeoutMillis`.
   * @throws {PoolClosedError} `POOL_CLOSED` after `end()`.
   */
  query<T extends pg.Submittable>(submittable: T): T;
  query<R extends pg.QueryResultRow = pg.QueryResultRow, I = unknown[]>(text: string | pg.QueryConfig<I>, values?: pg.QueryConfigValues<I>): Promise<pg.QueryResult<R>>;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string | pg.QueryConfig, callback: (error: Error, result: pg.QueryResult<R>) => void): void;
  query<R extends pg.QueryResultRow = pg.QueryResultRow, I = unknown[]>(
    text: string,
    values: pg.QueryConfigValues<I>,
    callback: (error: Error, result: pg.QueryResult<R>) => void,
  ): void;
  query(text: unknown, values?: unknown, callback?: unknown): unknown {
    if (typeof values === 'function') {
      callback = values;
      values = undefined;
    }
    if (isSubmittable(text)) {
      this.#querySubmittable(text);
      return text;
    }
    if (text === undefined || text === null) throw new TypeError(`Expected a query text or config, got ${String(text)}`);
    const promise = this.#query(text as string, values as unknown[] | undefined);
    if (callback === undefined) return promise;
    const cb = expectFunction<QueryCallback>('callback', callback);
    promise.then(
      (result) => cb(undefined, result),
      (error: unknown) => cb(toError(error)),
    );
    return undefined;
  }

  /**
   * Checks out a client; give it back with `client.release()`, or `client.release(err)` to close it.
   * @throws {PoolTimeoutError} `POOL_TIMEOUT` when no client is free within `connectionTimeoutMillis`.
   * @throws {PoolClosedError} `POOL_CLOSED` after `end()`.
   */
  connect(): Promise<PgPoolClient>;
  connect(callback: ConnectCallback): void;
  connect(callback?: ConnectCallback): Promise<PgPoolClient> | undefined {
    if (callback === undefined) return this.#checkout();
    expectFunction('callback', callback);
    this.#checkout().then(
      (client) => callback(undefined, client, (error) => client.release(error)),
      (error: unknown) => callback(toError(error), undefined, ignore),
    );
    return undefined;
  }

  /**
   * Closes every client: waits up to 10 s for checked-out ones to be released, then closes them anyway.
   * A second call rejects, as pg.Pool's does.
   */
  end(): Promise<void>;
  end(callback: (error?: Error) => void): void;
  end(callback?: (error?: Error) => void): Promise<void> | undefined {
    let promise: Promise<void>;
    if (this.#ending) {
      promise = Promise.reject(new Error('Called end on pool more than once'));
    } else {
      this.#ending = true;
      this.#endPromise = this.#pool.close().then(() => {
        this.#ended = true;
      });
      promise = this.#endPromise;
    }
    if (callback === undefined) return promise;
    promise.then(
      () => callback(),
      (error: unknown) => callback(toError(error)),
    );
    return undefined;
  }

  /** Same as `end()`, for `await using`; safe after `end()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await (this.#endPromise ?? this.end());
  }

  async #checkout(): Promise<PgPoolClient> {
    const loan = await this.#pool.acquire();
    return this.#lent(loan);
  }

  #lent(loan: PooledConnection<pg.Client>): StatefulClient {
    const client = loan.connection as StatefulClient;
    const state = client[STATE];
    state.loan = loan;
    state.uses += 1;
    if (this.#allowExitOnIdle) client.ref?.();
    this.#emit('acquire', client);
    return client;
  }

  async #query(text: string, values: unknown[] | undefined): Promise<pg.QueryResult> {
    const client = this.#lent(await this.#pool.acquire());
    const state = client[STATE];
    let result: pg.QueryResult;
    try {
      result = await client.query(text, values);
    } catch (error) {
      const keep = keepsConnection(error);
      const lost = isClientBroken(client) && typeof (error as { code?: unknown } | null)?.code !== 'string';
      this.#end(client, state, error, !keep);
      // A bare "Connection terminated unexpectedly" carries no code: give the caller one to branch on.
      if (lost) throw new PgConnectionLostError(error);
      throw error;
    }
    this.#end(client, state, undefined, false);
    return result;
  }

  #querySubmittable(submittable: PgSubmittable): void {
    this.#checkout().then(
      (client) => {
        let done = false;
        const finish = (error?: unknown): void => {
          if (done) return;
          done = true;
          this.#end(client as StatefulClient, (client as StatefulClient)[STATE], error, error !== undefined && !keepsConnection(error));
        };
        submittable.once('end', () => finish());
        submittable.once('error', (error: unknown) => finish(error));
        client.query(submittable);
      },
      (error: unknown) => {
        const failure = toError(error);
        try {
          if (!failSubmittable(submittable, failure)) this.#emit('error', failure, undefined);
        } catch (thrown) {
          // Its callback or 'error' listener threw: reported, as a throwing listener of ours is.
          safeRecord(this.#monitor, createEvent(POOL_EVENTS.listenerError, this.#pool.name, { event: 'error', error: describeThrown(thrown) }));
        }
      },
    );
  }

  #release(client: StatefulClient, error: Error | boolean | undefined): void {
    const state = client[STATE];
    if (state.loan === undefined) throw new PoolLoanReleasedError();
    this.#end(client, state, error === false ? undefined : error, error !== undefined && error !== false);
  }

  #end(client: StatefulClient, state: ClientState, error: unknown, destroy: boolean): void {
    const loan = state.loan!;
    state.loan = undefined;
    if (this.#allowExitOnIdle) client.unref?.();
    this.#emit('release', error, client);
    if (destroy || isClientBroken(client) || (this.#maxUses > 0 && state.uses >= this.#maxUses)) loan.destroy(error);
    else loan.release();
  }

  #emit(event: string, a: unknown, b?: unknown): void {
    if (this.listenerCount(event) === 0) return;
    try {
      this.emit(event, a, b);
    } catch (failure) {
      // Events fire from socket and timer callbacks too: a throwing listener must neither break the
      // pool's bookkeeping nor crash the process, so it is reported instead.
      safeRecord(this.#monitor, createEvent(POOL_EVENTS.listenerError, this.#pool.name, { event, error: describeThrown(failure) }));
    }
  }
}

// Pool-only fields stay out of what each pg.Client receives.
function clientConfig(config: PgPoolConfig): pg.ClientConfig {
  const {
    max: _max,
    min: _min,
    idleTimeoutMillis: _idle,
    maxUses: _maxUses,
    maxLifetimeSeconds: _lifetime,
    allowExitOnIdle: _exit,
    Client: _client,
    onConnect: _onConnect,
    verify: _verify,
    log: _log,
    Promise: _promise,
    validationQuery: _validation,
    resetSession: _reset,
    endTimeoutMs: _end,
    pool: _pool,
    ...rest
  } = config;
  return rest;
}

/**
 * Creates a {@link PgPool}: `new pg.Pool(config)` becomes `createPgPool(config)`.
 * @throws {PgConfigError} `POOL_PG_CONFIG_INVALID` when `pg.Client` refuses the connection settings.
 */
export function createPgPool(config: PgPoolConfig = {}): PgPool {
  return new PgPool(config);
}
