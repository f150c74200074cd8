import { describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { ConfigData, SharedData, SharedRegion, SharedRwLock } from '../src/index.js';
import { checkedRead, checkedWrite } from './fixtures/region-ops.mjs';
import { runLockScript, type LockStep } from './fixtures/lock-script.mjs';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

function nextMessage<T>(worker: Worker, match: (m: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T): void => {
      if (!match(m)) return;
      worker.off('message', onMessage);
      resolve(m);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

describe('across worker_threads', () => {
  it('delivers every config update to every worker in version order, none lost', async () => {
    const config = new ConfigData({ value: 10 }, { name: 'live' });
    config.update({ value: 20 });
    const last = 152;
    const workers = [false, false, true].map((iterate) => {
      const handle = config.share();
      const worker = new Worker(join(fixtures, 'config-worker.mjs'), { workerData: { config: handle, last, iterate }, transferList: [handle.port] });
      return { worker, iterate, startVersion: handle.version, report: nextMessage<{ seen: number[]; bad: number[] }>(worker, (m) => 'seen' in m) };
    });
    // Half the updates go out before the workers run at all, half while they are running.
    for (let v = 3; v <= 80; v += 1) config.update({ value: v * 10 });
    await Promise.all(workers.map(({ worker }) => nextMessage(worker, (m: object) => 'ready' in m)));
    for (let v = 81; v <= last; v += 1) config.update({ value: v * 10 });
    for (const { report, iterate, startVersion } of workers) {
      const { seen, bad } = await report;
      expect(bad).toEqual([]);
      if (iterate) {
        // An iterator sees the latest on each pull: increasing, ending at the last version.
        expect(seen.every((v, i) => i === 0 || v > seen[i - 1]!)).toBe(true);
        expect(seen.at(-1)).toBe(last);
      } else {
        expect(seen).toEqual(Array.from({ length: last - startVersion + 1 }, (_, i) => startVersion + i));
      }
    }
    // Closing the original closes every replica, which lets the workers exit by themselves.
    const exits = workers.map(({ worker }) => once(worker, 'exit'));
    const closed = workers.map(({ worker }) => nextMessage<{ closed: boolean }>(worker, (m) => 'closed' in m));
    config.close();
    expect((await Promise.all(closed)).map((m) => m.closed)).toEqual([true, true, true]);
    expect((await Promise.all(exits)).map(([code]) => code as number)).toEqual([0, 0, 0]);
  });

  it('hands a SharedData snapshot to a worker', async () => {
    const shared = new SharedData({ list: ['main'] }, { freeze: true, name: 'list' });
    const worker = new Worker(join(fixtures, 'shared-data-worker.mjs'), { workerData: { shared: shared.share() } });
    const exit = once(worker, 'exit');
    const [message] = (await once(worker, 'message')) as [{ mine: unknown; reader: unknown; frozen: boolean }];
    expect(message).toEqual({ mine: { list: ['main', 'worker'] }, reader: { list: ['main'] }, frozen: true });
    expect(shared.get()).toEqual({ list: ['main'] });
    await exit;
  });

  it('guards a shared table across threads: no two writers, no reader during a writer, everyone served', async () => {
    const region = SharedRegion.create('Float64Array', 4096, { name: 'table' });
    const occupancy = new Int32Array(new SharedArrayBuffer(12));
    const iterations = 60;
    const workers = [0, 1, 2].map(
      (id) =>
        new Worker(join(fixtures, 'region-worker.mjs'), {
          workerData: { region: region.handle, occupancy: occupancy.buffer, iterations, writeEvery: id + 2, id: id + 1 },
        }),
    );
    const reports = workers.map((worker) => nextMessage<{ reads: number; writes: number }>(worker, () => true));
    const exits = workers.map((worker) => once(worker, 'exit'));
    // The main thread takes part without ever blocking: Atomics.waitAsync only.
    for (let i = 0; i < iterations; i += 1) {
      if (i % 5 === 0) await checkedWrite(region, occupancy, i);
      else await checkedRead(region, occupancy);
    }
    const results = await Promise.all(reports);
    expect(results.map((r) => r.reads + r.writes)).toEqual([iterations, iterations, iterations]);
    expect(Atomics.load(occupancy, 2)).toBe(0);
    expect([Atomics.load(occupancy, 0), Atomics.load(occupancy, 1)]).toEqual([0, 0]);
    expect((await Promise.all(exits)).map(([code]) => code as number)).toEqual([0, 0, 0]);
  });

  it('property: across threads, no two writers, no reader during a writer, every waiter served', async () => {
    const step: fc.Arbitrary<LockStep> = fc.record({
      mode: fc.constantFrom<'read' | 'write'>('read', 'read', 'write'),
      hold: fc.nat(3),
      abortAfter: fc.option(fc.nat(3), { nil: null, freq: 5 }),
    });
    const script = fc.array(step, { minLength: 1, maxLength: 25 });
    await fc.assert(
      fc.asyncProperty(script, script, script, async (mainScript, scriptA, scriptB) => {
        const lock = new SharedRwLock({ name: 'property' });
        const occupancy = new Int32Array(new SharedArrayBuffer(12));
        const workers = [scriptA, scriptB].map(
          (s) => new Worker(join(fixtures, 'lock-script-worker.mjs'), { workerData: { lock: lock.handle, occupancy: occupancy.buffer, script: s } }),
        );
        const results = workers.map((worker) => nextMessage<{ served: number; aborted: number }>(worker, () => true));
        const exits = workers.map((worker) => once(worker, 'exit'));
        const mine = await runLockScript(lock, occupancy, mainScript);
        const theirs = await Promise.all(results);
        await Promise.all(exits);
        expect(Atomics.load(occupancy, 2)).toBe(0);
        const all = [mine, ...theirs];
        const scripts = [mainScript, scriptA, scriptB];
        all.forEach((r, i) => {
          expect(r.served + r.aborted).toBe(scripts[i]!.length);
          expect(r.served).toBeGreaterThanOrEqual(scripts[i]!.filter((s) => s.abortAfter === null).length);
        });
        // Places of aborted waiters pass through in the background; then the lock is idle again.
        const cells = new Int32Array(lock.handle.buffer, lock.handle.byteOffset, 4);
        for (let i = 0; i < 200 && !(cells[0] === cells[1] && cells[2] === cells[3]); i += 1) await new Promise((r) => setImmediate(r));
        expect(cells[0] === cells[1] && cells[2] === cells[3]).toBe(true);
      }),
      { numRuns: 6 },
    );
  });
});
