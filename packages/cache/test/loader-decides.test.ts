import { describe, expect, it } from '@jest/globals';
import { clock, deferred } from '@patinox/test-servers';
import { Cache, CACHE_CLOSED, CACHE_LOADER_FAILED } from '../src/index.js';

describe('the loader decides TTL, tags and whether to cache', () => {
  it('stores with the TTL and tags the loader set, over the call options', async () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now, defaultTtlMs: 10 });
    await cache.getOrLoad(
      'k',
      (_key, { setTtl, setTags }) => {
        setTtl(500);
        setTags(['from-loader']);
        return 1;
      },
      { ttlMs: 50, tags: ['from-call'] },
    );
    expect(cache.remainingTtl('k')).toBe(500);
    expect(cache.invalidateTag('from-call')).toBe(0);
    expect(cache.invalidateTag('from-loader')).toBe(1);
    await cache.getOrLoad('n', (_key, ctx) => {
      ctx.setTtl(0);
      return 2;
    });
    c.advance(1_000);
    expect(cache.remainingTtl('n')).toBe(Infinity);
  });

  it('returns a doNotCache value to every caller without storing it, keeping a stale one', async () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now, graceMs: 1_000 });
    const d = deferred<number>();
    const loader = (_key: string, ctx: { doNotCache(): void }): Promise<number> => {
      ctx.doNotCache();
      return d.promise;
    };
    const a = cache.getOrLoad('k', loader);
    const b = cache.getOrLoad('k', loader);
    d.resolve(3);
    await expect(Promise.all([a, b])).resolves.toEqual([3, 3]);
    expect(cache.has('k')).toBe(false);
    await cache.getOrLoad('s', () => 1, { ttlMs: 10 });
    c.advance(20);
    await expect(
      cache.getOrLoad('s', (_k, ctx) => {
        expect(ctx.stale).toBe(1);
        expect(ctx.isRefresh).toBe(true);
        ctx.doNotCache();
        return 2;
      }),
    ).resolves.toBe(2);
    expect(cache.peek('s', { allowStale: true })).toBe(1);
  });

  it('rejects an invalid setTtl or setTags at once, naming the value, and stores nothing', async () => {
    const cache = new Cache<string, number>({ maxEntries: 10 });
    const seen: unknown[] = [];
    await expect(
      cache.getOrLoad('k', (_k, ctx) => {
        try {
          ctx.setTtl(-5);
        } catch (err) {
          seen.push(err);
        }
        try {
          ctx.setTags('x' as never);
        } catch (err) {
          seen.push(err);
        }
        ctx.setTtl(Number.NaN);
        return 1;
      }),
    ).rejects.toMatchObject({ code: CACHE_LOADER_FAILED, cause: expect.any(RangeError) });
    expect(seen).toHaveLength(2);
    expect(String(seen[0])).toContain('`ttlMs`');
    expect(String(seen[0])).toContain('-5');
    expect(seen[1]).toBeInstanceOf(TypeError);
    expect(cache.size).toBe(0);
    // An invalid setTtl the loader caught leaves the earlier valid decision in place.
    await cache.getOrLoad('j', (_k, ctx) => {
      ctx.setTtl(100);
      expect(() => ctx.setTtl(Infinity)).toThrow(RangeError);
      return 1;
    });
    expect(cache.remainingTtl('j')).toBeGreaterThan(0);
  });

  it('ignores a loader that resolves after close: no write, the caller gets its value, nothing unhandled', async () => {
    const cache = new Cache<string, number>({ maxEntries: 10 });
    const d = deferred<number>();
    const pending = cache.getOrLoad('k', () => d.promise, { hardTimeoutMs: 1_000 });
    cache.close();
    d.resolve(1);
    await expect(pending).resolves.toBe(1);
    expect(cache.size).toBe(0);
    await expect(cache.getOrLoad('k', () => 1)).rejects.toMatchObject({ code: CACHE_CLOSED });
    await expect(cache.getMany(['k'], () => new Map())).rejects.toMatchObject({ code: CACHE_CLOSED });
  });
});
