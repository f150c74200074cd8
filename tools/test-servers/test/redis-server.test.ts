import { describe, expect, it } from '@jest/globals';
import { disposeRedis, redisCommand, startRedis, startRedisCluster, waitForRedis, redisUrl, postgresUrl } from '../src/index.js';

describe('startRedis', () => {
  it('starts a real redis-server on a free loopback port and stops it by pid', async () => {
    const server = await startRedis();
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
      expect(await redisCommand(server.port, 'PING')).toBe('+PONG');
      expect(() => process.kill(server.pid, 0)).not.toThrow();
      await server.kill();
      expect(server.isRunning).toBe(false);
      await expect(redisCommand(server.port, 'PING', 300)).rejects.toThrow();
      await server.restart();
      expect(await redisCommand(server.port, 'PING')).toBe('+PONG');
    } finally {
      await disposeRedis(server);
    }
    expect(server.isRunning).toBe(false);
  });

  it('rejects when the binary does not exist', async () => {
    await expect(startRedis({ binary: '/nonexistent/redis-server', readyTimeoutMs: 2000 })).rejects.toThrow();
  });

  it('times out waiting for a port nobody listens on', async () => {
    await expect(waitForRedis(1, 200)).rejects.toThrow(/not ready/);
  });

  it('gives the URLs of the machine services', () => {
    expect(redisUrl()).toMatch(/^redis:\/\//);
    expect(postgresUrl()).toMatch(/^postgres(ql)?:\/\//);
  });

  it('starts a three-master cluster that reports cluster_state:ok', async () => {
    const cluster = await startRedisCluster(3);
    try {
      expect(cluster.nodes).toHaveLength(3);
      const info = await redisCommand(cluster.nodes[0]!.port, 'CLUSTER INFO');
      expect(info).toContain('cluster_state:ok');
    } finally {
      await cluster.stop();
    }
  }, 30_000);
});
