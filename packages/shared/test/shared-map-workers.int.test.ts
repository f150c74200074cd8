import { describe, expect, it } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import { MemoryMonitor } from '@patinox/monitor';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { SharedMap } from '../src/index.js';
import {
  E_KEY_LEN,
  E_TAG,
  ENTRY_HEADER_BYTES,
  HEADER_BYTES,
  S_OWNER,
  S_STAMP,
  SHARD_BYTES,
  SLOT_HEADER_BYTES,
  computeGeometry,
  readHeader,
} from '../src/internal/map-layout.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'map-worker.mjs');

function start(map: SharedMap<unknown>, data: Record<string, unknown>): Worker {
  return new Worker(fixture, { workerData: { map: map.handle, ...data } });
}

function message<T>(worker: Worker, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>): void => {
      if (!(key in m)) return;
      worker.off('message', onMessage);
      resolve(m as T);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

function whole(value: string | undefined, length: number): boolean {
  return value === undefined || (value.length === length && value === value[0]!.repeat(length));
}

describe('SharedMap across worker threads', () => {
  it('loses no update when workers and the main thread hammer the same keys', async () => {
    for (const shards of [1, 4]) {
      const map = SharedMap.create<number>({ capacity: 64, shards });
      const keys = ['a', 'b', 'c', 'd', 'e'];
      const workers = Array.from({ length: 4 }, () => start(map as SharedMap<unknown>, { mode: 'count', keys, rounds: 400 }));
      const done = workers.map((w) => message(w, 'done'));
      for (let r = 0; r < 200; r += 1) for (const key of keys) map.update(key, (n = 0) => n + 1);
      await Promise.all(done);
      await Promise.all(workers.map((w) => w.terminate()));
      expect(keys.map((k) => map.get(k))).toEqual(keys.map(() => 4 * 400 + 200));
      expect(map.size).toBe(keys.length);
    }
  });

  it('interleaved op scripts in three workers end in the state a reference Map predicts', async () => {
    const op = (prefix: string) =>
      fc.oneof(
        fc.tuple(fc.constant('set'), fc.constantFrom(`${prefix}1`, `${prefix}2`, `${prefix}3`), fc.integer({ min: 0, max: 9 })),
        fc.tuple(fc.constant('delete'), fc.constantFrom(`${prefix}1`, `${prefix}2`, `${prefix}3`)),
        fc.tuple(fc.constant('update'), fc.constant('total'), fc.integer({ min: 1, max: 5 })),
      );
    await fc.assert(
      fc.asyncProperty(fc.array(op('x'), { maxLength: 60 }), fc.array(op('y'), { maxLength: 60 }), fc.array(op('z'), { maxLength: 60 }), async (...scripts) => {
        const map = SharedMap.create<number>({ capacity: 16, shards: 2 });
        const workers = scripts.map((ops) => start(map as SharedMap<unknown>, { mode: 'ops', ops }));
        const results = await Promise.all(workers.map((w) => message<{ results: unknown[] }>(w, 'results')));
        await Promise.all(workers.map((w) => w.terminate()));
        const model = new Map<string, number>();
        let total = 0;
        scripts.forEach((ops, i) => {
          // Each worker owns its keys, so its own results are deterministic; `total` is shared.
          const expected = ops.map(([name, key, value]) => {
            if (name === 'set') return (model.set(key, value), true);
            if (name === 'delete') return model.delete(key);
            total += value;
            return null;
          });
          expect(results[i]!.results.map((r, j) => (ops[j]![0] === 'update' ? null : r))).toEqual(expected);
        });
        if (total > 0) model.set('total', total);
        expect(new Map(map)).toEqual(model);
      }),
      { numRuns: 4 },
    );
  });

  it('never shows a torn value while writers are terminated mid-write, and stays usable', async () => {
    const length = 3000;
    const keys = ['p', 'q', 'r', 's'];
    const map = SharedMap.create<string>({ capacity: 16, shards: 2, codec: 'string', maxValueBytes: length, lockLeaseMs: 200 });
    // Whole values from the start, so the reader worker sees values even if it runs before any writer starts.
    for (const key of keys) map.set(key, 'z'.repeat(length));
    const reader = start(map, { mode: 'read', keys, rounds: 4000, length });
    const readerReport = message<{ torn: number; seen: number }>(reader, 'torn');
    let torn = 0;
    let reads = 0;
    let recovered = 0;
    for (let round = 0; round < 16; round += 1) {
      const writers = [0, 1].map(() => start(map as SharedMap<unknown>, { mode: 'write', keys, length }));
      await Promise.all(writers.map((w) => message(w, 'started')));
      // Read while they write, for a varying while, so the kill lands at varying points of a write.
      const until = performance.now() + 1 + (round % 7);
      while (performance.now() < until) {
        for (const key of keys) {
          reads += 1;
          if (!whole(map.get(key), length)) torn += 1;
        }
      }
      const ids = writers.map((w) => w.threadId);
      await Promise.all(writers.map(async (w) => Promise.all([once(w, 'exit'), w.terminate()])));
      for (const id of ids) recovered += map.recoverThread(id);
      for (const key of keys) if (!whole(map.get(key), length)) torn += 1;
      for (const [, value] of map) if (!whole(value, length)) torn += 1;
    }
    const fromReader = await readerReport;
    await reader.terminate();
    expect({ torn, tornInReader: fromReader.torn }).toEqual({ torn: 0, tornInReader: 0 });
    expect(reads).toBeGreaterThan(0);
    expect(fromReader.seen).toBeGreaterThan(0);
    // The kills did land inside writes (a lock was held by a dead thread), or the test proved nothing.
    expect(recovered).toBeGreaterThan(0);
    expect(map.size).toBe(keys.length);
    for (const key of keys) map.set(key, 'z'.repeat(length));
    expect(keys.map((k) => map.get(k) === 'z'.repeat(length))).toEqual([true, true, true, true]);
  });

  it('takes over a lock whose holder died once the lease runs out, without blocking readers meanwhile', async () => {
    const monitor = new MemoryMonitor();
    const map = SharedMap.create<number>({ capacity: 8, shards: 1, lockLeaseMs: 100, monitor, name: 'held' });
    map.set('k', 1).set('other', 2);
    const worker = start(map, { mode: 'hold', key: 'k' });
    const { holding } = await message<{ holding: number }>(worker, 'holding');
    // The holder is alive and inside update(): reads go on, lock-free; a bounded wait times out.
    expect(map.get('k')).toBe(1);
    const impatient = SharedMap.from<number>(map.handle, { lockTimeoutMs: 20 });
    let code: string | undefined;
    try {
      impatient.set('k', 5);
    } catch (error) {
      code = isPatinoxError(error) ? error.code : String(error);
    }
    expect(code).toBe('SHARED_LOCK_TIMEOUT');
    await Promise.all([once(worker, 'exit'), worker.terminate()]);
    map.set('k', 3); // waits out the lease, then recovers the lock
    expect(map.get('k')).toBe(3);
    expect(map.size).toBe(2);
    const events = monitor.events().filter((e) => e.type === 'shared.map.lock.recovered');
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ shard: 0, threadId: holding, how: 'lease' });
    expect(events[0]!.data['heldMs']).toBeGreaterThanOrEqual(100);
  });

  it('a holder that outlives its lease loses the lock: its write is refused with SHARED_MAP_LOCK_LOST', async () => {
    const map = SharedMap.create<string>({ capacity: 8, shards: 1, codec: 'string', lockLeaseMs: 50 });
    map.set('k', 'before');
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const worker = start(map, { mode: 'cue', flag: flag.buffer, key: 'k', value: 'worker' });
    await message(worker, 'waiting');
    const done = message(worker, 'done');
    let code: string | undefined;
    try {
      map.update('k', () => {
        Atomics.store(flag, 0, 1);
        Atomics.notify(flag, 0);
        // Hold the lock far past the lease (a long GC pause, a slow update function): the worker takes it over.
        const until = performance.now() + 400;
        while (performance.now() < until && map.get('k') !== 'worker') {
          // spin
        }
        return 'main';
      });
    } catch (error) {
      code = isPatinoxError(error) ? error.code : String(error);
    }
    await done;
    await worker.terminate();
    expect(code).toBe('SHARED_MAP_LOCK_LOST');
    expect(map.get('k')).toBe('worker');
    map.set('k', 'after');
    expect(map.get('k')).toBe('after');
  });

  it('recoverThread frees a dead worker’s locks at once', async () => {
    const monitor = new MemoryMonitor();
    const map = SharedMap.create<number>({ capacity: 8, shards: 1, lockLeaseMs: 60_000, lockTimeoutMs: 1000, monitor });
    const worker = start(map, { mode: 'hold', key: 'k' });
    await message(worker, 'holding');
    const id = worker.threadId;
    await Promise.all([once(worker, 'exit'), worker.terminate()]);
    expect(map.recoverThread(id)).toBe(1);
    expect(map.recoverThread(id)).toBe(0);
    map.set('k', 1);
    expect(map.get('k')).toBe(1);
    expect(monitor.events().map((e) => [e.type, e.data['how']])).toEqual([['shared.map.lock.recovered', 'exit']]);
  });

  it('a writer that died mid-write (odd version, half-written copy, lock held) leaves readers on the last whole value', () => {
    const map = SharedMap.create<string>({ capacity: 8, shards: 1, codec: 'string', lockLeaseMs: 30 });
    map.set('k', 'complete').set('j', 'other');
    const header = readHeader(map.handle.buffer);
    if (typeof header === 'string') throw new Error(header);
    const g = header.geometry;
    expect(g).toEqual(computeGeometry(8, 1, 64, 256, 30));
    const i32 = new Int32Array(map.handle.buffer);
    const u8 = new Uint8Array(map.handle.buffer);
    // Find k's slot, then do what a dying writer leaves behind.
    let ver = -1;
    for (let slot = 0; slot < g.shardSlots && ver < 0; slot += 1) {
      const at = g.slotsOffset + slot * g.slotBytes;
      const v = Atomics.load(i32, at >> 2);
      const entry = at + SLOT_HEADER_BYTES + (v & 2 ? g.entryBytes : 0);
      if (i32[(entry >> 2) + E_TAG] === 1 && i32[(entry >> 2) + E_KEY_LEN] === 1 && u8[entry + ENTRY_HEADER_BYTES] === 'k'.charCodeAt(0)) {
        ver = at >> 2;
        Atomics.store(i32, ver, v + 1); // write in progress
        const inactive = at + SLOT_HEADER_BYTES + (v & 2 ? 0 : g.entryBytes);
        u8.fill(0xab, inactive, inactive + g.entryBytes); // torn garbage, including its header
      }
    }
    expect(ver).toBeGreaterThan(0);
    const lock = HEADER_BYTES >> 2;
    expect(SHARD_BYTES).toBe(64);
    Atomics.store(i32, lock + S_OWNER, 4242); // held by a thread that no longer exists
    Atomics.store(i32, lock + S_STAMP, (Date.now() - header.epochMs) | 0);

    expect(map.get('k')).toBe('complete');
    expect(new Map(map)).toEqual(new Map([['k', 'complete'], ['j', 'other']]));
    map.set('k', 'rewritten'); // waits out the 30 ms lease, then writes the same inactive copy again
    expect(map.get('k')).toBe('rewritten');
    expect(Atomics.load(i32, ver) & 1).toBe(0);
    expect(map.size).toBe(2);
    map.delete('j');
    expect([...map]).toEqual([['k', 'rewritten']]);
  });
});
