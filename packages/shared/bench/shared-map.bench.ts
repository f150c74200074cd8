import { once } from 'node:events';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { SharedMap } from '@patinox/shared';

// Throughput of get and set from 1, 2 and 4 workers on 10,000 keys holding small JSON objects
// ({ price, ts }), against what users have today:
// - SharedMap: every worker reads and writes one map in shared memory;
// - main-thread Map via postMessage: one round trip per operation (structured clone both ways);
// - per-worker Map: each worker its own Map, nothing shared — the floor no sharing scheme can beat.
// Each case runs DURATION_MS in every worker at once; figures are total ops/s over all workers.
// Machine is noisy (2 shared cores: 4 workers oversubscribe it); compare within one run.

const KEYS = 10_000;
const DURATION_MS = Number(process.env.MAP_BENCH_MS ?? 1500);
const workerFile = join(process.cwd(), 'bench/map-worker.mjs');

const shared = SharedMap.create<{ price: number; ts: number }>({ capacity: KEYS, maxValueBytes: 64, maxKeyBytes: 16 });
const mainMap = new Map<string, { price: number; ts: number }>();
for (let i = 0; i < KEYS; i += 1) {
  shared.set(`sym:${i}`, { price: i, ts: 0 });
  mainMap.set(`sym:${i}`, { price: i, ts: 0 });
}

type Store = 'shared' | 'post' | 'local';

async function run(store: Store, op: 'get' | 'set', workers: number): Promise<number> {
  const started = Array.from({ length: workers }, (_, seed) => {
    const { port1, port2 } = new MessageChannel();
    if (store === 'post') {
      port1.on('message', (m: { get?: string; set?: string; value?: { price: number; ts: number } }) => {
        if (m.get !== undefined) port1.postMessage(mainMap.get(m.get));
        else {
          mainMap.set(m.set!, m.value!);
          port1.postMessage(true);
        }
      });
    }
    const worker = new Worker(workerFile, {
      workerData: { store, op, keys: KEYS, durationMs: DURATION_MS, port: port2, handle: shared.handle, seed: seed + 1 },
      transferList: [port2],
    });
    return { worker, port1, ready: once(worker, 'message') };
  });
  await Promise.all(started.map((s) => s.ready));
  const reports = started.map((s) => once(s.worker, 'message') as Promise<[{ done: number; ms: number }]>);
  for (const s of started) s.worker.postMessage('go');
  const results = await Promise.all(reports);
  for (const s of started) {
    s.port1.close();
    await s.worker.terminate();
  }
  return results.reduce((sum, [r]) => sum + (r.done / r.ms) * 1000, 0);
}

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(0)} k`);
console.log('| op | workers | SharedMap ops/s | main Map via postMessage ops/s | per-worker Map (floor) ops/s | SharedMap ÷ postMessage | SharedMap ÷ floor |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const op of ['get', 'set'] as const) {
  for (const workers of [1, 2, 4]) {
    const s = await run('shared', op, workers);
    const p = await run('post', op, workers);
    const l = await run('local', op, workers);
    console.log(`| ${op} | ${workers} | ${fmt(s)} | ${fmt(p)} | ${fmt(l)} | ${(s / p).toFixed(1)}× | ${(s / l).toFixed(2)}× |`);
  }
}
