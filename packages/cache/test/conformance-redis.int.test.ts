import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { redisUrl, sharedRedisCluster } from '@patinox/test-servers';
import { RedisBackend, RedisBus, type RedisBackendOptions } from '../src/backends/redis.js';
import type { CacheBackend } from '../src/index.js';
import { runConformance } from '../src/testing/index.js';

const framework = { describe, it, expect, beforeAll, afterAll };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The conformance targets of one Redis deployment: a backend, and tier instances with their own connections and bus. */
function redisTarget(name: string, options: () => Promise<RedisBackendOptions>): void {
  runConformance(framework, {
    name,
    backend: async () => {
      const backend = new RedisBackend(await options());
      return { backend, close: () => backend.close(), advance: sleep };
    },
    tier: async () => {
      const resolved = await options();
      return {
        backend: () => new RedisBackend(resolved),
        bus: async (backend: CacheBackend) => {
          const bus = new RedisBus({ client: (backend as RedisBackend).client });
          await bus.ready;
          return bus;
        },
        close: async () => undefined,
      };
    },
  });
}

redisTarget('standalone Redis', async () => ({ url: redisUrl() }));
// The cluster the jest globalSetup started for the whole run (or one started for this file alone).
redisTarget('3-master Redis Cluster', async () => ({ cluster: await sharedRedisCluster() }));
