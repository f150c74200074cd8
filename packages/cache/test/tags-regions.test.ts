import { describe, expect, it } from '@jest/globals';
import { Cache } from '../src/index.js';

describe('Cache tags', () => {
  it('invalidates every entry with a tag and nothing else', () => {
    const removed: string[] = [];
    const cache = new Cache<string, number>({ maxEntries: 10, onEvict: (k, _v, r) => removed.push(`${k}:${r}`) });
    cache.set('u1', 1, { tags: ['user', 'team:a'] });
    cache.set('u2', 2, { tags: ['user'] });
    cache.set('t', 3, { tags: ['team:a'] });
    cache.set('x', 4);
    expect(cache.invalidateTag('user')).toBe(2);
    expect([...cache.keys()]).toEqual(['t', 'x']);
    expect(removed).toEqual(['u1:deleted', 'u2:deleted']);
    expect(cache.invalidateTag('user')).toBe(0);
    expect(cache.invalidateTag('team:a')).toBe(1);
  });

  it('forgets tags of replaced, evicted and cleared entries', () => {
    const cache = new Cache<string, number>({ maxEntries: 2, evictionPolicy: 'fifo' });
    cache.set('a', 1, { tags: ['t'] });
    cache.set('a', 2);
    expect(cache.invalidateTag('t')).toBe(0);
    cache.set('a', 3, { tags: ['t'] });
    cache.set('b', 4);
    cache.set('c', 5);
    expect(cache.has('a')).toBe(false);
    cache.set('a', 6);
    expect(cache.invalidateTag('t')).toBe(0);
    cache.set('d', 7, { tags: ['t'] });
    cache.clear();
    cache.set('d', 8);
    expect(cache.invalidateTag('t')).toBe(0);
    expect(cache.get('d')).toBe(8);
  });
});

describe('Cache regions', () => {
  it('gives each region its own limits, policy, TTL and stats', () => {
    let now = 0;
    const cache = new Cache<string, number>({ maxEntries: 100, clock: () => now, defaultTtlMs: 1_000 });
    const sessions = cache.region<string, string>('sessions', { maxEntries: 2, evictionPolicy: 'fifo', defaultTtlMs: 10 });
    expect(sessions.name).toBe('cache/sessions');
    expect(sessions.evictionPolicy).toBe('fifo');
    expect(cache.region('sessions')).toBe(sessions);
    expect(() => cache.region('sessions', { maxEntries: 3 })).toThrow(new TypeError('Region "sessions" already exists; pass options only when creating it'));
    // An empty bag counts as none, as on TieredCache: code forwarding a caller's `{}` may ask again.
    expect(cache.region('sessions', {})).toBe(sessions);
    expect(() => cache.region('')).toThrow(TypeError);
    sessions.set('a', 'x');
    cache.set('a', 1);
    sessions.set('b', 'y');
    sessions.set('c', 'z');
    expect(sessions.size).toBe(2);
    expect(cache.get('a')).toBe(1);
    expect(sessions.get('a')).toBeUndefined();
    now = 10;
    expect(sessions.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.stats().hits).toBe(2);
    expect(sessions.stats().misses).toBe(2);
    expect(cache.regionNames()).toEqual(['sessions']);
    const inherited = cache.region('other');
    expect(inherited.maxEntries).toBe(100);
  });

  it('reaches regions with clear, invalidateTag, metrics and close', () => {
    const cache = new Cache<string, number>({ maxEntries: 10, name: 'app' });
    const r = cache.region('r');
    r.set('a', 1, { tags: ['t'] });
    r.set('b', 2);
    cache.set('a', 1, { tags: ['t'] });
    expect(cache.invalidateTag('t')).toBe(2);
    cache.clear();
    expect(r.size).toBe(0);
    const labels = cache.collectMetrics().map((m) => m.labels.cache);
    expect(new Set(labels)).toEqual(new Set(['app', 'app/r']));
    cache.close();
    expect(r.closed).toBe(true);
  });
});
