import { describe, it, expect, afterEach } from '@jest/globals';
import { MemoryBackend, TieredCache, type BackendSetOptions } from '../src/tiered/index.js';

/**
 * A backend that applies every write at once, in call order, but answers a plain `set` later than the
 * commands after it: what a reply arriving on another connection, or a longer promise chain, looks like.
 */
class SlowAckBackend extends MemoryBackend {
  override set(key: string, value: Buffer, options?: BackendSetOptions): Promise<boolean> {
    const applied = super.set(key, value, options);
    return new Promise((resolve, reject) => setTimeout(() => applied.then(resolve, reject), 5));
  }
}

const open: TieredCache<unknown>[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function make(): TieredCache<number> {
  const cache = new TieredCache<number>({ l2: new SlowAckBackend(), namespace: 'race' });
  open.push(cache as TieredCache<unknown>);
  return cache;
}

describe("TieredCache writer's L1 under concurrent writes of one key", () => {
  it('keeps the effect of the write issued last, whichever is acknowledged first', async () => {
    const cache = make();
    await cache.set('warm', 0);
    await Promise.all([cache.set('a', 1), cache.delete('a')]);
    await Promise.all([cache.set('b', 1), cache.deleteMany(['b'])]);
    await Promise.all([cache.set('c', 1), cache.batch().set('c', 2).execute()]);
    await Promise.all([cache.set('d', 1), cache.setMany([{ key: 'd', value: 2 }])]);
    await Promise.all([cache.set('e', 1), cache.atomic().set('e', 2).execute()]);
    await Promise.all([cache.set('f', 1), cache.increment('f').catch(() => undefined)]);
    const l2 = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => cache.get(k, { consistent: true })));
    expect(l2).toEqual([undefined, undefined, 2, 2, 2]);
    // L1 (what plain reads return) agrees with L2 on every key.
    expect(await cache.getMany(['a', 'b', 'c', 'd', 'e', 'f'])).toEqual([...l2, await cache.get('f', { consistent: true })]);
  });
});
