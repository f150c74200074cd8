export { createIoredisConnectionManager } from './connection-manager.js';
export { POOL_REDIS_CONNECTION_LOST, POOL_REDIS_CONNECT_FAILED, RedisConnectError, RedisConnectionLostError } from './errors.js';
export type { RedisPoolErrorCode } from './errors.js';
export type { IoredisConnectionManagerOptions } from './options.js';
export { useRedis } from './use-redis.js';
