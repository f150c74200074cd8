import { describe, expect, it } from '@jest/globals';
import { Cache, type EvictionPolicyName, type EvictionStrategy } from '../src/index.js';

function filled(evictionPolicy: EvictionPolicyName | EvictionStrategy<string, number>, maxEntries = 5): Cache<string, number> {
  const cache = new Cache<string, number>({ maxEntries, evictionPolicy });
  for (let i = 0; i < maxEntries; i += 1) cache.set(`k${i}`, i);
  return cache;
}

/** The key the next insert evicts, found by doing it on a copy built the same way. */
function nextVictim(build: () => Cache<string, number>, prepare: (c: Cache<string, number>) => void): string {
  const copy = build();
  prepare(copy);
  const before = new Set(copy.keys());
  copy.set('newcomer', -1);
  const gone = [...before].filter((k) => !copy.has(k));
  expect(gone).toHaveLength(1);
  return gone[0]!;
}

describe('Cache.hottest / coldest', () => {
  it('follows recency for lru: hottest is the last used, coldest(1) is the next victim', () => {
    const touch = (c: Cache<string, number>): void => {
      c.get('k1');
      c.get('k3');
      c.get('k0');
    };
    const cache = filled('lru');
    touch(cache);
    expect(cache.hottest(3)).toEqual(['k0', 'k3', 'k1']);
    expect(cache.coldest(2)).toEqual(['k2', 'k4']);
    expect(cache.coldest(1)[0]).toBe(nextVictim(() => filled('lru'), touch));
  });

  it('follows insertion for fifo and hit counts for lfu', () => {
    const fifo = filled('fifo');
    fifo.get('k0');
    expect(fifo.coldest(2)).toEqual(['k0', 'k1']);
    expect(fifo.hottest(1)).toEqual(['k4']);
    const hits = (c: Cache<string, number>): void => {
      for (let i = 0; i < 3; i += 1) c.get('k2');
      c.get('k4');
    };
    const lfu = filled('lfu');
    hits(lfu);
    expect(lfu.hottest(2)).toEqual(['k2', 'k4']);
    expect(lfu.coldest(1)[0]).toBe(nextVictim(() => filled('lfu'), hits));
  });

  it('puts unvisited entries first in coldest for sieve, matching its next victim', () => {
    const visit = (c: Cache<string, number>): void => {
      c.get('k0');
      c.get('k1');
    };
    const cache = filled('sieve');
    visit(cache);
    expect(cache.coldest(1)[0]).toBe(nextVictim(() => filled('sieve'), visit));
    expect(cache.hottest(2).sort()).toEqual(['k0', 'k1']);
  });

  it('ranks by frequency for tinylfu and s3fifo: keys read often are hottest', () => {
    for (const policy of ['tinylfu', 's3fifo'] as const) {
      const cache = filled(policy, 50);
      for (let round = 0; round < 5; round += 1) for (const k of ['k7', 'k8', 'k9']) cache.get(k);
      expect(cache.hottest(3).sort()).toEqual(['k7', 'k8', 'k9']);
      expect(cache.coldest(50).slice(-3).sort()).toEqual(['k7', 'k8', 'k9']);
    }
  });

  it('ranks a custom strategy by evictionPriority', () => {
    const strategy: EvictionStrategy<string, number> = {
      shouldEvict: () => false,
      onAccess: () => undefined,
      onInsert: () => undefined,
      evictionPriority: (e) => -e.value,
    };
    const cache = filled(strategy);
    expect(cache.coldest(5)).toEqual(['k4', 'k3', 'k2', 'k1', 'k0']);
    expect(cache.hottest(2)).toEqual(['k0', 'k1']);
  });

  it('refuses a bad n', () => {
    const cache = filled('lru');
    expect(() => cache.hottest(-1)).toThrow(RangeError);
    expect(() => cache.coldest(1.5)).toThrow(RangeError);
    expect(() => cache.hottest('2' as never)).toThrow(TypeError);
  });
});
