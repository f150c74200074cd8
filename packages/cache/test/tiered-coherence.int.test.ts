import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redisUrl } from '@patinox/test-servers';
import { spawnCacheChild, type CacheChild } from './fixtures/tiered/harness.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('TieredCache coherence across Node processes (built package, real Redis)', () => {
  const namespace = `coh-${randomUUID().slice(0, 8)}`;
  let children: CacheChild[] = [];

  beforeAll(async () => {
    children = await Promise.all([0, 1, 2].map(() => spawnCacheChild(packageDir, redisUrl(), namespace)));
  });

  afterAll(async () => {
    await children[0]?.request({ op: 'clear' }).catch(() => undefined);
    await Promise.all(children.map((c) => c.close()));
  });

  it('never returns the old value once a write is acknowledged and its invalidation arrived', async () => {
    const [writer, ...readers] = children as [CacheChild, CacheChild, CacheChild];
    const stale: string[] = [];
    const writeAndWait = async (key: string, value: number): Promise<void> => {
      const arrived = readers.map(
        (reader) =>
          new Promise<void>((resolve) => {
            reader.onInvalidated((event) => {
              if (event.keys.includes(key)) resolve();
            });
          }),
      );
      await writer.request({ op: 'set', key, value });
      await Promise.all(arrived);
    };
    for (let round = 0; round < 30; round += 1) {
      const key = `k${round % 3}`;
      await writeAndWait(key, round);
      // Every reader now caches the current value in its L1...
      for (const reader of readers) expect(await reader.request({ op: 'get', key })).toBe(round);
      // ...and must drop it once the next write is acknowledged and its invalidation arrived.
      await writeAndWait(key, round + 1000);
      for (const reader of readers) {
        const value = await reader.request({ op: 'get', key });
        if (value !== round + 1000) stale.push(`round ${round}: ${String(value)}`);
      }
    }
    expect(stale).toEqual([]);
    const stats = await readers[0].request<{ bus: { received: number; lagMs: { p99: number } } }>({ op: 'stats' });
    expect(stats.bus.received).toBeGreaterThanOrEqual(30);
    expect(Number.isFinite(stats.bus.lagMs.p99)).toBe(true);
  });
});
