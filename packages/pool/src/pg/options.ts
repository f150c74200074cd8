import type * as pg from 'pg';
import type { PoolOptions } from '../options.js';

/** A `pg.Client`-compatible constructor (pg's own, a subclass, or `pg.native.Client`). */
export type PgClientConstructor = new (config?: string | pg.ClientConfig) => pg.Client;

/** Options of {@link createPgConnectionManager}; every field is optional. */
export interface PgConnectionManagerOptions {
  /** Connection settings handed to every new client (a connection string or a `pg.ClientConfig`). @default {} (pg reads PG* env vars) */
  config?: string | pg.ClientConfig;
  /** The client class to instantiate; inject a subclass or `pg.native.Client`. @default pg.Client */
  Client?: PgClientConstructor;
  /**
   * SQL sent to check an idle connection. The default empty query costs one round trip and no parse or
   * plan on the server, which `SELECT 1` does not.
   * @default ''
   */
  validationQuery?: string;
  /**
   * Resets session state when a connection comes back: `true` sends `DISCARD ALL` (drops prepared
   * statements, temp tables, `SET`s, advisory locks), a string sends that SQL instead. A connection
   * returned inside a transaction is always rolled back first, whatever this says. A failed reset
   * destroys the connection.
   * @default false
   */
  resetSession?: boolean | string;
  /** Runs once on each new connection before it is lent (`SET search_path`, `LISTEN`); a throw fails that create. */
  onConnect?: (client: pg.Client) => void | Promise<void>;
  /**
   * Default for the pool's `createTimeoutMs`, in ms: how long a connect (TCP, TLS, startup, `onConnect`)
   * may take before it is aborted and its socket destroyed.
   * @default config.connectionTimeoutMillis when set, else the pool's default (10000)
   */
  connectTimeoutMs?: number;
  /** How long `destroy` waits for the server to acknowledge a graceful close before destroying the socket, in ms. @default 5000 */
  endTimeoutMs?: number;
}

/** Every key of {@link PgConnectionManagerOptions}; any other is refused with a `TypeError`. */
export const PG_MANAGER_OPTION_KEYS = [
  'config',
  'Client',
  'validationQuery',
  'resetSession',
  'onConnect',
  'connectTimeoutMs',
  'endTimeoutMs',
] as const satisfies readonly (keyof PgConnectionManagerOptions)[];

/**
 * The keys of {@link PgPoolConfig} the pool knows: its own, pg-pool's and pg.Client's (as @types/pg and
 * pg 8 list them). `createPgPool` passes any other key to pg unread, as pg.Pool does, but refuses one
 * close to a known key (another case, another time unit, a typo) or one of the pool's own options, which
 * belong under `pool`.
 */
export const PG_POOL_CONFIG_KEYS = [
  // createPgPool's own
  'validationQuery',
  'resetSession',
  'endTimeoutMs',
  'pool',
  // pg-pool
  'max',
  'min',
  'idleTimeoutMillis',
  'log',
  'Promise',
  'allowExitOnIdle',
  'maxUses',
  'maxLifetimeSeconds',
  'Client',
  'onConnect',
  'verify',
  // pg.Client
  'user',
  'database',
  'password',
  'port',
  'host',
  'connectionString',
  'keepAlive',
  'stream',
  'statement_timeout',
  'ssl',
  'enableChannelBinding',
  'sslnegotiation',
  'query_timeout',
  'lock_timeout',
  'keepAliveInitialDelayMillis',
  'idle_in_transaction_session_timeout',
  'application_name',
  'fallback_application_name',
  'connectionTimeoutMillis',
  'types',
  'options',
  'client_encoding',
  'pipeline',
  'binary',
  'replication',
  'scramMaxIterations',
] as const;

/**
 * Options of {@link createPgPool}: node-postgres' `pg.PoolConfig` (connection settings plus `max`, `min`,
 * `idleTimeoutMillis`, `connectionTimeoutMillis`, `maxUses`, `maxLifetimeSeconds`, `allowExitOnIdle`, `Client`, `onConnect`),
 * plus the manager options above and, under `pool`, any {@link PoolOptions} for what pg has no name for.
 *
 * Differences from pg.Pool: `connectionTimeoutMillis` of 0 or unset means 30000 ms, not "wait forever",
 * because no caller may wait forever; `verify`, `log` and `Promise` are ignored. A key not listed here
 * goes to `pg.Client` unread, but one close to a listed key (`Max`, `databse`, `idleTimeoutMs`) or a
 * {@link PoolOptions} key outside `pool` is refused with a `TypeError`, as is an unknown key under `pool`.
 */
export interface PgPoolConfig extends pg.PoolConfig {
  /** See {@link PgConnectionManagerOptions.validationQuery}. @default '' */
  validationQuery?: string;
  /** See {@link PgConnectionManagerOptions.resetSession}. @default false */
  resetSession?: boolean | string;
  /** See {@link PgConnectionManagerOptions.endTimeoutMs}. @default 5000 */
  endTimeoutMs?: number;
  /**
   * Pool options pg has no name for (`name`, `monitor`, `maxWaiters`, `healthCheckIntervalMs`,
   * `validateOnBorrow`, `leakDetectionMs`...). A field here wins over the pg-named one it maps to
   * (`maxSize` over `max`, `acquireTimeoutMs` over `connectionTimeoutMillis`).
   * @default { name: 'pg' }
   */
  pool?: PoolOptions;
}
