import { describe, it, expect, afterEach } from '@jest/globals';
import { MemoryBackend, MemoryBus, TieredCache, jsonCodec, type BackendSetOptions, type CacheBackend } from '../src/tiered/index.js';

/**
 * A backend that applies every write at once, in call order, but holds the acknowledgement of each plain
 * `set` until the test releases it: what a reply arriving on another connection, or a longer promise
 * chain, looks like.
 */
class HeldAckBackend extends MemoryBackend {
  readonly #held: (() => void)[] = [];

  override set(key: string, value: Buffer, options?: BackendSetOptions): Promise<boolean> {
    const applied = super.set(key, value, options);
    return new Promise((resolve, reject) => this.#held.push(() => applied.then(resolve, reject)));
  }

  release(): void {
    for (const ack of this.#held.splice(0)) ack();
  }
}

const open: TieredCache<unknown>[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function make(l2: MemoryBackend): TieredCache<number> {
  // JSON: the codec is there at once, so a set reaches the backend in the call's own tick.
  const cache = new TieredCache<number>({ l2, namespace: 'race', serializer: { codec: jsonCodec } });
  open.push(cache as TieredCache<unknown>);
  return cache;
}

describe("TieredCache writer's L1 under concurrent writes of one key", () => {
  it('keeps the effect of the write issued last when an older set is acknowledged after it', async () => {
    const l2 = new HeldAckBackend();
    const cache = make(l2);
    /** Issues a set of `key` and `then` together, completes `then` first, and only then acknowledges the set. */
    const race = async (key: string, then: () => Promise<unknown>): Promise<void> => {
      const set = cache.set(key, 1);
      await then().catch(() => undefined);
      l2.release();
      await set;
    };
    await race('a', () => cache.delete('a'));
    await race('b', () => cache.deleteMany(['b']));
    await race('c', () => cache.batch().set('c', 2).execute());
    await race('d', () => cache.setMany([{ key: 'd', value: 2 }]));
    await race('e', () => cache.atomic().set('e', 2).execute());
    await race('f', () => cache.increment('f'));
    // L1 first (a consistent read would refill it): each copy it holds is the one L2 holds.
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const l1 = keys.map((k) => cache.peek(k));
    const inL2 = await Promise.all(keys.map((k) => cache.get(k, { consistent: true })));
    expect(inL2.slice(0, 5)).toEqual([undefined, undefined, 2, 2, 2]);
    expect(l1.map((v, i) => (v === undefined ? inL2[i] : v))).toEqual(inL2);
  });
});

/** A view of `inner` whose plain `set` is applied at once and acknowledged later; every other call passes through. */
function slowAck(inner: MemoryBackend): CacheBackend {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (prop !== 'set') return (value as (...a: unknown[]) => unknown).bind(target);
      return (...args: unknown[]) => {
        const applied = (value as (...a: unknown[]) => Promise<boolean>).apply(target, args);
        return new Promise((resolve, reject) => setTimeout(() => applied.then(resolve, reject), 5));
      };
    },
  });
}

describe("TieredCache writer's L1 against another instance's write", () => {
  it('does not keep its own value when another instance wrote the key after it and announced it before the ack', async () => {
    const shared = new MemoryBackend();
    const bus = new MemoryBus();
    const a = new TieredCache<number>({ l2: slowAck(shared), bus, namespace: 'race2' });
    const b = new TieredCache<number>({ l2: shared, bus, namespace: 'race2' });
    open.push(a as TieredCache<unknown>, b as TieredCache<unknown>);
    await b.set('warm', 0);
    await a.set('warm', 0);
    const first = a.set('k', 1); // in L2 at once, acknowledged 5 ms later
    await new Promise((resolve) => setImmediate(resolve));
    await b.set('k', 2); // lands after it, and its invalidation reaches a before a's ack
    await first;
    expect(a.peek('k') ?? (await a.get('k'))).toBe(2);
    expect(await a.get('k', { consistent: true })).toBe(2);
  });
});
