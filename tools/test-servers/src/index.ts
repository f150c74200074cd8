export { disposeRedis, freePort, redisCommand, startRedis, startRedisCluster, waitForRedis } from './redis-server.js';
export type { RedisClusterHandle, RedisServerHandle, StartRedisOptions } from './redis-server.js';
export { postgresUrl, redisUrl } from './services.js';
export {
  parseClusterNodes,
  REDIS_CLUSTER_ENV,
  redisClusterNodes,
  sharedRedisCluster,
  startSharedRedisCluster,
  stopSharedRedisCluster,
} from './shared-cluster.js';
export type { ClusterNodeAddress } from './shared-cluster.js';
export { eventually } from './eventually.js';
export { clock } from './clock.js';
export type { ManualClock } from './clock.js';
export { deferred } from './deferred.js';
export type { Deferred } from './deferred.js';
export { hostileValues } from './hostile.js';
export { startVerdaccio } from './verdaccio.js';
export type { RegistryHandle, StartVerdaccioOptions } from './verdaccio.js';
export { watchUncaught } from './uncaught.js';
export type { UncaughtWatch } from './uncaught.js';
export { HOSTILE_COUNT, HostileRef, resolveHostile } from './hostile-ref.js';
export { bareProject } from './bare-project.js';
export type { BareProject } from './bare-project.js';
export { startSilentServer } from './silent-server.js';
export type { SilentServer } from './silent-server.js';
