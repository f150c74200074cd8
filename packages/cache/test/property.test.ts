import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Cache, EVICTION_POLICIES } from '../src/index.js';

type Op = { t: 'get' | 'set' | 'delete' | 'peek'; k: number; v: number };

const ops = fc.array(
  fc.record({ t: fc.constantFrom<Op['t']>('get', 'set', 'set', 'delete', 'peek'), k: fc.integer({ min: 0, max: 12 }), v: fc.integer() }),
  { maxLength: 200 },
);

/** Reference LRU: a Map in recency order. */
class ModelLru {
  readonly map = new Map<number, number>();
  constructor(readonly max: number) {}
  get(k: number): number | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: number, v: number): void {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

describe('Cache property tests', () => {
  it("'lru' behaves exactly like a reference LRU model", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), ops, (max, list) => {
        const cache = new Cache<number, number>({ maxEntries: max, evictionPolicy: 'lru' });
        const model = new ModelLru(max);
        for (const op of list) {
          if (op.t === 'get') expect(cache.get(op.k)).toBe(model.get(op.k));
          else if (op.t === 'peek') expect(cache.peek(op.k)).toBe(model.map.get(op.k));
          else if (op.t === 'set') {
            cache.set(op.k, op.v);
            model.set(op.k, op.v);
          } else expect(cache.delete(op.k)).toBe(model.map.delete(op.k));
          expect(cache.size).toBe(model.map.size);
        }
        expect(new Map(cache.entries())).toEqual(model.map);
      }),
      { numRuns: 300 },
    );
  });

  it.each(EVICTION_POLICIES)("'%s' never exceeds capacity, never returns a wrong value and keeps counts right", (policy) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), ops, (max, list) => {
        const cache = new Cache<number, number>({ maxEntries: max, evictionPolicy: policy });
        const truth = new Map<number, number>();
        let gets = 0;
        for (const op of list) {
          if (op.t === 'get' || op.t === 'peek') {
            if (op.t === 'get') gets += 1;
            const v = op.t === 'get' ? cache.get(op.k) : cache.peek(op.k);
            if (v !== undefined) expect(v).toBe(truth.get(op.k));
          } else if (op.t === 'set') {
            cache.set(op.k, op.v);
            truth.set(op.k, op.v);
            expect(cache.peek(op.k)).toBe(op.v);
          } else {
            cache.delete(op.k);
            truth.delete(op.k);
          }
          expect(cache.size).toBeLessThanOrEqual(max);
          expect([...cache.keys()]).toHaveLength(cache.size);
        }
        const s = cache.stats();
        expect(s.hits + s.misses).toBe(gets);
        expect(s.inserts - (s.removals - s.evictions.replaced)).toBe(cache.size);
      }),
      { numRuns: 100 },
    );
  });
});
