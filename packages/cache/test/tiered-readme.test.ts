import { describe, expect, it } from '@jest/globals';

describe('README distributed tier quick start', () => {
  it('runs as written against the local Redis', async () => {
    // --- quick start (keep in sync with README.md) ---
    const { TieredCache } = await import('../src/index.js');
    const { RedisBackend, RedisBus } = await import('../src/backends/redis.js');

    const l2 = new RedisBackend({ url: 'redis://127.0.0.1:6379' }); // or { cluster: nodes }, or { client }
    const bus = new RedisBus({ client: l2.client });
    const users = new TieredCache<{ name: string }>({ l2, bus, namespace: 'users', defaultTtlMs: 60_000 });

    await users.set('u1', { name: 'Ada' }, { tags: ['team:1'] });
    await users.get('u1'); // L1 hit: no network
    const u2 = await users.getOrLoad('u2', async (key) => ({ name: `loaded ${key}` })); // one loader across all instances
    await users.invalidateTag('team:1'); // gone here and on every instance
    await users.close(); // closes the bus and the Redis connections
    // --- end quick start ---
    expect(u2).toEqual({ name: 'loaded u2' });
    const cleanup = new TieredCache({ l2: new RedisBackend({ url: 'redis://127.0.0.1:6379' }), namespace: 'users' });
    expect(await cleanup.get('u1')).toBeUndefined();
    await cleanup.delete('u2');
    await cleanup.close();
  });
});
