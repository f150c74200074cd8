import { describe, it, expect, afterEach } from '@jest/globals';
import { clock } from '@patinox/test-servers';
import { MemoryBackend, MemoryBus, TieredCache } from '../src/tiered/index.js';

const open: TieredCache<unknown>[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

/** Two instances over one L2 and bus, every tier on the same manual clock. */
function pair(defaultTtlMs = 0): { a: TieredCache<number>; b: TieredCache<number>; advance: (ms: number) => void } {
  const time = clock();
  const l2 = new MemoryBackend({ clock: time.now });
  const bus = new MemoryBus();
  const make = (): TieredCache<number> => {
    const cache = new TieredCache<number>({ l2, bus, namespace: 'fill', defaultTtlMs, l1: { maxEntries: 100, clock: time.now } });
    open.push(cache as TieredCache<unknown>);
    return cache;
  };
  return { a: make(), b: make(), advance: time.advance };
}

describe('TieredCache L1 copies read from L2', () => {
  it('expire with the L2 entry on the instance that read it, not only on the writer', async () => {
    const { a, b, advance } = pair();
    await a.set('k', 1, { ttlMs: 1_000 });
    advance(400);
    expect(await b.get('k')).toBe(1); // read from L2 into b's L1, 600 ms left
    expect(b.peek('k')).toBe(1);
    advance(600);
    expect(await a.get('k')).toBeUndefined();
    expect(b.peek('k')).toBeUndefined();
    expect(await b.get('k')).toBeUndefined();
    expect(await b.getMany(['k'])).toEqual([undefined]);
  });

  it('keep the L2 TTL for getMany and getOrLoad hits, and the shorter default TTL when there is one', async () => {
    const { a, b, advance } = pair(500);
    await a.setMany([{ key: 'x', value: 1, ttlMs: 300 }, { key: 'y', value: 2, ttlMs: 10_000 }]);
    await a.set('z', 3, { ttlMs: 200 });
    expect(await b.getMany(['x', 'y'])).toEqual([1, 2]);
    expect(await b.getOrLoad('z', () => 30)).toBe(3);
    advance(300);
    expect([b.peek('x'), b.peek('y'), b.peek('z')]).toEqual([undefined, 2, undefined]);
    advance(200);
    expect(b.peek('y')).toBeUndefined(); // b's defaultTtlMs (500) is shorter than the 10 s left in L2
  });

  it('keep no TTL for values without one', async () => {
    const { a, b, advance } = pair();
    await a.set('k', 1);
    expect(await b.get('k')).toBe(1);
    advance(1e9);
    expect(b.peek('k')).toBe(1);
  });
});
