import { describe, it, expect } from '@jest/globals';
import { MemoryMonitor } from '@patinox/monitor';
import { MemoryBackend, MemoryBus, TieredCache } from '../src/tiered/index.js';

/** A MemoryBackend whose close takes a few ms, like a QUIT round trip. */
class SlowClosingBackend extends MemoryBackend {
  closedFully = false;

  override async close(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await super.close();
    this.closedFully = true;
  }
}

describe('TieredCache close', () => {
  it('resolves a second close or dispose only once the first has closed L2, and closes once', async () => {
    const monitor = new MemoryMonitor();
    const l2 = new SlowClosingBackend();
    const cache = new TieredCache<number>({ l2, bus: new MemoryBus(), namespace: 'close2', monitor });
    await cache.set('a', 1);
    const first = cache.close();
    const seen: boolean[] = [];
    const again = cache.close().then(() => seen.push(l2.closedFully));
    const disposed = cache[Symbol.asyncDispose]().then(() => seen.push(l2.closedFully));
    await Promise.all([first, again, disposed]);
    expect(seen).toEqual([true, true]);
    expect(monitor.events('cache.tiered.closed')).toHaveLength(1);
    await expect(cache.get('a')).rejects.toMatchObject({ code: 'CACHE_CLOSED' });
  });
});
