import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { redisUrl } from '@patinox/test-servers';
import { Pool } from '../src/index.js';
import { createIoredisConnectionManager, useRedis } from '../src/ioredis/index.js';
import { ioredisPeer } from '../src/ioredis/peer.js';

// jest.config.mjs runs the Redis integration tests once per supported ioredis major; this checks that the
// manager under test really loads the major its project names, and works with it.
declare const IOREDIS_MAJOR: number;
const require = createRequire(import.meta.url);

describe('the ioredis peer under test', () => {
  it('is the major this jest project selects, and a pool of its connections runs commands', async () => {
    const { version } = require('ioredis/package.json') as { version: string };
    expect(Number(version.split('.')[0])).toBe(IOREDIS_MAJOR);
    // The package's own lazy require resolves to the same module.
    expect(ioredisPeer()).toBe(require('ioredis'));
    const pool = new Pool(createIoredisConnectionManager({ redis: redisUrl() }), { maxSize: 1 });
    const key = `patinox:pool:ioredis-major:${IOREDIS_MAJOR}:${process.pid}`;
    try {
      const got = await useRedis(pool, async (redis) => {
        await redis.set(key, 'v', 'PX', 10_000);
        const value = await redis.get(key);
        await redis.del(key);
        return value;
      });
      expect(got).toBe('v');
    } finally {
      await pool.close();
    }
  });
});
