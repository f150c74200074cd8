import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Cache } from '../src/index.js';

/** A loader the test finishes by hand, and the number of times it was called. */
function slowLoader<V>(): { load: () => Promise<V>; finish: (value: V) => void; calls: () => number } {
  let finish: (value: V) => void = () => undefined;
  let calls = 0;
  const promise = new Promise<V>((resolve) => (finish = resolve));
  return { load: () => ((calls += 1), promise), finish, calls: () => calls };
}

const make = (): Cache<string, string> => new Cache<string, string>({ maxEntries: 100, cleanupIntervalMs: 0 });

describe('Cache.getOrLoad against an invalidation issued while its loader runs', () => {
  it('does not store a value loaded before invalidateTag of one of its tags, but still answers its callers', async () => {
    const cache = make();
    const slow = slowLoader<string>();
    const loading = cache.getOrLoad('user:1', slow.load, { tags: ['users'] });
    const other = cache.getOrLoad('post:1', () => 'post', { tags: ['posts'] });
    expect(cache.invalidateTag('users')).toBe(0);
    slow.finish('before the invalidation');
    await expect(loading).resolves.toBe('before the invalidation');
    expect(cache.get('user:1')).toBeUndefined();
    // The next read loads again, and that value (started after the invalidation) is stored.
    await expect(cache.getOrLoad('user:1', () => 'after', { tags: ['users'] })).resolves.toBe('after');
    expect(cache.get('user:1')).toBe('after');
    await expect(other).resolves.toBe('post');
    expect(cache.get('post:1')).toBe('post');
  });

  it('guards the tags a loader sets itself, and leaves loads of other tags alone', async () => {
    const cache = make();
    const tagged = slowLoader<string>();
    const untouched = slowLoader<string>();
    const a = cache.getOrLoad('a', async (_key, context) => {
      context.setTags(['t1']);
      return tagged.load();
    });
    const b = cache.getOrLoad('b', untouched.load, { tags: ['t2'] });
    cache.invalidateTag('t1');
    tagged.finish('stale');
    untouched.finish('fresh');
    await Promise.all([a, b]);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('fresh');
  });

  it('does not store a bulk load that started before invalidateTag of its tag', async () => {
    const cache = make();
    const slow = slowLoader<Map<string, string>>();
    const many = cache.getMany(['x', 'y'], slow.load, { tags: ['bulk'] });
    cache.invalidateTag('bulk');
    slow.finish(new Map([['x', 'X'], ['y', 'Y']]));
    await expect(many).resolves.toEqual(['X', 'Y']);
    expect(cache.getMany(['x', 'y'])).toEqual([undefined, undefined]);
  });

  it.each([
    ['delete', (cache: Cache<string, string>) => cache.delete('k')],
    ['clear', (cache: Cache<string, string>) => cache.clear()],
    ['invalidateTag', (cache: Cache<string, string>) => cache.invalidateTag('t')],
  ] as const)('after %s, a read once the loader ended does not see the value it loaded', async (_name, invalidate) => {
    const cache = make();
    const slow = slowLoader<string>();
    const loading = cache.getOrLoad('k', slow.load, { tags: ['t'] });
    invalidate(cache);
    slow.finish('stale');
    await loading;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('still does not store when its tag was invalidated among more tags than it remembers', async () => {
    const cache = make();
    const slow = slowLoader<string>();
    const untagged = slowLoader<string>();
    const loading = cache.getOrLoad('k', slow.load, { tags: ['t'] });
    const plain = cache.getOrLoad('plain', untagged.load);
    cache.invalidateTag('t');
    for (let i = 0; i < 1_100; i += 1) cache.invalidateTag(`other-${i}`);
    slow.finish('stale');
    untagged.finish('untagged');
    await Promise.all([loading, plain]);
    expect(cache.get('k')).toBeUndefined();
    // A load without tags is not covered by tag invalidations.
    expect(cache.get('plain')).toBe('untagged');
  });

  it('guards a region\'s loads when the parent invalidates the tag', async () => {
    const cache = make();
    const region = cache.region('r', { maxEntries: 10 });
    const slow = slowLoader<string>();
    const loading = region.getOrLoad('k', slow.load, { tags: ['t'] });
    cache.invalidateTag('t');
    slow.finish('stale');
    await loading;
    expect(region.get('k')).toBeUndefined();
  });
});

type LoadOp = { t: 'start' | 'finish' | 'invalidateTag' | 'delete' | 'clear'; k: number; tag: string; pick: number };

/** One load the model follows: its key and tag, and whether an invalidation covering it came after it began. */
interface ModelFlight {
  k: number;
  tag: string;
  invalidated: boolean;
  finish: (value: string) => void;
  promise: Promise<string>;
}

describe('Cache.getOrLoad against invalidations (property)', () => {
  it('stores a loaded value only when nothing covering its key was invalidated while it loaded', async () => {
    const op = fc.record({
      t: fc.constantFrom<LoadOp['t']>('start', 'start', 'finish', 'finish', 'invalidateTag', 'delete', 'clear'),
      k: fc.integer({ min: 0, max: 5 }),
      tag: fc.constantFrom('a', 'b', 'c'),
      pick: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const cache = new Cache<number, string>({ maxEntries: 100, cleanupIntervalMs: 0 });
        const stored = new Map<number, { value: string; tag: string }>();
        const registered = new Map<number, ModelFlight>();
        const running: ModelFlight[] = [];
        let n = 0;
        for (const o of ops) {
          if (o.t === 'start') {
            // A key with a registered load joins it; a stored key is a hit: neither starts a loader.
            if (registered.has(o.k) || stored.has(o.k)) continue;
            let finish: (value: string) => void = () => undefined;
            const loaded = new Promise<string>((resolve) => (finish = resolve));
            const flight: ModelFlight = { k: o.k, tag: o.tag, invalidated: false, finish, promise: Promise.resolve('') };
            flight.promise = cache.getOrLoad(o.k, () => loaded, { tags: [o.tag] });
            registered.set(o.k, flight);
            running.push(flight);
          } else if (o.t === 'finish') {
            if (running.length === 0) continue;
            const flight = running.splice(o.pick % running.length, 1)[0]!;
            const value = `v${(n += 1)}`;
            flight.finish(value);
            await expect(flight.promise).resolves.toBe(value);
            if (registered.get(flight.k) === flight) {
              registered.delete(flight.k);
              if (!flight.invalidated) stored.set(flight.k, { value, tag: flight.tag });
            }
          } else if (o.t === 'invalidateTag') {
            cache.invalidateTag(o.tag);
            for (const f of registered.values()) if (f.tag === o.tag) f.invalidated = true;
            for (const [k, e] of stored) if (e.tag === o.tag) stored.delete(k);
          } else if (o.t === 'delete') {
            cache.delete(o.k);
            const f = registered.get(o.k);
            if (f !== undefined) f.invalidated = true;
            registered.delete(o.k);
            stored.delete(o.k);
          } else {
            cache.clear();
            for (const f of registered.values()) f.invalidated = true;
            registered.clear();
            stored.clear();
          }
          for (let k = 0; k <= 5; k += 1) expect(cache.peek(k)).toBe(stored.get(k)?.value);
        }
        for (const f of running) f.finish('late');
        await cache.settled();
        cache.close();
      }),
      { numRuns: 200 },
    );
  });
});
