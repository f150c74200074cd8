import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBackend, MemoryBus, TieredCache } from '../src/tiered/index.js';

describe('TieredCache.importSnapshot with a damaged file', () => {
  let dir: string;
  /** The lines of a real snapshot holding `a` = 2 (header, then one entry). */
  let lines: string[];
  const caches: TieredCache<number>[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'patinox-snapshot-'));
    const source = new TieredCache<number>({ l2: new MemoryBackend(), namespace: 'source' });
    await source.set('a', 2);
    await source.exportSnapshot(join(dir, 'good.jsonl'));
    await source.close();
    lines = readFileSync(join(dir, 'good.jsonl'), 'utf8').trim().split('\n');
  });

  afterAll(async () => {
    await Promise.all(caches.map((c) => c.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, extra: object[]): string => {
    const path = join(dir, name);
    writeFileSync(path, [...lines, ...extra.map((line) => JSON.stringify(line))].join('\n') + '\n');
    return path;
  };

  it('refuses an entry or tag with a TTL out of range or an empty key as CACHE_SNAPSHOT_INVALID, not as an L2 outage', async () => {
    const cache = new TieredCache<number>({ l2: new MemoryBackend(), namespace: 'target' });
    caches.push(cache);
    const value = (JSON.parse(lines[1]!) as { v: string }).v;
    for (const [name, line] of [
      ['ttl.jsonl', { k: 'b', v: value, t: 1e20 }],
      ['key.jsonl', { k: '', v: value, t: 0 }],
      ['tag-ttl.jsonl', { g: 'tag', m: ['a'], t: 1e20 }],
      ['tag-member.jsonl', { g: 'tag', m: [''], t: 0 }],
    ] as const) {
      await expect(cache.importSnapshot(file(name, [line]))).rejects.toMatchObject({ code: 'CACHE_SNAPSHOT_INVALID' });
    }
    expect(cache.stats().l2.errors).toBe(0);
    expect(await cache.get('b')).toBeUndefined();
  });

  it('invalidates every L1 when an import fails part-way, after some entries were written', async () => {
    const l2 = new MemoryBackend();
    const bus = new MemoryBus();
    const a = new TieredCache<number>({ l2, bus, namespace: 'shared' });
    const b = new TieredCache<number>({ l2, bus, namespace: 'shared' });
    caches.push(a, b);
    await a.set('a', 1);
    expect(await b.get('a')).toBe(1); // now in b's L1
    // The tag line flushes the entries before it; the broken line after it fails the import.
    const path = file('partial.jsonl', [{ g: 'tag', m: ['a'], t: 0 }, { k: 'c' }]);
    await expect(a.importSnapshot(path)).rejects.toMatchObject({ code: 'CACHE_SNAPSHOT_INVALID' });
    expect(await a.get('a', { consistent: true })).toBe(2);
    expect(await a.get('a')).toBe(2);
    expect(await b.get('a')).toBe(2);
  });
});
