import { describe, expect, it } from '@jest/globals';
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
