export { disposeRedis, freePort, redisCommand, startRedis, startRedisCluster, waitForRedis } from './redis-server.js';
export type { RedisClusterHandle, RedisServerHandle, StartRedisOptions } from './redis-server.js';
export { postgresUrl, redisUrl } from './services.js';
export { startVerdaccio } from './verdaccio.js';
export type { RegistryHandle, StartVerdaccioOptions } from './verdaccio.js';
