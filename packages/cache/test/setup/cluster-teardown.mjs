// jest globalTeardown: stops (by pid) the cluster that cluster-setup.mjs started.
export { stopSharedRedisCluster as default } from '@patinox/test-servers';
