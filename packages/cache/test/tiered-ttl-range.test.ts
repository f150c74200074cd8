import { describe, it, expect, afterEach } from '@jest/globals';
import { MemoryBackend, TieredCache, type TieredCacheOptions } from '../src/tiered/index.js';

const TOO_LONG = 1e20; // Redis cannot parse String(1e21) and refuses any PX past a 64-bit ms timestamp
const MAX = Number.MAX_SAFE_INTEGER;

const open: TieredCache<unknown>[] = [];
function make(options: Partial<TieredCacheOptions<number>> = {}): TieredCache<number> {
  const cache = new TieredCache<number>({ l2: new MemoryBackend(), namespace: 'ttl', ...options });
  open.push(cache as TieredCache<unknown>);
  return cache;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

describe('TieredCache TTL range', () => {
  it('refuses a TTL past Number.MAX_SAFE_INTEGER ms on every write path with a RangeError naming it, writing nothing', async () => {
    const cache = make();
    const message = `Expected \`ttlMs\` to be at most ${MAX} ms, got 100000000000000000000 (number)`;
    await expect(cache.set('a', 1, { ttlMs: TOO_LONG })).rejects.toThrow(new RangeError(message));
    await expect(cache.setMany([{ key: 'a', value: 1, ttlMs: TOO_LONG }])).rejects.toThrow(new RangeError(message));
    await expect(cache.increment('a', 1, { ttlMs: TOO_LONG })).rejects.toThrow(new RangeError(message));
    expect(() => cache.batch().setWithTtl('a', 1, TOO_LONG)).toThrow(new RangeError(message));
    expect(() => cache.atomic().set('a', 1, TOO_LONG)).toThrow(new RangeError(message));
    await expect(cache.getOrLoad('a', () => 1, { ttlMs: TOO_LONG })).rejects.toThrow(new RangeError(message));
    await expect(cache.getMany(['a'], () => new Map([['a', 1]]), { ttlMs: TOO_LONG })).rejects.toThrow(new RangeError(message));
    await expect(
      cache.getOrLoad('a', (_key, { setTtl }) => {
        setTtl(TOO_LONG);
        return 1;
      }),
    ).rejects.toThrow(new RangeError(message));
    expect(await cache.get('a', { consistent: true })).toBeUndefined();
    expect(cache.stats().l2.errors).toBe(0);
  });

  it('refuses defaultTtlMs and lockTtlMs past the limit when constructed', () => {
    expect(() => make({ defaultTtlMs: TOO_LONG })).toThrow(new RangeError(`Expected \`defaultTtlMs\` to be at most ${MAX} ms, got 100000000000000000000 (number)`));
    expect(() => make({ lockTtlMs: TOO_LONG })).toThrow(new RangeError(`Expected \`lockTtlMs\` to be at most ${MAX} ms, got 100000000000000000000 (number)`));
  });

  it('accepts a TTL of exactly Number.MAX_SAFE_INTEGER ms', async () => {
    const cache = make({ lockTtlMs: MAX });
    await expect(cache.set('a', 1, { ttlMs: MAX })).resolves.toBe(true);
    await expect(cache.getOrLoad('b', () => 2, { ttlMs: MAX })).resolves.toBe(2);
    expect(await cache.get('a', { consistent: true })).toBe(1);
  });
});
