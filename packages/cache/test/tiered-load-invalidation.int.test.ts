import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { deferred, redisUrl } from '@patinox/test-servers';
import { RedisBackend, RedisBus } from '../src/backends/redis.js';
import { TieredCache, type InvalidationEvent, type TieredCacheOptions } from '../src/tiered/index.js';

/**
 * A getOrLoad whose loader is still running when the key is invalidated (invalidateTag, delete, clear;
 * on this instance or another, through the bus) must not store what it loaded: the caller who
 * invalidated would then read a value loaded before the invalidation. Real Redis and a real bus.
 */
describe('TieredCache: a load in flight against an invalidation', () => {
  const open: TieredCache<unknown>[] = [];
  let raw: Redis;
  let ns = '';

  beforeAll(() => {
    raw = new Redis(redisUrl());
  });

  afterEach(async () => {
    await Promise.all(
      open.splice(0).map(async (c) => {
        await c.clear().catch(() => undefined);
        await c.close();
      }),
    );
  });

  afterAll(async () => {
    await raw.quit();
  });

  /** An instance on its own connection and bus; instances made with `shared` use the last namespace. */
  async function make(options: Partial<TieredCacheOptions<string>> = {}, shared = false): Promise<TieredCache<string>> {
    if (!shared) ns = `loadinv-${randomUUID().slice(0, 8)}`;
    const l2 = new RedisBackend({ url: redisUrl() });
    const bus = new RedisBus({ client: l2.client });
    await bus.ready;
    const cache = new TieredCache<string>({ l2, bus, namespace: ns, defaultTtlMs: 60_000, ...options });
    open.push(cache as TieredCache<unknown>);
    return cache;
  }

  /** A loader that reports when it runs and answers when the test says so. */
  function slowLoader(): { load: () => Promise<string>; started: Promise<void>; finish: (value: string) => void } {
    const started = deferred();
    const result = deferred<string>();
    return {
      load: () => {
        started.resolve();
        return result.promise;
      },
      started: started.promise,
      finish: result.resolve,
    };
  }

  /** Resolves once `cache` received (from another instance) an invalidation `matches` accepts. */
  function received(cache: TieredCache<string>, matches: (event: InvalidationEvent) => boolean): { seen: Promise<void> } {
    const events = cache.subscribeInvalidation();
    const seen = (async () => {
      for await (const event of events) if (!event.local && matches(event)) break;
      await events.return?.();
    })();
    return { seen };
  }

  const invalidations = [
    ['invalidateTag', (c: TieredCache<string>) => c.invalidateTag('t'), (e: InvalidationEvent) => e.tags.includes('t')],
    ['delete', (c: TieredCache<string>) => c.delete('k'), (e: InvalidationEvent) => e.keys.includes('k')],
    ['clear', (c: TieredCache<string>) => c.clear(), (e: InvalidationEvent) => e.clear],
  ] as const;

  describe.each([
    ['with L1', {}],
    ['without L1', { l1: false as const }],
  ])('%s', (_label, options) => {
    it.each(invalidations)('%s on the same instance: the value read after the loader ends is not the one it loaded', async (_name, invalidate, _matches) => {
      const cache = await make(options);
      const slow = slowLoader();
      const loading = cache.getOrLoad('k', slow.load, { tags: ['t'] });
      await slow.started;
      await invalidate(cache);
      slow.finish('loaded before the invalidation');
      // Its own caller still gets what it loaded.
      await expect(loading).resolves.toBe('loaded before the invalidation');
      await cache.settled();
      expect(await cache.get('k')).toBeUndefined();
      expect(await cache.get('k', { consistent: true })).toBeUndefined();
      expect(await raw.exists(`${ns}:v:k`)).toBe(0);
      // The next load runs again and is stored.
      await expect(cache.getOrLoad('k', () => 'fresh', { tags: ['t'] })).resolves.toBe('fresh');
      expect(await cache.get('k', { consistent: true })).toBe('fresh');
    });

    it.each(invalidations)('%s on another instance, received through the bus: neither instance reads the value loaded before it', async (_name, invalidate, matches) => {
      const loader = await make(options);
      const other = await make(options, true);
      const slow = slowLoader();
      const loading = loader.getOrLoad('k', slow.load, { tags: ['t'] });
      await slow.started;
      const arrival = received(loader, matches);
      await invalidate(other);
      await arrival.seen;
      slow.finish('loaded before the invalidation');
      await expect(loading).resolves.toBe('loaded before the invalidation');
      await loader.settled();
      expect(await other.get('k', { consistent: true })).toBeUndefined();
      expect(await loader.get('k')).toBeUndefined();
      expect(await raw.exists(`${ns}:v:k`)).toBe(0);
    });
  });

  const writes = [
    ['set', (c: TieredCache<string>) => c.set('k', 'written during the load'), 'written during the load'],
    ['setMany', (c: TieredCache<string>) => c.setMany([{ key: 'k', value: 'written during the load' }]), 'written during the load'],
    ['batch', (c: TieredCache<string>) => c.batch().set('k', 'written during the load').execute(), 'written during the load'],
    ['atomic', async (c: TieredCache<string>) => void (await c.atomic().set('k', 'written during the load').execute()), 'written during the load'],
  ] as const;

  describe.each([
    ['with L1', {}],
    ['without L1', { l1: false as const }],
  ])('%s', (_label, options) => {
    it.each(writes)('a %s acknowledged while a load of the key runs is what every read sees after the load ends', async (_name, write, expected) => {
      const cache = await make(options);
      const slow = slowLoader();
      const loading = cache.getOrLoad('k', slow.load);
      await slow.started;
      await write(cache);
      slow.finish('loaded before the write');
      await expect(loading).resolves.toBe('loaded before the write');
      await cache.settled();
      expect(await cache.get('k')).toBe(expected);
      expect(await cache.get('k', { consistent: true })).toBe(expected);
    });
  });

  it('leaves a load alone when the invalidated tag is not one it stores under', async () => {
    const cache = await make();
    const slow = slowLoader();
    const loading = cache.getOrLoad('k', slow.load, { tags: ['t'] });
    await slow.started;
    await cache.invalidateTag('other');
    await cache.delete('another-key');
    slow.finish('kept');
    await loading;
    expect(await cache.get('k', { consistent: true })).toBe('kept');
  });

  it('still writes nothing when its tag was invalidated among more tags than it remembers', async () => {
    const cache = await make();
    const slow = slowLoader();
    const loading = cache.getOrLoad('k', slow.load, { tags: ['t'] });
    await slow.started;
    await cache.invalidateTag('t');
    await Promise.all(Array.from({ length: 1_100 }, (_, i) => cache.invalidateTag(`other-${i}`)));
    slow.finish('stale');
    await loading;
    expect(await cache.get('k', { consistent: true })).toBeUndefined();
  });

  it.each(invalidations)('getMany(keys, loader): %s during the bulk load keeps the keys it covers out of L2 and L1', async (name, invalidate, _matches) => {
    const cache = await make();
    let finish: (found: Map<string, string>) => void = () => undefined;
    const started = deferred();
    const loading = cache.getMany(['k', 'j'], () => {
      started.resolve();
      return new Promise<Map<string, string>>((resolve) => (finish = resolve));
    }, { tags: name === 'invalidateTag' ? ['t'] : ['u'] });
    await started.promise;
    await invalidate(cache);
    finish(new Map([['k', 'K'], ['j', 'J']]));
    await expect(loading).resolves.toEqual(['K', 'J']);
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.get('k', { consistent: true })).toBeUndefined();
    // Only delete('k') leaves the other key of the load alone.
    expect(await cache.get('j', { consistent: true })).toBe(name === 'delete' ? 'J' : undefined);
  });

  it("writes nothing from a region's load in flight when the parent clears", async () => {
    const cache = await make();
    const region = cache.region('r');
    const slow = slowLoader();
    const loading = region.getOrLoad('k', slow.load);
    await slow.started;
    await cache.clear();
    slow.finish('stale');
    await loading;
    expect(await region.get('k')).toBeUndefined();
    expect(await region.get('k', { consistent: true })).toBeUndefined();
  });

  it('does not store a stale-while-revalidate refresh that started before invalidateTag', async () => {
    const cache = await make();
    const slow = slowLoader();
    const loading = cache.getOrLoad('k', slow.load, { tags: ['t'], staleWhileRevalidateMs: 1_000 });
    await slow.started;
    await cache.invalidateTag('t');
    slow.finish('stale');
    await loading;
    await cache.settled();
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.get('k', { consistent: true })).toBeUndefined();
  });
});
