import { afterEach, describe, expect, it } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import { MemoryMonitor } from '@patinox/monitor';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { pack, unpack } from 'msgpackr';
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

// Each worker's exit, listened for from its creation: a busy main thread can take a worker's last
// message and its exit in one turn, and a listener attached later would wait for ever.
const exits = new WeakMap<Worker, Promise<number>>();

// Workers still running; a failed test's workers (some spin for ever) are stopped after it.
const running = new Set<Worker>();

function start(map: SharedMap<unknown>, data: Record<string, unknown>): Worker {
  const worker = new Worker(fixture, { workerData: { map: map.handle, ...data } });
  running.add(worker);
  // Not events.once: that rejects on 'error', and nobody may be awaiting it then.
  exits.set(
    worker,
    new Promise((resolve) =>
      worker.once('exit', (code: number) => {
        running.delete(worker);
        resolve(code);
      }),
    ),
  );
  return worker;
}

function exited(worker: Worker): Promise<number> {
  return exits.get(worker)!;
}

/** The worker's first message carrying `key`; rejects if the worker fails or exits first. */
function message<T>(worker: Worker, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>): void => {
      if (!(key in m)) return;
      worker.off('message', onMessage);
      resolve(m as T);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    void exited(worker).then((code) => reject(new Error(`worker ${worker.threadId} exited (code ${String(code)}) before sending '${key}'`)));
  });
}

/** Terminates `workers` and resolves once each has exited. */
async function stop(...workers: Worker[]): Promise<void> {
  await Promise.all(workers.map(async (w) => Promise.all([exited(w), w.terminate()])));
}

function whole(value: string | undefined, length: number): boolean {
  return value === undefined || (value.length === length && value === value[0]!.repeat(length));
}

describe('SharedMap across worker threads', () => {
  afterEach(async () => {
    await stop(...running);
  });

  it('loses no update when workers and the main thread hammer the same keys', async () => {
    let interleaved = 0;
    for (const shards of [1, 4]) {
      const map = SharedMap.create<number>({ capacity: 64, shards });
      const keys = ['a', 'b', 'c', 'd', 'e'];
      const go = new Int32Array(new SharedArrayBuffer(4));
      const workers = Array.from({ length: 4 }, () => start(map as SharedMap<unknown>, { mode: 'count', keys, rounds: 2000, go: go.buffer }));
      await Promise.all(workers.map((w) => message(w, 'ready')));
      const done = workers.map((w) => message<{ interleaved: number }>(w, 'done'));
      // Everyone starts at once, the main thread included.
      Atomics.store(go, 0, 1);
      Atomics.notify(go, 0);
      for (let r = 0; r < 1000; r += 1) for (const key of keys) map.update(key, (n = 0) => n + 1);
      for (const report of await Promise.all(done)) interleaved += report.interleaved;
      await stop(...workers);
      expect(keys.map((k) => map.get(k))).toEqual(keys.map(() => 4 * 2000 + 1000));
      expect(map.size).toBe(keys.length);
    }
    // The threads did hammer at the same time: workers saw other threads' increments between their own.
    expect(interleaved).toBeGreaterThan(0);
  }, 60_000);

  it('carries msgpackr-encoded values (Dates, bytes, nested objects) between threads', async () => {
    const codec = { encode: pack, decode: (bytes: Uint8Array) => unpack(bytes) as Quote };
    type Quote = { at: Date; raw: Uint8Array; levels: { bid: number; ask: number }[] };
    const map = SharedMap.create<Quote>({ capacity: 8, codec, maxValueBytes: 128 });
    const fromMain: Quote = { at: new Date(Date.UTC(2026, 0, 2)), raw: new Uint8Array([1, 2, 3]), levels: [{ bid: 1.08, ask: 1.09 }] };
    map.set('main', fromMain);
    const fromWorker: Quote = { at: new Date(Date.UTC(2027, 5, 6)), raw: new Uint8Array([9]), levels: [] };
    const worker = start(map, { mode: 'ops', codec: 'msgpackr', ops: [['get', 'main'], ['set', 'worker', fromWorker]] });
    try {
      const { results } = await message<{ results: [Quote, boolean] }>(worker, 'results');
      expect(results[0].at).toEqual(fromMain.at);
      expect([...results[0].raw]).toEqual([1, 2, 3]);
      expect(results[0].levels).toEqual(fromMain.levels);
      const back = map.get('worker')!;
      expect(back.at).toBeInstanceOf(Date);
      expect(back.at.getTime()).toBe(fromWorker.at.getTime());
      expect([...back.raw]).toEqual([9]);
      // Too large for the slot once encoded: refused with a code, the old value kept.
      let code: string | undefined;
      try {
        map.set('main', { ...fromMain, raw: new Uint8Array(200) });
      } catch (error) {
        code = isPatinoxError(error) ? error.code : String(error);
      }
      expect(code).toBe('SHARED_MAP_TOO_LARGE');
      expect([...map.get('main')!.raw]).toEqual([1, 2, 3]);
    } finally {
      await stop(worker);
    }
  });

  it('workers taking turns by a generated schedule on the same keys match a reference Map step by step (property)', async () => {
    // fast-check picks each worker's script and the interleaving (whose op runs next); the workers are
    // real threads acting on one table in turn, so every step's result and the final table are exact.
    const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];
    const CAPACITY = 4;
    const value = fc.integer({ min: 0, max: 3 });
    const maybe = fc.option(value, { nil: null });
    const op = fc.oneof(
      fc.tuple(fc.constant('set'), fc.constantFrom(...KEYS), value),
      fc.tuple(fc.constant('get'), fc.constantFrom(...KEYS)),
      fc.tuple(fc.constant('delete'), fc.constantFrom(...KEYS)),
      fc.tuple(fc.constant('cas'), fc.constantFrom(...KEYS), maybe, maybe),
      fc.tuple(fc.constant('update'), fc.constantFrom(...KEYS), fc.integer({ min: -1, max: 2 })),
      fc.tuple(fc.constant('entries'), fc.constant('')),
    ) as fc.Arbitrary<[string, string, (number | null)?, (number | null)?]>;
    const scenario = fc
      .tuple(fc.array(op, { minLength: 1, maxLength: 30 }), fc.array(op, { minLength: 1, maxLength: 30 }), fc.array(op, { minLength: 1, maxLength: 30 }), fc.constantFrom(1, 2, 4))
      .chain(([a, b, c, shards]) => {
        const turns = [...a.map(() => 0), ...b.map(() => 1), ...c.map(() => 2)];
        return fc.tuple(fc.constant([a, b, c]), fc.shuffledSubarray(turns, { minLength: turns.length, maxLength: turns.length }), fc.constant(shards));
      });
    let crossings = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ([scripts, schedule, shards]) => {
        const map = SharedMap.create<number>({ capacity: CAPACITY, shards });
        const ctl = new Int32Array(new SharedArrayBuffer(4 * (1 + schedule.length + 1)));
        ctl.set(schedule, 1);
        ctl[1 + schedule.length] = -1;
        const workers = scripts.map((ops, me) => start(map as SharedMap<unknown>, { mode: 'turns', ops, me, ctl: ctl.buffer }));
        try {
          const reports = await Promise.all(workers.map((w) => message<{ results: { ok?: unknown; code?: string }[] }>(w, 'results')));
          const model = new Map<string, number>();
          const next = [0, 0, 0];
          for (let step = 0; step < schedule.length; step += 1) {
            const who = schedule[step]!;
            if (step > 0 && schedule[step - 1] !== who) crossings += 1;
            const i = next[who]!++;
            const [name, key, a, b] = scripts[who]![i]!;
            let expected: { ok?: unknown; code?: string };
            const inserting = (v: number | undefined): boolean => v !== undefined && !model.has(key) && model.size >= CAPACITY;
            if (name === 'get') expected = { ok: model.get(key) ?? null };
            else if (name === 'entries') expected = { ok: [...model].sort(([x], [y]) => (x < y ? -1 : 1)) };
            else if (name === 'delete') expected = { ok: model.delete(key) };
            else if (name === 'set') {
              if (inserting(a!)) expected = { code: 'SHARED_MAP_FULL' };
              else expected = { ok: (model.set(key, a!), true) };
            } else if (name === 'cas') {
              const matches = (model.get(key) ?? null) === a;
              if (!matches) expected = { ok: false };
              else if (inserting(b ?? undefined)) expected = { code: 'SHARED_MAP_FULL' };
              else {
                if (b === null) model.delete(key);
                else model.set(key, b!);
                expected = { ok: true };
              }
            } else {
              const v = a === -1 ? undefined : (model.get(key) ?? 0) + a!;
              if (inserting(v)) expected = { code: 'SHARED_MAP_FULL' };
              else {
                if (v === undefined) model.delete(key);
                else model.set(key, v);
                expected = { ok: v ?? null };
              }
            }
            expect({ step, who, op: scripts[who]![i], result: reports[who]!.results[i] }).toEqual({ step, who, op: scripts[who]![i], result: expected });
          }
          expect(new Map(map)).toEqual(model);
          expect(map.size).toBe(model.size);
        } finally {
          await stop(...workers);
        }
      }),
      { numRuns: 12 },
    );
    // The schedules did hand the table from thread to thread mid-script, not one script after another.
    expect(crossings).toBeGreaterThan(12);
  }, 90_000);

  it('workers racing freely on the same keys: every update saw the value the reference Map predicts in lock order (property)', async () => {
    // No coordination beyond a common start: each op is an `update` that takes a ticket inside its
    // shard lock, so sorting all workers' ops by ticket gives the order they took effect in; replayed
    // on a Map, every op must have seen exactly the value the Map holds at that point.
    const KEYS = ['a', 'b', 'c', 'd', 'e'];
    const small = fc.integer({ min: 0, max: 3 });
    const maybe = fc.option(small, { nil: null });
    const op = fc.oneof(
      fc.tuple(fc.constant('set'), fc.constantFrom(...KEYS), small),
      fc.tuple(fc.constant('delete'), fc.constantFrom(...KEYS)),
      fc.tuple(fc.constant('cas'), fc.constantFrom(...KEYS), maybe, maybe),
      fc.tuple(fc.constant('add'), fc.constantFrom(...KEYS), fc.integer({ min: 1, max: 3 })),
    ) as fc.Arbitrary<[string, string, (number | null)?, (number | null)?]>;
    // Each worker runs long enough (thousands of updates) to outlast a scheduler time slice.
    const REPEAT = 150;
    let switches = 0;
    let total = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 25 }), { minLength: 3, maxLength: 3 }), fc.constantFrom(1, 2, 4), async (scripts, shards) => {
        const map = SharedMap.create<number>({ capacity: 16, shards });
        const ctl = new Int32Array(new SharedArrayBuffer(8));
        const workers = scripts.map((ops) => start(map as SharedMap<unknown>, { mode: 'race', ops, repeat: REPEAT, ctl: ctl.buffer }));
        try {
          await Promise.all(workers.map((w) => message(w, 'ready')));
          const logs = workers.map((w) => message<{ log: [number, number | null, string | null][] }>(w, 'log'));
          Atomics.store(ctl, 0, 1);
          Atomics.notify(ctl, 0);
          const steps = (await Promise.all(logs)).flatMap(({ log }, who) => log.map(([ticket, seen, code], i) => ({ ticket, seen, code, who, op: scripts[who]![i % scripts[who]!.length]! })));
          steps.sort((x, y) => x.ticket - y.ticket);
          expect(steps.map((s) => s.ticket)).toEqual(steps.map((_, i) => i));
          const model = new Map<string, number>();
          for (const [i, step] of steps.entries()) {
            if (i > 0 && steps[i - 1]!.who !== step.who) switches += 1;
            const [name, key, a, b] = step.op;
            const current = model.get(key);
            expect({ ticket: step.ticket, op: step.op, seen: step.seen, code: step.code }).toEqual({ ticket: step.ticket, op: step.op, seen: current ?? null, code: null });
            let v: number | undefined;
            if (name === 'set') v = a!;
            else if (name === 'delete') v = undefined;
            else if (name === 'cas') v = (current ?? null) === a ? (b ?? undefined) : current;
            else v = (current ?? 0) + a!;
            if (v === undefined) model.delete(key);
            else model.set(key, v);
          }
          total += steps.length;
          expect(new Map(map)).toEqual(model);
          expect(map.size).toBe(model.size);
        } finally {
          await stop(...workers);
        }
      }),
      { numRuns: 8 },
    );
    // The workers did run at the same time: the lock order switches between threads (printed for the record).
    console.log(`racing workers: ${switches} thread switches in the lock order over ${total} ops`);
    expect(switches).toBeGreaterThan(0);
  }, 90_000);

  it('never shows a torn value while writers are terminated mid-write, and stays usable', async () => {
    const length = 3000;
    const keys = ['p', 'q', 'r', 's'];
    const map = SharedMap.create<string>({ capacity: 16, shards: 2, codec: 'string', maxValueBytes: length, lockLeaseMs: 200 });
    const header = readHeader(map.handle.buffer);
    if (typeof header === 'string') throw new Error(header);
    const g = header.geometry;
    const i32 = new Int32Array(map.handle.buffer);
    const versions = (): number[] => Array.from({ length: g.shards * g.shardSlots }, (_, slot) => Atomics.load(i32, (g.slotsOffset + slot * g.slotBytes) >> 2));
    // Slots whose sequence word is odd (a write was under way there when its writer died) and moved
    // since `before`, so a slot left odd by an earlier round is not counted again.
    const halfWritten = (before?: number[]): number => versions().filter((v, slot) => (v & 1) === 1 && (before === undefined || v !== before[slot])).length;
    // Whole values from the start, so the reader worker sees values even if it runs before any writer starts.
    for (const key of keys) map.set(key, 'z'.repeat(length));
    // The reader worker reads the whole time, through every kill, until told to stop.
    const stopReading = new Int32Array(new SharedArrayBuffer(4));
    const reader = start(map, { mode: 'read', keys, flag: stopReading.buffer, length });
    const readerReport = message<{ torn: number; seen: number }>(reader, 'torn');
    let torn = 0;
    let reads = 0;
    let recovered = 0;
    let killedMidWrite = 0;
    // Rounds go on until three kills have landed mid-write (about one in four does), up to a cap.
    let round = 0;
    for (; round < 60 && (round < 8 || killedMidWrite < 3); round += 1) {
      const before = versions();
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
      await stop(...writers);
      // Measured, not assumed: did this round's kill leave a write half done?
      if (halfWritten(before) > 0) killedMidWrite += 1;
      // Lock-free reads of the half-written slots, before anything repairs them.
      for (const key of keys) if (!whole(map.get(key), length)) torn += 1;
      for (const id of ids) recovered += map.recoverThread(id);
      for (const key of keys) if (!whole(map.get(key), length)) torn += 1;
      for (const [, value] of map) if (!whole(value, length)) torn += 1;
    }
    Atomics.store(stopReading, 0, 1);
    const fromReader = await readerReport;
    await stop(reader);
    console.log(`terminated writers: ${killedMidWrite} of ${round} rounds killed a writer mid-write; ${recovered} locks recovered; ${reads} main-thread reads, ${fromReader.seen} reader-worker reads`);
    expect({ torn, tornInReader: fromReader.torn }).toEqual({ torn: 0, tornInReader: 0 });
    expect(reads).toBeGreaterThan(0);
    expect(fromReader.seen).toBeGreaterThan(0);
    // The kills did land inside writes (a slot was left mid-write by a dead thread), or the test proved nothing.
    expect(killedMidWrite).toBeGreaterThanOrEqual(3);
    expect(recovered).toBeGreaterThan(0);
    expect(map.size).toBe(keys.length);
    for (const key of keys) map.set(key, 'z'.repeat(length));
    expect(halfWritten()).toBe(0);
    expect(keys.map((k) => map.get(k) === 'z'.repeat(length))).toEqual([true, true, true, true]);
  }, 90_000);

  it('takes over a lock whose holder died once the lease runs out, without blocking readers meanwhile', async () => {
    const monitor = new MemoryMonitor();
    const map = SharedMap.create<number>({ capacity: 8, shards: 1, lockLeaseMs: 100, monitor, name: 'held' });
    map.set('k', 1).set('other', 2);
    const health = map.healthCheck();
    expect(await health.check(new AbortController().signal)).toEqual({ status: 'up', details: { size: 2, capacity: 8, locksRecovered: 0 } });
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
    await stop(worker);
    map.set('k', 3); // waits out the lease, then recovers the lock
    expect(map.get('k')).toBe(3);
    expect(map.size).toBe(2);
    const events = monitor.events().filter((e) => e.type === 'shared.map.lock.recovered');
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ shard: 0, threadId: holding, how: 'lease' });
    expect(events[0]!.data['heldMs']).toBeGreaterThanOrEqual(100);
    // A writer died mid-write: recovered, and the health check says so.
    expect(await health.check(new AbortController().signal)).toEqual({ status: 'degraded', details: { size: 2, capacity: 8, locksRecovered: 1 } });
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
        // Hold the lock far past the lease (a long GC pause, a slow update function) until the worker has
        // taken it over and written; the cap only keeps a broken takeover from spinning for ever.
        const until = performance.now() + 20_000;
        while (performance.now() < until && map.get('k') !== 'worker') {
          // spin
        }
        return 'main';
      });
    } catch (error) {
      code = isPatinoxError(error) ? error.code : String(error);
    }
    await done;
    await stop(worker);
    expect(code).toBe('SHARED_MAP_LOCK_LOST');
    expect(map.get('k')).toBe('worker');
    map.set('k', 'after');
    expect(map.get('k')).toBe('after');
  }, 30_000);

  it('recoverThread frees a dead worker’s locks at once', async () => {
    const monitor = new MemoryMonitor();
    const map = SharedMap.create<number>({ capacity: 8, shards: 1, lockLeaseMs: 60_000, lockTimeoutMs: 1000, monitor });
    const worker = start(map, { mode: 'hold', key: 'k' });
    await message(worker, 'holding');
    const id = worker.threadId;
    await stop(worker);
    expect(map.recoverThread(id)).toBe(1);
    expect(map.recoverThread(id)).toBe(0);
    map.set('k', 1);
    expect(map.get('k')).toBe(1);
    expect(monitor.events().map((e) => [e.type, e.data['how']])).toEqual([['shared.map.lock.recovered', 'exit']]);
  });

  it('recoverOnExit frees the locks of a worker that dies holding them (a Worker reads threadId -1 once it exited)', async () => {
    const monitor = new MemoryMonitor();
    const map = SharedMap.create<number>({ capacity: 8, shards: 1, lockLeaseMs: 60_000, lockTimeoutMs: 5000, monitor });
    const worker = start(map, { mode: 'hold', key: 'k' });
    const id = worker.threadId;
    map.recoverOnExit(worker);
    await message(worker, 'holding');
    await stop(worker);
    // What the exit listener sees: the id is gone, so it had to be taken at recoverOnExit.
    expect(worker.threadId).toBe(-1);
    map.set('k', 1); // at once: a 60 s lease would otherwise time out after 5 s
    expect(map.get('k')).toBe(1);
    expect(monitor.events().map((e) => [e.type, e.data['threadId'], e.data['how']])).toEqual([['shared.map.lock.recovered', id, 'exit']]);
    // A worker that has already exited cannot be watched: its locks need recoverThread with a saved id.
    expect(() => map.recoverOnExit(worker)).toThrow(/Expected `worker` to be a running Worker/);
    expect(() => map.recoverOnExit({} as never)).toThrow(TypeError);
  }, 30_000);

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
