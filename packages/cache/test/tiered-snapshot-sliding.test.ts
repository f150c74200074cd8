import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBackend, TieredCache } from '../src/tiered/index.js';

describe('TieredCache snapshots and sliding expiry', () => {
  let dir: string;
  let now = 1_000_000;
  const clock = (): number => now;
  const caches: TieredCache<string>[] = [];
  const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'patinox-snapshot-sliding-'));
  });

  afterAll(async () => {
    await Promise.all(caches.map((c) => c.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const make = (l2: MemoryBackend): TieredCache<string> => {
    const cache = new TieredCache<string>({ l2, namespace: 'sessions', clock, l1: false });
    caches.push(cache);
    return cache;
  };

  it('carries the sliding window of the entries the exporting instance slides, and the importing instance slides them by it', async () => {
    const source = make(new MemoryBackend({ clock }));
    await source.set('session', 'S', { ttlMs: 1_000, sliding: true });
    await source.set('fixed', 'F', { ttlMs: 1_000 });
    const path = join(dir, 'sessions.jsonl');
    await source.exportSnapshot(path);
    const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1).map((line) => JSON.parse(line) as { k: string; s?: number });
    expect(lines.find((l) => l.k === 'session')).toMatchObject({ s: 1_000 });
    expect(lines.find((l) => l.k === 'fixed')).not.toHaveProperty('s');

    now += 100;
    const l2 = new MemoryBackend({ clock });
    const target = make(l2);
    await target.importSnapshot(path);
    now += 600;
    expect(await target.get('session')).toBe('S');
    await tick();
    // The read renewed the whole window in L2; the fixed entry kept what it had left.
    expect(await l2.ttl('sessions:v:session')).toBe(1_000);
    expect(await l2.ttl('sessions:v:fixed')).toBe(400);
    now += 900;
    expect(await target.get('session')).toBe('S');
    expect(await target.get('fixed')).toBeUndefined();
  });

  it('refuses an entry whose sliding window is not a positive TTL as CACHE_SNAPSHOT_INVALID', async () => {
    const source = make(new MemoryBackend({ clock }));
    await source.set('a', 'A', { ttlMs: 1_000 });
    const good = join(dir, 'good.jsonl');
    await source.exportSnapshot(good);
    const [header, entry] = readFileSync(good, 'utf8').trim().split('\n');
    const target = make(new MemoryBackend({ clock }));
    for (const s of [0, -1, 'x', 1e20]) {
      const path = join(dir, 'bad.jsonl');
      writeFileSync(path, `${header}\n${JSON.stringify({ ...(JSON.parse(entry!) as object), s })}\n`);
      await expect(target.importSnapshot(path)).rejects.toMatchObject({ code: 'CACHE_SNAPSHOT_INVALID' });
    }
  });
});
