import { describe, expect, it } from '@jest/globals';
import { Cache } from '../src/index.js';

// The README's loading examples (section "Loader timeouts with a stale fallback" and the ones after it),
// with their undeclared helpers filled in; keep in sync with README.md.
describe('README loading examples', () => {
  it('timeouts, grace and backoff, refresh ahead and sliding expiry run as written', async () => {
    type Price = { bid: number };
    const fetchPrice = async (): Promise<Price> => ({ bid: 1.1 });
    const cache = new Cache<string, Price>({ maxEntries: 10_000, defaultTtlMs: 60_000, graceMs: 600_000 });
    const price = await cache.getOrLoad('EURUSD', fetchPrice, { softTimeoutMs: 50, hardTimeoutMs: 2_000 });
    expect(price).toEqual({ bid: 1.1 });

    type Config = { flags: string[] };
    const loadConfig = (): Config => ({ flags: [] });
    const configs = new Cache<string, Config>({ maxEntries: 100, defaultTtlMs: 30_000, graceMs: 3_600_000, failureBackoffMs: 1_000 });
    await expect(configs.getOrLoad('app', loadConfig)).resolves.toEqual({ flags: [] });

    const rates = new Cache<string, number>({ maxEntries: 1_000, defaultTtlMs: 60_000, refreshAfterMs: 45_000 });
    await expect(rates.getOrLoad('rates', () => 1.2)).resolves.toBe(1.2);

    const sessions = new Cache<string, { user: string }>({ maxEntries: 50_000, defaultTtlMs: 1_800_000, slidingTtl: true });
    sessions.set('id', { user: 'ada' });
    expect(sessions.get('id')).toEqual({ user: 'ada' });
    for (const c of [cache, configs, rates, sessions]) c.close();
  });

  it('the loader decides, bulk calls, dump/load and the admin stats run as written', async () => {
    type Token = { expiresInMs: number };
    const fetchToken = async (): Promise<Token> => ({ expiresInMs: 10_000 });
    const cache = new Cache<string, unknown>({ maxEntries: 100 });
    const token = await cache.getOrLoad('token', async (_key, { setTtl, doNotCache }) => {
      const t = await fetchToken();
      if (t.expiresInMs < 1_000) doNotCache();
      else setTtl(t.expiresInMs - 1_000);
      return t;
    });
    expect(token).toEqual({ expiresInMs: 10_000 });
    expect(cache.remainingTtl('token')).toBeLessThanOrEqual(9_000);

    const db = { users: async (ids: string[]) => ids.map((id) => ({ id })) };
    const users = await cache.getMany(['u1', 'u2', 'u3'], async (missing) => new Map((await db.users(missing)).map((u) => [u.id, u])));
    expect(users).toEqual([{ id: 'u1' }, { id: 'u2' }, { id: 'u3' }]);
    cache.setMany([
      { key: 'a', value: 1 },
      { key: 'b', value: 2, ttlMs: 5_000, tags: ['t'] },
    ]);
    expect(cache.remainingTtl('b')).toBeGreaterThan(4_990);

    const restored = new Cache<string, unknown>({ maxEntries: 10_000 });
    expect(restored.load(JSON.parse(JSON.stringify(cache.dump())))).toBe(cache.size);
    expect(restored.get('u2')).toEqual({ id: 'u2' });

    const body = { ...cache.stats({ reset: true }), hottest: cache.hottest(20) };
    expect(body.loads).toBe(2);
    expect(body.hottest).toHaveLength(cache.size);
    cache.close();
    restored.close();
  });
});
