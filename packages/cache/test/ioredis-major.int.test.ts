import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { redisUrl } from '@patinox/test-servers';
import { RedisBackend } from '../src/backends/redis.js';
import { ioredisPeer } from '../src/internal/peers.js';

// jest.config.mjs runs the Redis integration tests once per supported ioredis major; this checks that the
// backend under test really loads the major its project names, and works with it.
declare const IOREDIS_MAJOR: number;
const require = createRequire(import.meta.url);

describe('the ioredis peer under test', () => {
  it('is the major this jest project selects, and RedisBackend runs on it', async () => {
    const { version } = require('ioredis/package.json') as { version: string };
    expect(Number(version.split('.')[0])).toBe(IOREDIS_MAJOR);
    // The package's own lazy require resolves to the same module.
    expect(ioredisPeer()).toBe(require('ioredis'));
    const backend = new RedisBackend({ url: redisUrl() });
    const key = `ioredis-major:${IOREDIS_MAJOR}:${process.pid}:${Date.now()}`;
    try {
      await backend.set(key, Buffer.from('v'), { ttlMs: 10_000 });
      expect((await backend.get(key))?.toString()).toBe('v');
      expect(await backend.delete([key])).toBe(1);
    } finally {
      await backend.close();
    }
  });
});
