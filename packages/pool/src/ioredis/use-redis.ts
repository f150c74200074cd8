import type { Redis } from 'ioredis';
import { expectFunction } from '@patinox/errors';
import type { AcquireOptions } from '../options.js';
import type { Pool } from '../pool.js';
import { releaseSuspect, type PooledConnection } from '../pooled-connection.js';
import { RedisConnectionLostError } from './errors.js';

/**
 * Runs `fn` on a pooled Redis connection and gives it back however `fn` ends. When the connection
 * closed under `fn` (a killed client, a restart), it is destroyed and the error arrives as
 * {@link RedisConnectionLostError} (`POOL_REDIS_CONNECTION_LOST`) instead of ioredis' uncoded
 * "Connection is closed."; a Redis reply error passes through unchanged.
 *
 * @example
 * ```ts
 * const message = await useRedis(pool, (redis) => redis.brpop('queue', 1), { timeoutMs: 500 });
 * ```
 * @throws {PoolTimeoutError} `POOL_TIMEOUT` when no connection is free by the deadline.
 * @throws {RedisConnectionLostError} `POOL_REDIS_CONNECTION_LOST` when the connection closed during `fn`.
 * @throws TypeError when `fn` is not a function, and TypeError / RangeError for a malformed option: at
 * once (not as a rejection), as `pool.acquire` throws them, before a connection is borrowed.
 */
export function useRedis<T>(pool: Pool<Redis>, fn: (client: Redis) => T | Promise<T>, options?: AcquireOptions): Promise<T> {
  expectFunction('fn', fn);
  return run(fn, pool.acquire(options));
}

async function run<T>(fn: (client: Redis) => T | Promise<T>, acquired: Promise<PooledConnection<Redis>>): Promise<T> {
  const loan = await acquired;
  const client = loan.connection;
  let result: T;
  try {
    result = await fn(client);
  } catch (error) {
    if (client.status !== 'ready') {
      loan.destroy(error);
      throw new RedisConnectionLostError(error);
    }
    releaseSuspect(loan);
    throw error;
  }
  loan.release();
  return result;
}
