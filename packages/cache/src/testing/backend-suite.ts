import { randomUUID } from 'node:crypto';
import { isPatinoxError } from '@patinox/errors';
import { COUNTER_HEADER, type CacheBackend } from '../index.js';
import type { TestFramework } from './framework.js';

/** A live backend for the `backend` part of `runConformance`, and how to tear it down. */
export interface BackendTarget {
  backend: CacheBackend;
  close(): Promise<void>;
  /** Waits until `ms` have passed for the backend's expiry clock (sleep for a real server, move an injected clock). */
  advance(ms: number): Promise<void>;
}

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

/** The byte-level behaviour every {@link CacheBackend} must have (the `backend` part of `runConformance`). */
export function backendSuite(t: TestFramework, name: string, open: () => Promise<BackendTarget>): void {
  const { describe, it, expect, beforeAll, afterAll } = t;
  describe(`CacheBackend conformance: ${name}`, () => {
    let target: BackendTarget;
    let b: CacheBackend;
    // A hash tag keeps keys that must share a cluster slot together; other keys spread over slots.
    const ns = `conf-${randomUUID().slice(0, 8)}`;
    const k = (s: string): string => `${ns}:${s}`;

    beforeAll(async () => {
      target = await open();
      b = target.backend;
    });

    afterAll(async () => {
      const keys: string[] = [];
      for await (const batch of b.scan(`${ns}:*`, 100)) keys.push(...batch);
      await b.delete(keys);
      await target.close();
    });

    it('round-trips bytes, including binary and empty-looking values', async () => {
      const bytes = Buffer.from([0, 255, 1, 254, 0]);
      expect(await b.set(k('bin'), bytes)).toBe(true);
      expect((await b.get(k('bin')))?.equals(bytes)).toBe(true);
      expect(await b.get(k('missing'))).toBeNull();
    });

    it('honours nx: a second set of an existing key is refused', async () => {
      expect(await b.set(k('nx'), buf('a'), { nx: true })).toBe(true);
      expect(await b.set(k('nx'), buf('b'), { nx: true })).toBe(false);
      expect((await b.get(k('nx')))?.toString()).toBe('a');
    });

    it('expires values after ttlMs and reports the remaining ttl', async () => {
      await b.set(k('ttl'), buf('x'), { ttlMs: 60 });
      await b.set(k('forever'), buf('x'));
      const ttl = await b.ttl(k('ttl'));
      expect(ttl).not.toBeNull();
      expect(ttl!).toBeGreaterThan(0);
      expect(ttl!).toBeLessThanOrEqual(60);
      expect(await b.ttl(k('forever'))).toBe(-1);
      expect(await b.ttl(k('nothing'))).toBeNull();
      await target.advance(120);
      expect(await b.get(k('ttl'))).toBeNull();
      expect(await b.exists(k('ttl'))).toBe(false);
    });

    it('gets and sets many keys across slots in order', async () => {
      const entries = Array.from({ length: 50 }, (_, i) => ({ key: k(`many-${i}`), value: buf(`v${i}`), ttlMs: i % 2 === 0 ? 10_000 : undefined }));
      await b.setMany(entries);
      await b.setMany([]);
      const got = await b.getMany([...entries.map((e) => e.key), k('many-missing')]);
      expect(got.map((v) => v?.toString() ?? null)).toEqual([...entries.map((_, i) => `v${i}`), null]);
      expect(await b.getMany([])).toEqual([]);
      expect(await b.delete(entries.map((e) => e.key))).toBe(50);
      expect(await b.delete([])).toBe(0);
      expect(await b.exists(k('many-0'))).toBe(false);
    });

    it('runs a batch of sets and deletes', async () => {
      await b.set(k('b3'), buf('old'));
      await b.batch([
        { type: 'set', key: k('b1'), value: buf('1') },
        { type: 'set', key: k('b2'), value: buf('2'), ttlMs: 5000 },
        { type: 'delete', key: k('b3') },
      ]);
      await b.batch([]);
      expect((await b.getMany([k('b1'), k('b2'), k('b3')])).map((v) => v?.toString() ?? null)).toEqual(['1', '2', null]);
      expect(await b.ttl(k('b2'))).toBeGreaterThan(0);
    });

    it('compares and sets atomically on one slot', async () => {
      const a = k('{cas}:a');
      const c = k('{cas}:c');
      await b.set(a, buf('10'));
      expect(await b.compareAndSet([{ key: a, expected: buf('9') }], [{ key: a, value: buf('11') }])).toBe(false);
      expect((await b.get(a))?.toString()).toBe('10');
      expect(await b.compareAndSet([{ key: a, expected: buf('10') }, { key: c, expected: null }], [{ key: a, value: buf('11') }, { key: c, value: buf('new'), ttlMs: 5000 }])).toBe(true);
      expect((await b.get(a))?.toString()).toBe('11');
      expect((await b.get(c))?.toString()).toBe('new');
      expect(await b.compareAndSet([{ key: c, expected: null }], [])).toBe(false);
      expect(await b.compareAndSet([{ key: c, expected: buf('new') }], [{ key: c, value: null }])).toBe(true);
      expect(await b.exists(c)).toBe(false);
      expect(await b.compareAndSet([], [])).toBe(true);
    });

    it('increments counters and refuses to increment non-counters', async () => {
      expect(await b.increment(k('ctr'), 5, COUNTER_HEADER, 10_000)).toBe(5);
      expect(await b.increment(k('ctr'), -7, COUNTER_HEADER)).toBe(-2);
      expect(await b.ttl(k('ctr'))).toBeGreaterThan(0);
      await b.set(k('notctr'), buf('hello'));
      await expect(b.increment(k('notctr'), 1, COUNTER_HEADER)).rejects.toMatchObject({ code: 'CACHE_NOT_A_COUNTER' });
    });

    it('refuses a count past ±Number.MAX_SAFE_INTEGER with CACHE_COUNTER_OUT_OF_RANGE and writes nothing', async () => {
      const max = Number.MAX_SAFE_INTEGER;
      const counter = (n: string): Buffer => Buffer.concat([Buffer.from([COUNTER_HEADER]), Buffer.from(n, 'latin1')]);
      expect(await b.increment(k('big'), max - 1, COUNTER_HEADER)).toBe(max - 1);
      expect(await b.increment(k('big'), 1, COUNTER_HEADER)).toBe(max);
      // 2^53 + 2 is a double too: only a check before adding (not a rounded result) refuses every step.
      for (const delta of [1, 3, max]) {
        await expect(b.increment(k('big'), delta, COUNTER_HEADER)).rejects.toMatchObject({ code: 'CACHE_COUNTER_OUT_OF_RANGE' });
      }
      expect(await b.get(k('big'))).toEqual(counter(String(max)));
      expect(await b.increment(k('low'), -max, COUNTER_HEADER)).toBe(-max);
      await expect(b.increment(k('low'), -1, COUNTER_HEADER)).rejects.toMatchObject({ code: 'CACHE_COUNTER_OUT_OF_RANGE' });
      expect(await b.increment(k('low'), 1, COUNTER_HEADER)).toBe(-max + 1);
      // A stored count no double holds exactly (another client wrote it): 2^53 + 1 reads as 2^53, so minus one would look safe.
      await b.set(k('unsafe'), counter('9007199254740993'));
      await expect(b.increment(k('unsafe'), -1, COUNTER_HEADER)).rejects.toMatchObject({ code: 'CACHE_COUNTER_OUT_OF_RANGE' });
      expect(await b.get(k('unsafe'))).toEqual(counter('9007199254740993'));
    });

    it('scans keys matching a glob in batches', async () => {
      await b.setMany(Array.from({ length: 30 }, (_, i) => ({ key: k(`scan:${i}`), value: buf('x') })));
      await b.set(k('scanx'), buf('x'));
      const seen = new Set<string>();
      for await (const batch of b.scan(`${ns}:scan:*`, 7)) for (const key of batch) seen.add(key);
      expect(seen.size).toBe(30);
      expect(seen.has(k('scanx'))).toBe(false);
    });

    it('keeps sets of members with a ttl that only grows', async () => {
      await b.addToSet(k('tag'), ['a', 'b'], 5000);
      await b.addToSet(k('tag'), ['b', 'c'], 1000);
      await b.addToSet(k('tag'), [], 1000);
      expect((await b.setMembers(k('tag'))).sort()).toEqual(['a', 'b', 'c']);
      expect(await b.ttl(k('tag'))).toBeGreaterThan(1000);
      await b.addToSet(k('tag'), ['d'], 0);
      expect(await b.ttl(k('tag'))).toBe(-1);
      expect(await b.setMembers(k('no-tag'))).toEqual([]);
    });

    it('reads a key of another type as missing and refuses set operations on a string', async () => {
      await b.addToSet(k('aset'), ['a'], 0);
      expect(await b.get(k('aset'))).toBeNull();
      expect(await b.getMany([k('aset')])).toEqual([null]);
      await b.set(k('astring'), buf('x'));
      const err = await b.setMembers(k('astring')).catch((e: unknown) => e);
      expect(isPatinoxError(err, 'CACHE_DECODE_FAILED')).toBe(true);
    });

    it('grants a lock to one token and releases it only for that token', async () => {
      expect(await b.acquireLock(k('lock'), 't1', 5000)).toBe(true);
      expect(await b.acquireLock(k('lock'), 't2', 5000)).toBe(false);
      expect(await b.releaseLock(k('lock'), 't2')).toBe(false);
      expect(await b.releaseLock(k('lock'), 't1')).toBe(true);
      expect(await b.acquireLock(k('lock'), 't2', 50)).toBe(true);
      await target.advance(100);
      expect(await b.acquireLock(k('lock'), 't3', 5000)).toBe(true);
    });

    it('batches concurrent gets and sets without mixing up callers', async () => {
      const n = 200;
      const written = await Promise.all(Array.from({ length: n }, (_, i) => b.set(k(`c${i}`), buf(`v${i}`), i % 2 === 0 ? { ttlMs: 10_000 } : {})));
      expect(written.every(Boolean)).toBe(true);
      const read = await Promise.all(Array.from({ length: n }, (_, i) => b.get(k(`c${n - 1 - i}`))));
      expect(read.map((v) => v?.toString())).toEqual(Array.from({ length: n }, (_, i) => `v${n - 1 - i}`));
      expect(await b.ttl(k('c0'))).toBeGreaterThan(0);
      expect(await b.ttl(k('c1'))).toBe(-1);
    });

    it('keeps call order for writes of one key in one tick, with and without a TTL', async () => {
      const key = k('order');
      await Promise.all([b.set(key, buf('first')), b.set(key, buf('second'), { ttlMs: 10_000 })]);
      expect((await b.get(key))?.toString()).toBe('second');
      await Promise.all([b.set(key, buf('third'), { ttlMs: 10_000 }), b.set(key, buf('fourth'))]);
      expect((await b.get(key))?.toString()).toBe('fourth');
      expect(await b.ttl(key)).toBe(-1);
    });

    it('reads and writes keys that share a hash slot together with keys that do not', async () => {
      const tagged = Array.from({ length: 10 }, (_, i) => ({ key: k(`{grp}:${i}`), value: buf(`g${i}`), ttlMs: i % 3 === 0 ? 10_000 : undefined }));
      const loose = Array.from({ length: 10 }, (_, i) => ({ key: k(`loose:${i}`), value: buf(`l${i}`) }));
      const mixed = tagged.flatMap((e, i) => [e, loose[i]!]);
      await b.setMany(mixed);
      const read = await b.getMany([k('{grp}:missing'), ...mixed.map((e) => e.key)]);
      expect(read.map((v) => v?.toString() ?? null)).toEqual([null, ...mixed.map((e) => e.value.toString())]);
      expect(await b.ttl(tagged[0]!.key)).toBeGreaterThan(0);
      expect(await b.ttl(tagged[1]!.key)).toBe(-1);
      const single = await Promise.all(mixed.map((e) => b.get(e.key)));
      expect(single.map((v) => v?.toString())).toEqual(mixed.map((e) => e.value.toString()));
      expect(await b.delete([...mixed.map((e) => e.key), k('{grp}:missing')])).toBe(20);
    });

    it('touches existing keys to a new ttl across slots, skipping missing ones (when it implements touch)', async () => {
      if (b.touch === undefined) return;
      const keys = [k('{t}:a'), k('{t}:b'), k('touch:loose'), k('touch:forever')];
      await b.setMany([{ key: keys[0]!, value: buf('a'), ttlMs: 100 }, { key: keys[1]!, value: buf('b'), ttlMs: 100 }, { key: keys[2]!, value: buf('c'), ttlMs: 100 }, { key: keys[3]!, value: buf('d') }]);
      await b.touch([...keys.slice(0, 3).map((key) => ({ key, ttlMs: 60_000 })), { key: k('touch:missing'), ttlMs: 60_000 }]);
      for (const key of keys.slice(0, 3)) expect(await b.ttl(key)).toBeGreaterThan(1_000);
      await b.touch([{ key: keys[3]!, ttlMs: 60_000 }]);
      expect(await b.ttl(keys[3]!)).toBeGreaterThan(1_000);
      expect(await b.exists(k('touch:missing'))).toBe(false);
      await b.touch([]);
    });

    it('answers ping with a latency', async () => {
      expect(await b.ping()).toBeGreaterThanOrEqual(0);
    });
  });
}
