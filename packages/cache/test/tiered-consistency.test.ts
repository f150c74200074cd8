import { describe, it, expect, afterEach } from '@jest/globals';
import { MemoryBackend, TieredCache, jsonCodec, type BusListener, type BusState, type CacheBackend, type InvalidationBus, type InvalidationMessage, type TieredCacheOptions } from '../src/tiered/index.js';

const open: TieredCache<unknown>[] = [];
function make<V = unknown>(options: Partial<TieredCacheOptions<V>> & { l2: CacheBackend }): TieredCache<V> {
  const cache = new TieredCache<V>({ namespace: 'ns', ...options });
  open.push(cache as TieredCache<unknown>);
  return cache;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

/** A bus whose messages arrive only when the test says so, like a slow network: publish resolves at once. */
class HeldBus implements InvalidationBus {
  readonly state: BusState = 'connected';
  readonly #listeners = new Set<BusListener>();
  readonly held: InvalidationMessage[] = [];
  publish(message: InvalidationMessage): Promise<void> {
    this.held.push(message);
    return Promise.resolve();
  }
  subscribe(listener: BusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  deliver(): void {
    for (const message of this.held.splice(0)) for (const l of this.#listeners) l.onMessage(message);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A backend whose getMany answers can be held back, so a local write can overtake a read in flight. */
function slowReads(inner: MemoryBackend): { backend: CacheBackend; release: () => void; held: () => number } {
  const waiting: (() => void)[] = [];
  const backend = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (prop !== 'getMany' && prop !== 'get') return (value as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        // Read now (the old value), answer later: the reply "left Redis" before the local write.
        const answer = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        await new Promise<void>((resolve) => waiting.push(resolve));
        return answer;
      };
    },
  });
  return { backend, release: () => waiting.splice(0).forEach((r) => r()), held: () => waiting.length };
}

describe('TieredCache consistency', () => {
  const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);

  it("'strong': another instance's getMany sees every value of a setMany acknowledged a moment ago", async () => {
    const l2 = new MemoryBackend();
    const bus = new HeldBus();
    const writer = make<number>({ l2, bus });
    const reader = make<number>({ l2, bus, consistency: 'strong' });
    await writer.setMany(keys.map((key) => ({ key, value: 0 })));
    expect(await reader.getMany(keys)).toEqual(keys.map(() => 0));
    await writer.setMany(keys.map((key) => ({ key, value: 1 })));
    // The invalidation has not arrived, yet no strong read may return the older value.
    expect(await reader.getMany(keys)).toEqual(keys.map(() => 1));
    await writer.batch().set('k0', 2).delete('k1').execute();
    expect(await reader.getMany(['k0', 'k1'])).toEqual([2, undefined]);
    expect(await writer.atomic().check('k0', 2).set('k0', 3).execute()).toBe(true);
    expect(await reader.get('k0')).toBe(3);
    expect(reader.stats().l1).toBeNull();
  });

  it("'eventual': another instance serves the older value only until the invalidation arrives", async () => {
    const l2 = new MemoryBackend();
    const bus = new HeldBus();
    const writer = make<number>({ l2, bus });
    const reader = make<number>({ l2, bus, consistency: 'eventual' });
    await writer.setMany(keys.map((key) => ({ key, value: 0 })));
    expect(await reader.getMany(keys)).toEqual(keys.map(() => 0));
    await writer.setMany(keys.map((key) => ({ key, value: 1 })));
    expect(await reader.getMany(keys)).toEqual(keys.map(() => 0));
    bus.deliver();
    expect(await reader.getMany(keys)).toEqual(keys.map(() => 1));
  });

  it('refuses strong consistency with degradeToL1 and unknown modes', () => {
    const l2 = new MemoryBackend();
    expect(() => new TieredCache({ l2, namespace: 'x', consistency: 'strong', degradeToL1: true })).toThrow("Expected `degradeToL1` to be false with consistency 'strong'");
    expect(() => new TieredCache({ l2, namespace: 'x', consistency: 'linear' as never })).toThrow("Expected `consistency` to be 'eventual' or 'strong', got \"linear\" (string)");
  });

  it('getMany never plants an L2 answer older than a local write in L1', async () => {
    const inner = new MemoryBackend();
    const { backend, release, held } = slowReads(inner);
    const cache = make<string>({ l2: backend, serializer: { codec: jsonCodec } });
    await inner.set('ns:v:a', Buffer.from([(1 << 5) | (1 << 1), ...Buffer.from('"old"')]));
    const read = cache.getMany(['a']);
    while (held() === 0) await new Promise((r) => setImmediate(r));
    // A local write is acknowledged while the older reply is still on its way.
    await cache.set('a', 'new');
    release();
    expect(await read).toEqual(['old']);
    // L1 keeps the newer value: the older reply must not overwrite it.
    expect(await cache.get('a')).toBe('new');
  });
});
