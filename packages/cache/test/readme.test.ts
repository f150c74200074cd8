import { describe, expect, it } from '@jest/globals';

describe('README quick start', () => {
  it('runs as written', async () => {
    // --- quick start (keep in sync with README.md) ---
    const { Cache } = await import('../src/index.js');

    const cache = new Cache<string, { name: string }>({ maxEntries: 10_000, defaultTtlMs: 60_000 });
    cache.set('user:1', { name: 'Ada' }, { tags: ['users'] });
    cache.get('user:1'); // { name: 'Ada' }

    // One loader call per key, however many callers ask at once.
    const user = await cache.getOrLoad('user:2', async (key) => ({ name: `loaded ${key}` }));

    cache.invalidateTag('users'); // drops user:1
    console.log(user.name, cache.stats().hitRate);
    cache.close();
    // --- end quick start ---
    expect(user).toEqual({ name: 'loaded user:2' });
    expect(cache.closed).toBe(true);
  });
});
