import { once } from 'node:events';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Histogram } from '@patinox/monitor';
import { SharedRegion } from '@patinox/shared';

// A worker reading a 64 MiB table (8 Mi float64) shared through SharedRegion's lock, against posting the
// table to the worker (structured clone copies it). Round trip: main asks, worker answers.
// - scan: the worker sums every element (under a read lock / of the copy it received);
// - lookup: the worker reads one element (under a read lock / of the copy) — the cost of giving a worker
//   access to the data at all.
// 20 timed rounds per case after 3 warm-up ones; ms. Machine is noisy (2 shared cores).

const ELEMENTS = (64 * 1024 * 1024) / 8;
const ROUNDS = 20;
const WARMUP = 3;

const region = SharedRegion.create('Float64Array', ELEMENTS, { name: 'table' });
await region.withWrite((view) => {
  for (let i = 0; i < view.length; i += 1) view[i] = i % 1000;
});
const plain = new Float64Array(ELEMENTS);
plain.set(region.view);

const worker = new Worker(join(process.cwd(), 'bench/table-worker.mjs'), { workerData: { region: region.handle } });

async function roundTrip(message: unknown): Promise<number> {
  const reply = once(worker, 'message');
  worker.postMessage(message);
  const [value] = (await reply) as [number];
  return value;
}

async function measure(message: () => unknown): Promise<Histogram> {
  const histogram = new Histogram();
  for (let i = 0; i < WARMUP + ROUNDS; i += 1) {
    const start = process.hrtime.bigint();
    await roundTrip(message());
    if (i >= WARMUP) histogram.record(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return histogram;
}

const cases: [string, () => unknown][] = [
  ['scan via lock (shared memory)', () => 'scan'],
  ['scan via postMessage (structured clone)', () => ({ copy: plain })],
  ['lookup via lock (shared memory)', () => 'lookup'],
  ['lookup via postMessage (structured clone)', () => ({ copy: plain, lookup: true })],
];
// The two paths must compute the same answer, or the comparison means nothing.
const [viaLock, viaCopy] = [await roundTrip('scan'), await roundTrip({ copy: plain })];
if (viaLock !== viaCopy) throw new Error(`scan mismatch: ${viaLock} vs ${viaCopy}`);
const p50 = new Map<string, number>();
console.log('| 64 MiB table, worker round trip | p50 ms | p99 ms |');
console.log('| --- | ---: | ---: |');
for (const [name, message] of cases) {
  const h = await measure(message);
  p50.set(name, h.percentile(0.5));
  console.log(`| ${name} | ${h.percentile(0.5).toFixed(3)} | ${h.percentile(0.99).toFixed(3)} |`);
}
const ratio = (a: string, b: string): string => (p50.get(b)! / p50.get(a)!).toFixed(1);
console.log(`scan: lock is ${ratio('scan via lock (shared memory)', 'scan via postMessage (structured clone)')}× faster than posting (p50)`);
console.log(`lookup: lock is ${ratio('lookup via lock (shared memory)', 'lookup via postMessage (structured clone)')}× faster than posting (p50)`);
worker.postMessage('close');
await worker.terminate();
