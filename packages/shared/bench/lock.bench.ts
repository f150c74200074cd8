import Benchmark from 'benchmark';
import { Mutex, Semaphore } from 'async-mutex';
import { Histogram } from '@patinox/monitor';
import { MutableSharedData, SharedRwLock } from '@patinox/shared';

// Uncontended lock round trip (acquire, run a tiny fn, release, resume the caller) of MutableSharedData
// against async-mutex, the library users reach for today: its Mutex (one lock for readers and writers)
// and its RW-style Semaphore usage (readers take weight 1, writers the whole capacity). Target: at
// least 2× faster. SharedRwLock (the SharedArrayBuffer lock) is shown for reference.
// Each benchmark op awaits INNER round trips in sequence, so benchmark.js's deferred overhead does not
// dominate. Latency p50/p99 come from a separate timed loop. Machine is noisy (2 shared cores).

const INNER = 1000;
const CAPACITY = 16;
const state = { hits: 0 };
const data = new MutableSharedData(state);
const mutex = new Mutex();
const semaphore = new Semaphore(CAPACITY);
const sab = new SharedRwLock();
const readFn = (): number => state.hits;
const writeFn = (): void => {
  state.hits += 1;
};

type RoundTrip = () => Promise<unknown>;
const cases: [string, RoundTrip][] = [
  ['patinox withRead', () => data.withRead(readFn)],
  ['patinox withWrite', () => data.withWrite(writeFn)],
  ['async-mutex Mutex.runExclusive', () => mutex.runExclusive(readFn)],
  ['async-mutex Semaphore read (weight 1)', () => semaphore.runExclusive(readFn, 1)],
  ['async-mutex Semaphore write (weight 16)', () => semaphore.runExclusive(writeFn, CAPACITY)],
  ['patinox SharedRwLock withRead', () => sab.withRead(readFn)],
  ['patinox SharedRwLock withWrite', () => sab.withWrite(writeFn)],
];

const hz = new Map<string, number>();
const suite = new Benchmark.Suite('uncontended round trip');
for (const [name, trip] of cases) {
  suite.add(
    name,
    (deferred: Benchmark.Deferred) => {
      void (async () => {
        for (let i = 0; i < INNER; i += 1) await trip();
        deferred.resolve();
      })();
    },
    { defer: true, minSamples: 15, maxTime: 2.5, opsPerCycle: INNER } as Benchmark.Options,
  );
}

async function latency(trip: RoundTrip): Promise<{ p50: number; p99: number }> {
  const histogram = new Histogram();
  for (let i = 0; i < 2000; i += 1) await trip();
  for (let i = 0; i < 20_000; i += 1) {
    const start = process.hrtime.bigint();
    await trip();
    histogram.record(Number(process.hrtime.bigint() - start));
  }
  return { p50: histogram.percentile(0.5), p99: histogram.percentile(0.99) };
}

suite
  .on('cycle', (event: Benchmark.Event) => {
    const bench = event.target as unknown as Benchmark;
    hz.set(bench.name!, bench.hz! * INNER);
  })
  .on('complete', () => {
    void (async () => {
      console.log('| case | round trips/s | ns/op | p50 ns | p99 ns |');
      console.log('| --- | ---: | ---: | ---: | ---: |');
      for (const [name, trip] of cases) {
        const ops = hz.get(name)!;
        const { p50, p99 } = await latency(trip);
        console.log(`| ${name} | ${Math.round(ops).toLocaleString('en-US')} | ${(1e9 / ops).toFixed(0)} | ${p50.toFixed(0)} | ${p99.toFixed(0)} |`);
      }
      const read = hz.get('patinox withRead')!;
      const write = hz.get('patinox withWrite')!;
      console.log(`withRead vs Mutex: ${(read / hz.get('async-mutex Mutex.runExclusive')!).toFixed(2)}×; vs Semaphore read: ${(read / hz.get('async-mutex Semaphore read (weight 1)')!).toFixed(2)}× (target ≥ 2×)`);
      console.log(`withWrite vs Mutex: ${(write / hz.get('async-mutex Mutex.runExclusive')!).toFixed(2)}×; vs Semaphore write: ${(write / hz.get('async-mutex Semaphore write (weight 16)')!).toFixed(2)}× (target ≥ 2×)`);
    })();
  })
  .run({ async: true });
