export { disposeRedis, freePort, redisCommand, startRedis, startRedisCluster, waitForRedis } from './redis-server.js';
export type { RedisClusterHandle, RedisServerHandle, StartRedisOptions } from './redis-server.js';
export { postgresUrl, redisUrl } from './services.js';
export { eventually } from './eventually.js';
export { hostileValues } from './hostile.js';
export { HOSTILE_COUNT, HostileRef, resolveHostile } from './hostile-ref.js';
export { watchUncaught } from './uncaught.js';
export type { UncaughtWatch } from './uncaught.js';
