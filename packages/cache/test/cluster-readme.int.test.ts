import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { sharedRedisCluster } from '@patinox/test-servers';

describe('README Redis Cluster example', () => {
  it('runs as written against the shared 3-master cluster', async () => {
    const nodes = await sharedRedisCluster();
    const namespace = `orders-${randomUUID().slice(0, 8)}`;
    // --- cluster example (keep in sync with README.md; nodes and namespace differ) ---
    const { TieredCache } = await import('../src/index.js');
    const { RedisBackend, RedisBus } = await import('../src/backends/redis.js');

    const l2 = new RedisBackend({ cluster: nodes });
    const cache = new TieredCache({ l2, bus: new RedisBus({ client: l2.client }), namespace });
    await cache.set('{order:1}:total', 10);
    const applied = await cache.atomic().check('{order:1}:total', 10).set('{order:1}:total', 12).set('{order:1}:paid', true).execute();
    // --- end cluster example ---
    expect(applied).toBe(true);
    expect(await cache.getMany(['{order:1}:total', '{order:1}:paid'])).toEqual([12, true]);
    await expect(cache.atomic().check('{x}a', undefined).set('{y}b', 1).execute()).rejects.toMatchObject({ code: 'CACHE_CROSS_SLOT' });
    expect(await cache.clear()).toBe(2);
    await cache.close();
  });
});
