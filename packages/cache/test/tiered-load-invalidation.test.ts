import { afterEach, describe, expect, it } from '@jest/globals';
import { deferred } from '@patinox/test-servers';
import { MemoryBackend, TieredCache } from '../src/tiered/index.js';

/** A MemoryBackend whose next `delete` waits until the test lets it go, so a load can finish in between. */
class HeldDeletes extends MemoryBackend {
  hold: Promise<void> | undefined;
  readonly reached = deferred();
  override async delete(keys: readonly string[]): Promise<number> {
    const hold = this.hold;
    if (hold !== undefined) {
      this.hold = undefined;
      this.reached.resolve();
      await hold;
    }
    return super.delete(keys);
  }
}

describe('TieredCache: a load that ends while an invalidation is under way', () => {
  const open: TieredCache<string>[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  it.each([
    ['clear() of the cache', false, (c: TieredCache<string>) => c.clear()],
    ['clear() of the parent, for a region', true, (c: TieredCache<string>) => c.clear()],
    ['delete(key)', false, (c: TieredCache<string>) => c.delete('k')],
    ['invalidateTag(tag)', false, (c: TieredCache<string>) => c.invalidateTag('t')],
  ] as const)('writes nothing once %s began, even before its deletes reach L2', async (_label, inRegion, invalidate) => {
    const l2 = new HeldDeletes();
    const cache = new TieredCache<string>({ l2, namespace: 'held' });
    open.push(cache);
    const target = inRegion ? cache.region<string>('r') : cache;
    const started = deferred();
    const result = deferred<string>();
    const loading = target.getOrLoad('k', () => (started.resolve(), result.promise), { tags: ['t'] });
    await started.promise;
    const release = deferred();
    l2.hold = release.promise;
    const invalidating = invalidate(cache);
    // What it deletes was read already: the load's key is not in L2 (nor in the tag set) yet.
    await l2.reached.promise;
    result.resolve('loaded before the invalidation');
    await expect(loading).resolves.toBe('loaded before the invalidation');
    release.resolve();
    await invalidating;
    expect(await target.get('k', { consistent: true })).toBeUndefined();
    expect(await target.get('k')).toBeUndefined();
  });
});
