import { describe, expect, it } from '@jest/globals';
import { clock } from '@patinox/test-servers';
import { Cache } from '../src/index.js';

describe('sliding expiry', () => {
  it('pushes the expiry of a read entry to now + its TTL (slidingTtl)', () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now, slidingTtl: true, defaultTtlMs: 100 });
    cache.set('k', 1);
    for (let i = 0; i < 5; i += 1) {
      c.advance(90);
      expect(cache.get('k')).toBe(1);
      expect(cache.remainingTtl('k')).toBe(100);
    }
    // has, peek and remainingTtl do not slide.
    c.advance(50);
    cache.has('k');
    cache.peek('k');
    c.advance(50);
    expect(cache.get('k')).toBeUndefined();
  });

  it('is per entry: set(..., { sliding }) overrides the cache default both ways', () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 10, clock: c.now });
    cache.set('slides', 1, { ttlMs: 100, sliding: true });
    cache.set('fixed', 2, { ttlMs: 100 });
    c.advance(60);
    cache.get('slides');
    cache.get('fixed');
    c.advance(60);
    expect(cache.get('slides')).toBe(1);
    expect(cache.get('fixed')).toBeUndefined();
    const sliding = new Cache<string, number>({ maxEntries: 10, clock: c.now, slidingTtl: true });
    sliding.set('fixed', 1, { ttlMs: 100, sliding: false });
    c.advance(60);
    sliding.get('fixed');
    c.advance(60);
    expect(sliding.get('fixed')).toBeUndefined();
    expect(() => cache.set('x', 1, { sliding: 'yes' as never })).toThrow(TypeError);
  });

  it('slides on getOrLoad and getMany hits, moves the stale window along, and never gives a TTL to an entry without one', async () => {
    const c = clock();
    const cache = new Cache<string, number>({ maxEntries: 2, clock: c.now, slidingTtl: true, staleWhileRevalidateMs: 50 });
    await cache.getOrLoad('k', () => 1, { ttlMs: 100 });
    c.advance(80);
    await cache.getOrLoad('k', () => 2);
    c.advance(80);
    expect(cache.getMany(['k'])).toEqual([1]);
    c.advance(120);
    // Expired 100 ms after the last read, still inside the 50 ms stale window that moved with it.
    expect(cache.peek('k', { allowStale: true })).toBe(1);
    c.advance(40);
    expect(cache.peek('k', { allowStale: true })).toBeUndefined();
    // A slot once used by a sliding entry, reused by one without TTL, stays without TTL.
    cache.clear();
    cache.set('a', 1, { ttlMs: 10 });
    cache.delete('a');
    cache.set('b', 2);
    cache.get('b');
    expect(cache.remainingTtl('b')).toBe(Infinity);
  });
});
