import { describeThrown } from '@patinox/errors';
import { PoolError } from '../errors.js';

/** `createPgPool` or `createPgConnectionManager` got a config that `pg.Client` refuses. */
export const POOL_PG_CONFIG_INVALID = 'POOL_PG_CONFIG_INVALID';
/** Opening a PostgreSQL connection failed (refused, authentication, unknown database, TLS). */
export const POOL_PG_CONNECT_FAILED = 'POOL_PG_CONNECT_FAILED';

/** A `PgPool#query` lost its connection mid-query (the server or the network dropped it). */
export const POOL_PG_CONNECTION_LOST = 'POOL_PG_CONNECTION_LOST';

/** Every code the `@patinox/pool/pg` subpath adds. */
export type PgPoolErrorCode = typeof POOL_PG_CONFIG_INVALID | typeof POOL_PG_CONNECT_FAILED | typeof POOL_PG_CONNECTION_LOST;

/**
 * The `pg` driver refused the connection config (its `Client` constructor threw). Thrown at once by the
 * factory, never later from a query. Recovery: `fail` (fix the config).
 */
export class PgConfigError extends PoolError {
  constructor(message: string, cause: unknown) {
    super(message, POOL_PG_CONFIG_INVALID, 'fail', undefined, cause);
  }
}

/**
 * A connection could not be opened. `sqlstate` is the server's error code when it answered one.
 * Recovery is `fail` for failures retrying cannot fix (bad credentials: SQLSTATE class 28; an unknown
 * database: 3D000), which makes the pool reject every waiter at once with `POOL_MANAGER_ERROR`;
 * `retry` otherwise (refused, reset, the server starting up), which the pool retries with backoff.
 */
export class PgConnectError extends PoolError {
  readonly sqlstate: string | undefined;

  constructor(message: string, sqlstate: string | undefined, permanent: boolean, cause: unknown) {
    super(message, POOL_PG_CONNECT_FAILED, permanent ? 'fail' : 'retry', { sqlstate }, cause);
    this.sqlstate = sqlstate;
  }
}

/**
 * `PgPool#query` lost its connection while the query ran and pg reported it without a SQLSTATE
 * ("Connection terminated unexpectedly"); the client was destroyed. Whether the statement ran is
 * unknown. Errors the server sent with a SQLSTATE (57P01 for a terminated backend) pass through as pg
 * raised them. Recovery: `retry` (idempotent statements only).
 */
export class PgConnectionLostError extends PoolError {
  constructor(cause: unknown) {
    super(`The PostgreSQL connection was lost during the query: ${describeThrown(cause)}`, POOL_PG_CONNECTION_LOST, 'retry', undefined, cause);
  }
}
