import { describe, expect, it } from '@jest/globals';
import { Cache, type CacheEntry, type EvictionStrategy } from '../src/index.js';

describe('custom EvictionStrategy', () => {
  it('evicts the lowest priority first and sees accesses, inserts and entry facts', () => {
    let now = 0;
    const seen: CacheEntry<string, number>[] = [];
    const byValue: EvictionStrategy<string, number> = {
      shouldEvict: () => false,
      onAccess: (entry) => {
        entry.state = 'touched';
      },
      onInsert: (entry) => void seen.push(entry),
      evictionPriority: (entry) => entry.value,
    };
    const cache = new Cache<string, number>({ maxEntries: 3, evictionPolicy: byValue, clock: () => now, maxSizeBytes: 100, sizeOf: () => 2 });
    expect(cache.evictionPolicy).toBe('custom');
    cache.set('a', 30, { ttlMs: 50 });
    cache.set('b', 10);
    cache.set('c', 20);
    now = 5;
    cache.get('a');
    cache.set('d', 40);
    expect(cache.has('b')).toBe(false);
    const a = seen.find((e) => e.key === 'a')!;
    expect(a).toMatchObject({ insertedAt: 0, lastAccessedAt: 5, accessCount: 1, expiresAt: 50, sizeBytes: 2, state: 'touched' });
    cache.set('c', 99);
    expect(seen.filter((e) => e.key === 'c')).toHaveLength(2);
    cache.set('e', 1);
    expect(cache.has('a')).toBe(false);
  });

  it('drops entries the strategy wants gone on read and evicts them first', () => {
    const doomed = new Set<string>();
    const strategy: EvictionStrategy<string, number> = {
      shouldEvict: (entry) => doomed.has(entry.key),
      onAccess: () => undefined,
      onInsert: () => undefined,
      evictionPriority: () => Number.NaN,
    };
    const reasons: string[] = [];
    const cache = new Cache<string, number>({ maxEntries: 3, evictionPolicy: strategy, onEvict: (k, _v, r) => reasons.push(`${k}:${r}`) });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    doomed.add('b');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.peek('a')).toBe(1);
    doomed.add('c');
    cache.set('d', 4);
    cache.set('e', 5);
    expect(reasons).toEqual(['b:evicted', 'c:evicted']);
    expect([...cache.keys()].sort()).toEqual(['a', 'd', 'e']);
    doomed.add('a');
    expect(cache.purgeExpired()).toBe(1);
  });

  it('stores tricky string keys and keeps strings and numbers apart', () => {
    for (const policy of ['lru', 'tinylfu'] as const) {
      const cache = new Cache<string | number, number>({ maxEntries: 10, evictionPolicy: policy });
      const keys = ['__proto__', 'constructor', 'hasOwnProperty', '123', '', '0', 1, 123];
      keys.forEach((k, i) => cache.set(k, i));
      keys.forEach((k, i) => expect(cache.get(k)).toBe(i));
      expect(cache.size).toBe(keys.length);
      expect(new Set(cache.keys())).toEqual(new Set(keys));
      expect(cache.delete('123')).toBe(true);
      expect(cache.get(123)).toBe(7);
    }
  });
});
