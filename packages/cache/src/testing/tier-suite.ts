import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TieredCache, type CacheBackend, type InvalidationBus, type TieredCacheOptions } from '../index.js';
import type { TestFramework } from './framework.js';

/** The base64 value of the first entry line of a snapshot file. */
function readFirstValue(path: string): string {
  return (JSON.parse(readFileSync(path, 'utf8').split('\n')[1]!) as { v: string }).v;
}

/** Polls until `check` passes or the deadline lapses (real servers, real pub/sub). */
async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Instances of `TieredCache` on one shared L2 and bus, for the `tier` part of `runConformance`. */
export interface TierTarget {
  /** A new L2 handle on the shared store for one more instance (a new connection, or the one shared in-process backend). */
  backend(): CacheBackend | Promise<CacheBackend>;
  /** A bus for an instance on `backend`, connected once the promise resolves; all instances of a target hear each other. */
  bus(backend: CacheBackend): InvalidationBus | Promise<InvalidationBus>;
  /** Runs after every instance was cleared and closed. */
  close(): Promise<void>;
}

/** The behaviour `TieredCache` must keep on any backend and bus: coherence, every operation, locks, snapshots. */
export function tierSuite(t: TestFramework, name: string, open: () => Promise<TierTarget>): void {
  const { describe, it, expect, beforeAll, afterAll } = t;
  describe(`TieredCache conformance: ${name}`, () => {
    let target: TierTarget;
    const caches: TieredCache<unknown>[] = [];
    const make = async <V>(namespace: string, options: Partial<TieredCacheOptions<V>> = {}): Promise<TieredCache<V>> => {
      const l2 = await target.backend();
      // A bus made and then not used would never be closed (the cache closes only its own).
      const bus = options.bus === undefined ? await target.bus(l2) : options.bus;
      const cache = new TieredCache<V>({ l2, namespace, ...options, bus });
      caches.push(cache as TieredCache<unknown>);
      return cache;
    };

    beforeAll(async () => {
      target = await open();
    });

    afterAll(async () => {
      for (const cache of caches) await cache.clear().catch(() => undefined);
      await Promise.all(caches.map((c) => c.close()));
      await target.close();
    });

    it('keeps two instances coherent over Redis pub/sub', async () => {
      const ns = `t-${randomUUID().slice(0, 8)}`;
      const a = await make<number>(ns);
      const b = await make<number>(ns);
      await a.set('k', 1);
      expect(await b.get('k')).toBe(1);
      await a.set('k', 2);
      await eventually(async () => (await b.get('k')) === 2);
      await b.set('t1', 1, { tags: ['team'] });
      await b.set('t2', 2, { tags: ['team'] });
      expect(await a.getMany(['t1', 't2'])).toEqual([1, 2]);
      expect(await b.invalidateTag('team')).toBe(2);
      await eventually(async () => (await a.get('t1')) === undefined && (await a.get('t2')) === undefined);
      expect(b.stats().bus.received).toBeGreaterThan(0);
    });

    it('runs every operation across slots: many, batch, atomic, increment, scan, clear', async () => {
      const ns = `t-${randomUUID().slice(0, 8)}`;
      const cache = await make<number | string>(ns);
      const entries = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: i }));
      await cache.setMany(entries);
      expect(await cache.getMany(entries.map((e) => e.key))).toEqual(entries.map((e) => e.value));
      await cache.batch().set('b1', 'x').setWithTtl('b2', 'y', 10_000).delete('k0').execute();
      expect(await cache.getMany(['b1', 'b2', 'k0'], )).toEqual(['x', 'y', undefined]);
      expect(await cache.increment('{acct:1}:balance', 10)).toBe(10);
      expect(await cache.atomic().check('{acct:1}:balance', 10).set('{acct:1}:balance', 5).set('{acct:1}:log', 'paid').execute()).toBe(true);
      expect(await cache.atomic().check('{acct:1}:balance', 10).set('{acct:1}:balance', 0).execute()).toBe(false);
      expect(await cache.get('{acct:1}:balance', { consistent: true })).toBe(5);
      const keys: string[] = [];
      for await (const key of cache.scan('k*', { batchSize: 7 })) keys.push(key);
      expect(new Set(keys).size).toBe(39);
      expect(await cache.set('n', 1, { nx: true })).toBe(true);
      expect(await cache.set('n', 2, { nx: true })).toBe(false);
      expect(await cache.exists('n')).toBe(true);
      expect(await cache.clear()).toBe(39 + 2 + 2 + 1);
      expect(await cache.get('k1')).toBeUndefined();
    });

    it('loads once across instances under a stampede and notifies the waiters', async () => {
      const ns = `t-${randomUUID().slice(0, 8)}`;
      const a = await make<string>(ns);
      const b = await make<string>(ns);
      let calls = 0;
      const loader = async (): Promise<string> => {
        calls += 1;
        await new Promise((r) => setTimeout(r, 50));
        return 'loaded';
      };
      const results = await Promise.all([
        ...Array.from({ length: 10 }, () => a.getOrLoad('hot', loader, { ttlMs: 10_000 })),
        ...Array.from({ length: 10 }, () => b.getOrLoad('hot', loader, { ttlMs: 10_000 })),
      ]);
      expect(results.every((r) => r === 'loaded')).toBe(true);
      expect(calls).toBe(1);
      expect(a.stats().locks.acquired + b.stats().locks.acquired).toBe(1);
      expect(a.stats().locks.waits + b.stats().locks.waits).toBe(1);
    });

    it('hands the lock on when a loader fails, and times out waiters of a loader that never ends', async () => {
      const ns = `t-${randomUUID().slice(0, 8)}`;
      const a = await make<string>(ns, { lockWaitTimeoutMs: 200, lockPollIntervalMs: 20 });
      const b = await make<string>(ns, { lockWaitTimeoutMs: 200, lockPollIntervalMs: 20 });
      await expect(a.getOrLoad('x', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
      expect(await b.getOrLoad('x', () => 'second try')).toBe('second try');
      let finish: (() => void) | undefined;
      const slow = a.getOrLoad('y', () => new Promise<string>((r) => (finish = () => r('late'))));
      await eventually(() => finish !== undefined);
      await expect(b.getOrLoad('y', () => 'never')).rejects.toMatchObject({ code: 'CACHE_LOCK_TIMEOUT' });
      finish!();
      expect(await slow).toBe('late');
    });

    it('exports a namespace to a file and imports it into another', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'patinox-snap-'));
      try {
        const from = await make<unknown>(`t-${randomUUID().slice(0, 8)}`);
        const to = await make<unknown>(`t-${randomUUID().slice(0, 8)}`);
        await from.setMany(Array.from({ length: 30 }, (_, i) => ({ key: `s${i}`, value: { i }, ttlMs: i === 0 ? 60_000 : undefined })));
        await from.increment('ctr', 3);
        const file = join(dir, 'snap.jsonl');
        expect(await from.exportSnapshot(file)).toMatchObject({ entries: 31, namespace: from.namespace });
        await to.set('s1', 'kept');
        expect((await to.importSnapshot(file, { overwrite: false })).entries).toBe(31);
        expect(await to.get('s1')).toBe('kept');
        expect(await to.get('s2')).toEqual({ i: 2 });
        expect(await to.get('ctr')).toBe(3);
        await to.importSnapshot(file);
        expect(await to.get('s1', { consistent: true })).toEqual({ i: 1 });
        // Tags travel with the entries: invalidating a tag after a restore removes the restored members.
        await from.set('t1', 'a', { tags: ['team:1'] });
        await from.set('t2', 'b', { tags: ['team:1', 'team:2'] });
        await from.set('t3', 'c', { tags: ['team:2'] });
        const tagged = join(dir, 'tagged.jsonl');
        expect(await from.exportSnapshot(tagged)).toMatchObject({ entries: 34, tags: 2 });
        const restored = await make<unknown>(`t-${randomUUID().slice(0, 8)}`);
        expect(await restored.importSnapshot(tagged)).toMatchObject({ entries: 34, tags: 2 });
        expect(await restored.get('t1')).toBe('a');
        expect(await restored.invalidateTag('team:1')).toBe(2);
        expect(await restored.get('t1', { consistent: true })).toBeUndefined();
        expect(await restored.get('t2', { consistent: true })).toBeUndefined();
        expect(await restored.get('t3', { consistent: true })).toBe('c');
        expect(await restored.invalidateTag('team:2')).toBe(1);
        // Version-1 files (entries only) still import; a malformed tag line is refused.
        writeFileSync(join(dir, 'v1.jsonl'), `${JSON.stringify({ format: 'patinox-cache-snapshot', version: 1, namespace: 'x' })}\n${JSON.stringify({ k: 'old', v: readFirstValue(tagged), t: 0 })}\n`);
        expect(await restored.importSnapshot(join(dir, 'v1.jsonl'))).toMatchObject({ entries: 1, tags: 0 });
        writeFileSync(join(dir, 'badtag.jsonl'), `${JSON.stringify({ format: 'patinox-cache-snapshot', version: 2, namespace: 'x' })}\n{"g":"t","m":[1],"t":0}\n`);
        await expect(restored.importSnapshot(join(dir, 'badtag.jsonl'))).rejects.toMatchObject({ code: 'CACHE_SNAPSHOT_INVALID' });
        writeFileSync(join(dir, 'bad.jsonl'), '{"format":"other"}\n');
        await expect(to.importSnapshot(join(dir, 'bad.jsonl'))).rejects.toMatchObject({ code: 'CACHE_SNAPSHOT_INVALID' });
        writeFileSync(join(dir, 'empty.jsonl'), '');
        await expect(to.importSnapshot(join(dir, 'empty.jsonl'))).rejects.toMatchObject({ code: 'CACHE_SNAPSHOT_INVALID' });
        writeFileSync(join(dir, 'torn.jsonl'), `${JSON.stringify({ format: 'patinox-cache-snapshot', version: 1, namespace: 'x' })}\n{"k":`);
        await expect(to.importSnapshot(join(dir, 'torn.jsonl'))).rejects.toMatchObject({ code: 'CACHE_SNAPSHOT_INVALID' });
        writeFileSync(join(dir, 'entry.jsonl'), `${JSON.stringify({ format: 'patinox-cache-snapshot', version: 1, namespace: 'x' })}\n{"k":1}\n`);
        await expect(to.importSnapshot(join(dir, 'entry.jsonl'))).rejects.toMatchObject({ code: 'CACHE_SNAPSHOT_INVALID' });
        await expect(to.importSnapshot(join(dir, 'missing.jsonl'))).rejects.toMatchObject({ code: 'CACHE_SNAPSHOT_INVALID' });
        await expect(to.exportSnapshot('')).rejects.toThrow('Expected `path` to be a file path, got "" (string)');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('scans and clears, from a fresh instance, the keys another instance wrote', async () => {
      const ns = `t-${randomUUID().slice(0, 8)}`;
      const writer = await make<number>(ns);
      await writer.setMany(Array.from({ length: 25 }, (_, i) => ({ key: `f${i}`, value: i })));
      // No bus: nothing else has used the new instance's connection before its first scan.
      const scanner = await make<number>(ns, { bus: false });
      const keys: string[] = [];
      for await (const key of scanner.scan('f*')) keys.push(key);
      expect(new Set(keys).size).toBe(25);
      const cleaner = await make<number>(ns, { bus: false });
      expect(await cleaner.clear()).toBe(25);
      expect(await writer.get('f3', { consistent: true })).toBeUndefined();
    });

    it('answers the health check with a PING within 100 ms', async () => {
      const cache = await make(`t-${randomUUID().slice(0, 8)}`);
      const health = await cache.health();
      expect(health.status).toBe('up');
      expect(health.details?.latencyMs).toBeLessThan(100);
    });
  });
}
