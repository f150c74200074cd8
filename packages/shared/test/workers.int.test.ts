import { describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConfigData, SharedData, SharedRegion } from '../src/index.js';
import { checkedRead, checkedWrite } from './fixtures/region-ops.mjs';

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
});
