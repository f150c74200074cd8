import { startRedisCluster, type RedisClusterHandle } from './redis-server.js';

/**
 * Environment variable holding the startup nodes of a Redis Cluster shared by the test files of one
 * run, as `host:port,host:port,...`. Set by {@link startSharedRedisCluster} (a jest globalSetup), or by
 * CI to point every suite at a cluster it manages.
 */
export const REDIS_CLUSTER_ENV = 'PATINOX_REDIS_CLUSTER';

/** A cluster startup node, as ioredis' `Cluster` takes it. */
export interface ClusterNodeAddress {
  host: string;
  port: number;
}

// One handle per process even when the ESM and a re-evaluated copy of this module both load.
const HANDLE = Symbol.for('patinox.test-servers.shared-cluster');
const STARTING = Symbol.for('patinox.test-servers.shared-cluster.starting');
type Holder = { [HANDLE]?: RedisClusterHandle; [STARTING]?: Promise<ClusterNodeAddress[]> };

/** Parses `host:port,host:port` into startup nodes; throws a TypeError naming the bad entry. */
export function parseClusterNodes(value: string): ClusterNodeAddress[] {
  const nodes = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const match = /^(.+):(\d{1,5})$/.exec(entry);
      const port = match === null ? NaN : Number(match[2]);
      if (match === null || port < 1 || port > 65_535) {
        throw new TypeError(`Expected \`${REDIS_CLUSTER_ENV}\` entries to be host:port, got ${JSON.stringify(entry)}`);
      }
      return { host: match[1]!, port };
    });
  if (nodes.length === 0) throw new TypeError(`Expected \`${REDIS_CLUSTER_ENV}\` to list at least one host:port, got ${JSON.stringify(value)}`);
  return nodes;
}

/** The shared cluster's startup nodes from `PATINOX_REDIS_CLUSTER`, or undefined when none is set. */
export function redisClusterNodes(): ClusterNodeAddress[] | undefined {
  const value = process.env[REDIS_CLUSTER_ENV];
  return value === undefined || value === '' ? undefined : parseClusterNodes(value);
}

/**
 * Starts one 3-master cluster for a whole test run and publishes its nodes in `PATINOX_REDIS_CLUSTER`,
 * so jest workers (spawned after globalSetup, inheriting the environment) all share it. Does nothing when
 * the variable is already set (a cluster managed by CI, or a second call).
 *
 * @example
 * ```js
 * // jest.config.mjs: globalSetup: './test/setup/cluster-setup.mjs'
 * export { startSharedRedisCluster as default } from '@patinox/test-servers';
 * ```
 */
export async function startSharedRedisCluster(): Promise<ClusterNodeAddress[]> {
  const existing = redisClusterNodes();
  if (existing !== undefined) return existing;
  const holder = globalThis as unknown as Holder;
  // Concurrent first callers share one start instead of racing to start two clusters.
  holder[STARTING] ??= (async () => {
    try {
      const cluster = await startRedisCluster(3);
      holder[HANDLE] = cluster;
      process.env[REDIS_CLUSTER_ENV] = cluster.startupNodes.map((n) => `${n.host}:${n.port}`).join(',');
      return [...cluster.startupNodes];
    } finally {
      holder[STARTING] = undefined;
    }
  })();
  return holder[STARTING];
}

/** Stops the cluster {@link startSharedRedisCluster} started in this process (by pid); a no-op otherwise. */
export async function stopSharedRedisCluster(): Promise<void> {
  const holder = globalThis as unknown as Holder;
  const cluster = holder[HANDLE];
  if (cluster === undefined) return;
  holder[HANDLE] = undefined;
  delete process.env[REDIS_CLUSTER_ENV];
  await cluster.stop();
}

/**
 * The shared cluster's nodes: those in `PATINOX_REDIS_CLUSTER`, or else a cluster started now for this
 * process (killed when it exits), so a single test file also runs without the globalSetup.
 */
export async function sharedRedisCluster(): Promise<ClusterNodeAddress[]> {
  return redisClusterNodes() ?? (await startSharedRedisCluster());
}
