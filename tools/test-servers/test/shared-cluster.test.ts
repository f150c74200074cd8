import { afterEach, describe, expect, it } from '@jest/globals';
import {
  parseClusterNodes,
  REDIS_CLUSTER_ENV,
  redisClusterNodes,
  redisCommand,
  sharedRedisCluster,
  startSharedRedisCluster,
  stopSharedRedisCluster,
} from '../src/index.js';

function isAlive(port: number): Promise<boolean> {
  return redisCommand(port, 'PING', 300).then(
    (reply) => reply === '+PONG',
    () => false,
  );
}

describe('shared Redis Cluster', () => {
  const saved = process.env[REDIS_CLUSTER_ENV];
  afterEach(async () => {
    await stopSharedRedisCluster();
    if (saved === undefined) delete process.env[REDIS_CLUSTER_ENV];
    else process.env[REDIS_CLUSTER_ENV] = saved;
  });

  it('parses host:port lists and names a bad entry', () => {
    expect(parseClusterNodes('127.0.0.1:7000, 127.0.0.1:7001,')).toEqual([
      { host: '127.0.0.1', port: 7000 },
      { host: '127.0.0.1', port: 7001 },
    ]);
    expect(() => parseClusterNodes('127.0.0.1')).toThrow('Expected `PATINOX_REDIS_CLUSTER` entries to be host:port, got "127.0.0.1"');
    expect(() => parseClusterNodes('h:70000')).toThrow('got "h:70000"');
    expect(() => parseClusterNodes(' , ')).toThrow('to list at least one host:port');
  });

  it('reads no nodes when the variable is unset or empty', () => {
    delete process.env[REDIS_CLUSTER_ENV];
    expect(redisClusterNodes()).toBeUndefined();
    process.env[REDIS_CLUSTER_ENV] = '';
    expect(redisClusterNodes()).toBeUndefined();
  });

  it('starts one cluster for concurrent callers, publishes it in the environment and stops it by pid', async () => {
    delete process.env[REDIS_CLUSTER_ENV];
    const [first, second, third] = await Promise.all([startSharedRedisCluster(), sharedRedisCluster(), startSharedRedisCluster()]);
    expect(first).toHaveLength(3);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(redisClusterNodes()).toEqual(first);
    expect(await sharedRedisCluster()).toEqual(first);
    for (const node of first) {
      const info = await redisCommand(node.port, 'CLUSTER INFO');
      expect(info).toContain('cluster_state:ok');
      expect(info).toContain('cluster_known_nodes:3');
    }
    await stopSharedRedisCluster();
    expect(process.env[REDIS_CLUSTER_ENV]).toBeUndefined();
    for (const node of first) expect(await isAlive(node.port)).toBe(false);
    await stopSharedRedisCluster();
  }, 30_000);

  it('reuses a cluster named in the environment instead of starting one', async () => {
    process.env[REDIS_CLUSTER_ENV] = '127.0.0.1:1,127.0.0.1:2';
    expect(await startSharedRedisCluster()).toEqual([
      { host: '127.0.0.1', port: 1 },
      { host: '127.0.0.1', port: 2 },
    ]);
    // Not started here, so not stopped here either.
    await stopSharedRedisCluster();
    expect(process.env[REDIS_CLUSTER_ENV]).toBe('127.0.0.1:1,127.0.0.1:2');
  });
});
