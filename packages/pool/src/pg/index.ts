export { createPgConnectionManager } from './connection-manager.js';
export {
  POOL_PG_CONFIG_INVALID,
  POOL_PG_CONNECTION_LOST,
  POOL_PG_CONNECT_FAILED,
  PgConfigError,
  PgConnectError,
  PgConnectionLostError,
} from './errors.js';
export type { PgPoolErrorCode } from './errors.js';
export type { PgClientConstructor, PgConnectionManagerOptions, PgPoolConfig } from './options.js';
export { PgPool, createPgPool } from './pg-pool.js';
export type { PgPoolClient } from './pg-pool.js';
