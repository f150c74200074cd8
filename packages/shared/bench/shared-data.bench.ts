import Benchmark from 'benchmark';
import { SharedData } from '@patinox/shared';

// SharedData.get() against reading a plain object property (the baseline the issue sets: within 1.5×),
// plus cloneRef()+dispose (a handle) and update() on a shared vs an exclusive snapshot.
// Each op runs INNER reads, so benchmark.js's per-call overhead does not hide the read's cost.
// Machine is noisy (2 shared cores): compare ratios within one run, not across runs.

const INNER = 1000;
const value = { hits: 1, name: 'routes' };
const plain = { value };
const shared = new SharedData(value);
let sink = 0;

const options = { minSamples: 30, maxTime: 3 };
// opsPerCycle: read by tools/scripts/bench-hook.mjs, so BENCHMARKS.md reports one read.
const readOptions = { ...options, opsPerCycle: INNER } as Benchmark.Options;
const oursOptions = { ...options, ours: true } as Benchmark.Options;
const results = new Map<string, number>();
const suite = new Benchmark.Suite('SharedData.get');
suite
  .add('plain property read', () => {
    let s = 0;
    for (let i = 0; i < INNER; i += 1) s += plain.value.hits;
    sink += s;
  }, readOptions)
  .add('SharedData.get()', () => {
    let s = 0;
    for (let i = 0; i < INNER; i += 1) s += shared.get().hits;
    sink += s;
  }, { ...readOptions, ours: true } as Benchmark.Options)
  .on('cycle', (event: Benchmark.Event) => {
    const bench = event.target as unknown as Benchmark;
    results.set(bench.name!, bench.hz! * INNER);
    console.log(`${bench.name}: ${((bench.hz! * INNER) / 1e6).toFixed(1)} M reads/s (±${bench.stats!.rme.toFixed(1)} %)`);
  })
  .on('complete', () => {
    const base = results.get('plain property read')!;
    const get = results.get('SharedData.get()')!;
    console.log(`SharedData.get() costs ${(base / get).toFixed(2)}× a plain property read (target ≤ 1.5×)`);
  })
  .run();

const other = new Benchmark.Suite('SharedData handles and writes');
const big = new SharedData({ rows: Array.from({ length: 100 }, (_, i) => ({ id: i, name: `row ${i}` })) });
other
  .add('cloneRef() + dispose()', () => {
    const handle = shared.cloneRef();
    handle.dispose();
  }, oursOptions)
  .add('update() exclusive (in place)', () => {
    big.update((d) => {
      d.rows[0]!.id += 1;
    });
  }, oursOptions)
  .add('update() while shared (copies 100 rows)', () => {
    const reader = big.cloneRef();
    big.update((d) => {
      d.rows[0]!.id += 1;
    });
    reader.dispose();
  }, oursOptions)
  .on('cycle', (event: Benchmark.Event) => {
    const bench = event.target as unknown as Benchmark;
    console.log(`${bench.name}: ${Math.round(bench.hz!).toLocaleString('en-US')} ops/s (±${bench.stats!.rme.toFixed(1)} %)`);
  })
  .on('complete', () => {
    if (sink === 42) console.log('');
  })
  .run();
