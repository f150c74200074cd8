import { describe, expect, it } from '@jest/globals';
import { createCache } from 'cache-manager';
import Keyv from 'keyv';
import { isPatinoxError } from '@patinox/errors';
import { Cache } from '../src/index.js';
import { CACHE_KEYV_INVALID_NAMESPACE, KeyvStore, createKeyvStore } from '../src/keyv/index.js';
import { MemoryBackend, TieredCache } from '../src/tiered/index.js';

// The Keyv adapter through Keyv itself and through cache-manager v7. Keyv's own compliance suite
// (@keyv/test-suite) runs against the same adapter in tools/keyv-compat.
// One injected clock for the cache, its L2 and the tier, so TTLs pass without sleeping.
const clock = { now: 1_000_000 };
const now = (): number => clock.now;
const targets = {
  Cache: () => new Cache<string, unknown>({ maxEntries: 1000, clock: now }),
  TieredCache: () => new TieredCache<unknown>({ l2: new MemoryBackend({ clock: now }), l1: { maxEntries: 10_000, clock: now }, namespace: 'keyv-test', clock: now }),
};

describe.each(Object.entries(targets))('KeyvStore over %s', (_name, make) => {
  it('gets, sets, checks and deletes through Keyv', async () => {
    const keyv = new Keyv({ store: new KeyvStore(make()) });
    expect(await keyv.set('a', { n: 1 })).toBe(true);
    expect(await keyv.get('a')).toEqual({ n: 1 });
    expect(await keyv.has('a')).toBe(true);
    expect(await keyv.get(['a', 'missing'])).toEqual([{ n: 1 }, undefined]);
    expect(await keyv.delete('a')).toBe(true);
    expect(await keyv.delete('a')).toBe(false);
    expect(await keyv.has('a')).toBe(false);
  });

  it('passes the TTL to the cache, so the entry leaves the cache too', async () => {
    const cache = make();
    const keyv = new Keyv({ store: new KeyvStore(cache) });
    await keyv.set('t', 'v', 20);
    expect(await cache.get('keyv:t')).toBeDefined();
    clock.now += 40;
    expect(await cache.get('keyv:t')).toBeUndefined();
    expect(await keyv.get('t')).toBeUndefined();
  });

  it('keeps namespaces of one cache apart, and clears only the namespace asked', async () => {
    const cache = make();
    const one = new Keyv({ store: new KeyvStore(cache), namespace: 'one' });
    const two = new Keyv({ store: new KeyvStore(cache), namespace: 'two' });
    await one.set('k', 'one');
    await two.set('k', 'two');
    await one.set('j', 'one');
    expect(await one.get('k')).toBe('one');
    expect(await two.get('k')).toBe('two');
    await one.clear();
    expect(await one.get('k')).toBeUndefined();
    expect(await one.get('j')).toBeUndefined();
    expect(await two.get('k')).toBe('two');
  });

  it('deleteMany resolves true only when every key was there', async () => {
    const store = new KeyvStore(make());
    const keyv = new Keyv({ store });
    await keyv.set('x', 1);
    await keyv.set('y', 2);
    expect(await keyv.delete(['x', 'y'])).toBe(true);
    expect(await keyv.delete(['x', 'y'])).toBe(false);
    expect(await store.deleteMany([])).toBe(false);
  });

  it('works as a cache-manager v7 store (createCache({ stores: [new Keyv({ store })] }))', async () => {
    const manager = createCache({ stores: [new Keyv({ store: createKeyvStore(make()), namespace: 'cm' })] });
    expect(await manager.set('user:1', { name: 'Ada' }, 60_000)).toEqual({ name: 'Ada' });
    expect(await manager.get('user:1')).toEqual({ name: 'Ada' });
    let loads = 0;
    const load = async (): Promise<string> => {
      loads += 1;
      return 'loaded';
    };
    expect(await manager.wrap('lazy', load, 60_000)).toBe('loaded');
    expect(await manager.wrap('lazy', load, 60_000)).toBe('loaded');
    expect(loads).toBe(1);
    expect(await manager.mget(['user:1', 'lazy', 'none'])).toEqual([{ name: 'Ada' }, 'loaded', undefined]);
    expect(await manager.del('user:1')).toBe(true);
    expect(await manager.get('user:1')).toBeUndefined();
    await manager.clear();
    expect(await manager.get('lazy')).toBeUndefined();
  });
});

describe('KeyvStore bad input', () => {
  it.each([
    ['a lone surrogate', 'ns\ud800'],
    ['a control character', 'ns\nx'],
    ['more than 256 characters', 'n'.repeat(257)],
  ])('refuses a namespace with %s, with CACHE_KEYV_INVALID_NAMESPACE when Keyv is built', (_why, namespace) => {
    const store = new KeyvStore(new Cache<string, unknown>({ maxEntries: 10 }));
    let error: unknown;
    try {
      new Keyv({ store, namespace });
    } catch (e) {
      error = e;
    }
    expect(isPatinoxError(error, CACHE_KEYV_INVALID_NAMESPACE)).toBe(true);
  });

  it('refuses an empty or non-string namespace assigned directly', () => {
    const store = new KeyvStore(new Cache<string, unknown>({ maxEntries: 10 }));
    expect(() => {
      store.namespace = '';
    }).toThrow(expect.objectContaining({ code: CACHE_KEYV_INVALID_NAMESPACE }));
    expect(() => {
      store.namespace = 42 as never;
    }).toThrow('Expected the Keyv namespace to be a string, got 42 (number)');
  });

  it('refuses something that is not a cache', () => {
    expect(() => new KeyvStore({} as never)).toThrow('Expected `cache` to be a Cache or a TieredCache');
    expect(() => new KeyvStore(null as never)).toThrow(TypeError);
  });

  it('clears the whole cache for a Keyv without a namespace', async () => {
    const cache = new Cache<string, unknown>({ maxEntries: 10 });
    cache.set('other', 1);
    const keyv = new Keyv({ store: new KeyvStore(cache), namespace: undefined as never });
    await keyv.set('k', 'v');
    await keyv.clear();
    expect(cache.size).toBe(0);
  });
});

describe('README example (@patinox/cache/keyv)', () => {
  it('runs as written', async () => {
    // --- keyv example (keep in sync with README.md) ---
    const local = new Cache<string, unknown>({ maxEntries: 10_000 }); // or a TieredCache
    const keyv = new Keyv({ store: new KeyvStore(local), namespace: 'users' });
    await keyv.set('42', { name: 'Ada' }, 60_000); // ttl in ms, passed on as ttlMs
    const manager = createCache({ stores: [new Keyv({ store: new KeyvStore(local), namespace: 'pages' })] });
    const page = await manager.wrap('/home', async () => '<html>…</html>', 30_000);
    // --- end of keyv example ---
    expect(page).toBe('<html>…</html>');
    expect(await keyv.get('42')).toEqual({ name: 'Ada' });
    expect(local.size).toBe(2);
  });
});
