import { describe, it, expect, afterEach } from '@jest/globals';
import { MemoryMonitor } from '@patinox/monitor';
import { MemoryBackend, TieredCache, type InvalidationBus, type TieredCacheOptions } from '../src/tiered/index.js';

/** A bus whose server took the message and never answers (a partition, a paused host): publish never settles. */
function silentBus(): InvalidationBus & { published: number } {
  return {
    state: 'connected',
    published: 0,
    publish() {
      this.published += 1;
      return new Promise<void>(() => undefined);
    },
    subscribe: () => () => undefined,
    close: () => Promise.resolve(),
  };
}

/** Resolves with how `work` settled, or 'pending' when it has not after `ms`. */
async function within(work: Promise<unknown>, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<string>((resolve) => (timer = setTimeout(resolve, ms, 'pending')));
  try {
    return await Promise.race([work.then(() => 'resolved', () => 'rejected'), pending]);
  } finally {
    clearTimeout(timer);
  }
}

const open: TieredCache<unknown>[] = [];
function make(options: Partial<TieredCacheOptions<number>> = {}): TieredCache<number> {
  const cache = new TieredCache<number>({ l2: new MemoryBackend(), namespace: 'pd', operationTimeoutMs: 50, ...options });
  open.push(cache as TieredCache<unknown>);
  return cache;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

describe('TieredCache invalidation publish deadline', () => {
  it('acknowledges every write path within operationTimeoutMs when the bus never answers, and reports the failed publish', async () => {
    const monitor = new MemoryMonitor();
    const bus = silentBus();
    const cache = make({ bus, monitor });
    const writes = [
      cache.set('a', 1),
      cache.setMany([{ key: 'b', value: 2 }]),
      cache.delete('a'),
      cache.increment('n'),
      cache.batch().set('c', 3).execute(),
      cache.atomic().check('d', undefined).set('d', 4).execute(),
      cache.invalidateTag('t'),
      cache.getOrLoad('e', () => 5),
    ];
    expect(await Promise.all(writes.map((w) => within(w, 1_000)))).toEqual(Array(writes.length).fill('resolved'));
    // The writes themselves landed: L2 holds them.
    expect(await cache.get('b', { consistent: true })).toBe(2);
    expect(await within(cache.clear(), 1_000)).toBe('resolved');
    expect(bus.published).toBeGreaterThan(0);
    expect(cache.stats().bus.publishErrors).toBe(bus.published);
    expect(monitor.events('cache.tiered.bus.publish.failed').length).toBe(bus.published);
  });
});
