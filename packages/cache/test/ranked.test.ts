import { describe, expect, it } from '@jest/globals';
import { hashKey } from '../src/internal/hash.js';
import { ClockTinyLfuPolicy } from '../src/policies/clock-tinylfu.js';
import { LruPolicy } from '../src/policies/lru.js';
import { TinyLfuPolicy } from '../src/policies/tinylfu.js';

describe('Policy.ranked', () => {
  it('lru ranks by recency: hottest is the most recently used, coldest the next victim', () => {
    const p = new LruPolicy(5);
    for (let s = 0; s < 4; s += 1) p.insert(s);
    p.hit(1);
    expect(p.ranked(10, true)).toEqual([1, 3, 2, 0]);
    expect(p.ranked(2, false)).toEqual([0, 2]);
    expect(p.evict()).toBe(0);
  });

  it.each([
    ['tinylfu', (slots: number, max: number) => new TinyLfuPolicy(slots, max)],
    ['clock-tinylfu', (slots: number, max: number) => new ClockTinyLfuPolicy(slots, max)],
  ] as const)('%s ranks every resident once, coldest first the reverse of hottest first', (_name, make) => {
    const max = 40;
    const p = make(max + 1, max);
    const slotOf = new Map<number, number>();
    const keyOf: number[] = [];
    for (let i = 0; i < 3_000; i += 1) {
      const key = (i * 7919) % 97;
      const slot = slotOf.get(key);
      if (slot !== undefined) {
        p.hit(slot);
        continue;
      }
      const free = slotOf.size < max ? slotOf.size : p.evict();
      if (slotOf.size >= max) slotOf.delete(keyOf[free]!);
      slotOf.set(key, free);
      keyOf[free] = key;
      p.insert(free, hashKey(key));
    }
    const hot = p.ranked(1_000, true);
    expect(new Set(hot)).toEqual(new Set(slotOf.values()));
    expect(p.ranked(1_000, false)).toEqual([...hot].reverse());
    expect(p.ranked(0, true)).toEqual([]);
  });
});
