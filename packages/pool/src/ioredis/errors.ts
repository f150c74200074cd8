import { describeThrown } from '@patinox/errors';
import { PoolError } from '../errors.js';

/** Opening a Redis connection failed (refused, authentication, TLS). */
export const POOL_REDIS_CONNECT_FAILED = 'POOL_REDIS_CONNECT_FAILED';
/** A command run through `useRedis` lost its connection (the server or the network dropped it). */
export const POOL_REDIS_CONNECTION_LOST = 'POOL_REDIS_CONNECTION_LOST';

/** Every code the `@patinox/pool/ioredis` subpath adds. */
export type RedisPoolErrorCode = typeof POOL_REDIS_CONNECT_FAILED | typeof POOL_REDIS_CONNECTION_LOST;

/**
 * A Redis connection could not be opened. Recovery is `fail` when retrying cannot help (`WRONGPASS`,
 * `NOAUTH`, `NOPERM`: the pool then rejects every waiter at once with `POOL_MANAGER_ERROR`), `retry`
 * otherwise (the pool retries with backoff until each caller's deadline).
 */
export class RedisConnectError extends PoolError {
  constructor(cause: unknown, permanent: boolean) {
    super(`Could not connect to Redis: ${describeThrown(cause)}`, POOL_REDIS_CONNECT_FAILED, permanent ? 'fail' : 'retry', undefined, cause);
  }
}

/**
 * The connection closed while `useRedis` ran a command on it ("Connection is closed."); the connection
 * was destroyed and the pool opens a new one. Whether a write took effect is unknown. Recovery: `retry`
 * (idempotent commands only).
 */
export class RedisConnectionLostError extends PoolError {
  constructor(cause: unknown) {
    super(`The Redis connection was lost during the command: ${describeThrown(cause)}`, POOL_REDIS_CONNECTION_LOST, 'retry', undefined, cause);
  }
}
