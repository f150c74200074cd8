// jest globalSetup: one 3-master Redis Cluster for every test file of this run (workers inherit
// PATINOX_REDIS_CLUSTER), instead of one cluster per suite.
export { startSharedRedisCluster as default } from '@patinox/test-servers';
