import Benchmark from 'benchmark';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MappedFile } from '@patinox/mmap';

// @patinox/mmap against what users do without it, on a 1 GiB u32 file that sits in the page cache:
// in-memory typed arrays (after fs.readFile), fs.readSync at a position, and raw typed-array indexing.
const GiB = 2 ** 30;
const dir = mkdtempSync(join(tmpdir(), 'patinox-mmap-bench-'));
const path = join(dir, 'table.u32');

function setup(): void {
  const chunk = new Uint32Array(16 * 2 ** 20);
  const fd = openSync(path, 'w');
  for (let written = 0; written < GiB; written += chunk.byteLength) {
    for (let i = 0; i < chunk.length; i += 1) chunk[i] = (written / 4 + i) * 2654435761;
    writeSync(fd, chunk);
  }
  closeSync(fd);
  // One full read pulls the file into the page cache before anything is measured.
  readFileSync(path);
}

type Row = { name: string; hz: number; rme: number; perOp: number };

function runSuite(title: string, cases: [string, () => void, number][], options: Benchmark.Options): Map<string, Row> {
  console.log(`\n### ${title}`);
  const rows = new Map<string, Row>();
  const suite = new Benchmark.Suite(title);
  // opsPerCycle (items read per call) is read by tools/scripts/bench-hook.mjs, so BENCHMARKS.md reports one item;
  // ours marks our cases for its ratio column.
  for (const [name, fn, perOp] of cases) suite.add(name, fn, { ...options, opsPerCycle: perOp, ours: /mapped|Mapped/.test(name) && !/baseline/.test(name) } as Benchmark.Options);
  suite.on('cycle', (event: Benchmark.Event) => {
    const b = event.target as unknown as Benchmark & { name: string };
    const perOp = cases.find(([n]) => n === b.name)![2];
    rows.set(b.name, { name: b.name, hz: b.hz, rme: b.stats.rme, perOp });
    const itemsPerSec = b.hz * perOp;
    console.log(`${b.name.padEnd(44)} ${(1e9 / itemsPerSec).toFixed(2).padStart(10)} ns/item ${Math.round(itemsPerSec).toLocaleString('en-US').padStart(16)} items/s  ±${b.stats.rme.toFixed(1)}%  (${b.stats.sample.length} samples)`);
  });
  suite.run();
  return rows;
}

function ratio(rows: Map<string, Row>, slow: string, fast: string): number {
  const a = rows.get(slow)!;
  const b = rows.get(fast)!;
  return (b.hz * b.perOp) / (a.hz * a.perOp);
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

let sink = 0;

// benchmark.js measures wall time, which other engineers' jobs on this 2-core machine inflate at random;
// user CPU time of the same loops is a steadier cross-check of the ratios.
function cpuNsPerItem(fn: () => void, items: number, reps: number): number {
  fn();
  let best = Infinity;
  for (let r = 0; r < reps; r += 1) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    best = Math.min(best, ((used.user + used.system) * 1e3) / items);
  }
  return best;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  setup();
  console.log(`setup: wrote and cached ${path} (1 GiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const file = await MappedFile.open(path, { type: 'u32', mode: 'private' });
  const mapped = file.asSlice();
  // Windowed as before promotion existed: the cost of the 32 MiB window lookup.
  const readOnly = await MappedFile.open(path, { type: 'u32', mode: 'read', promote: 'never' });
  const roSlice = readOnly.asMappedSlice();
  // The default 'read' file: lazy windowed open, then promoted to one mapping once every window is mapped
  // (checked mode). The promotion's pause is measured on the event loop it runs on.
  const promotedEvents: { type: string; data: Record<string, unknown> }[] = [];
  const promotedOpenStart = process.hrtime.bigint();
  const promotedFile = await MappedFile.open(path, { type: 'u32', monitor: { record: (e: { type: string; data: Record<string, unknown> }) => void promotedEvents.push(e) } as never });
  const promotedSlice = promotedFile.asMappedSlice();
  sink ^= promotedSlice.get(promotedSlice.length - 1)!;
  const promotedOpenMs = Number(process.hrtime.bigint() - promotedOpenStart) / 1e6;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  for (let w = 0; w < promotedFile.windowCount; w += 1) sink ^= promotedSlice.get((w * 2 ** 25) / 4)!;
  delay.enable();
  const promoteStart = performance.now();
  while (!promotedFile.isPromoted && performance.now() - promoteStart < 5000) await new Promise((resolve) => setTimeout(resolve, 1));
  await new Promise((resolve) => setTimeout(resolve, 20));
  delay.disable();
  const promotedEvent = promotedEvents.find((e) => e.type === 'mmap.promoted');
  console.log(
    `default 'read' open + get(last): ${promotedOpenMs.toFixed(3)} ms; promoted: ${promotedFile.isPromoted}, promotion task ${Number(promotedEvent?.data.durationMs).toFixed(2)} ms, event-loop delay max ${(delay.max / 1e6).toFixed(2)} ms (in this process, ~1.3 GiB of buffers live)`,
  );
  // The opt-in for 'read' files that want the single-mapping get: one 1 GiB mapping (its open runs a full GC).
  const readWhole = await MappedFile.open(path, { type: 'u32', mode: 'read', windowBytes: GiB });
  const roWholeSlice = readWhole.asMappedSlice();
  const slice = file.asMappedSlice();
  const bytes = readFileSync(path);
  const memory = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const n = memory.length;

  // 1. Sequential sum over the whole 1 GiB.
  function sumMemory(a: Uint32Array): number {
    let s = 0;
    for (let i = 0; i < a.length; i += 1) s = (s + a[i]!) >>> 0;
    return s;
  }
  function sumMapped(a: Uint32Array): number {
    let s = 0;
    for (let i = 0; i < a.length; i += 1) s = (s + a[i]!) >>> 0;
    return s;
  }
  function sumSlice(): number {
    let s = 0;
    const len = roSlice.length;
    for (let i = 0; i < len; i += 1) s = (s + roSlice.get(i)!) >>> 0;
    return s;
  }
  if (sumMemory(memory) !== sumMapped(mapped) || sumMapped(mapped) !== sumSlice()) throw new Error('sums differ');
  const seq = runSuite(
    'sequential sum over 1 GiB of u32 (268M elements)',
    [
      ['in-memory Uint32Array (baseline)', () => void (sink ^= sumMemory(memory)), n],
      ['mapped asSlice() typed array', () => void (sink ^= sumMapped(mapped)), n],
      ["mapped 'read' MappedSlice.get", () => void (sink ^= sumSlice()), n],
    ],
    { minSamples: 5, maxTime: 4 },
  );

  // 2. Random 4-byte reads.
  const indices = new Uint32Array(1 << 20);
  for (let i = 0; i < indices.length; i += 1) indices[i] = Math.floor(Math.random() * n);
  const fd = openSync(path, 'r');
  const four = Buffer.alloc(4);
  const preadBatch = 1 << 14;
  let cursor = 0;
  const rnd = runSuite(
    'random 4-byte reads over 1 GiB',
    [
      ['fs.readSync at a position (baseline)', () => {
        for (let j = 0; j < preadBatch; j += 1) {
          readSync(fd, four, 0, 4, indices[(cursor++ & (indices.length - 1))]! * 4);
          sink ^= four.readUInt32LE(0);
        }
      }, preadBatch],
      ['mapped asSlice()[i]', () => {
        for (let j = 0; j < indices.length; j += 1) sink ^= mapped[indices[j]!]!;
      }, indices.length],
      ["mapped 'read' MappedSlice.get(i)", () => {
        for (let j = 0; j < indices.length; j += 1) sink ^= roSlice.get(indices[j]!)!;
      }, indices.length],
      ["mapped 'read' promoted (default) MappedSlice.get(i)", () => {
        for (let j = 0; j < indices.length; j += 1) sink ^= promotedSlice.get(indices[j]!)!;
      }, indices.length],
      ["mapped 'read' 1 GiB window MappedSlice.get(i)", () => {
        for (let j = 0; j < indices.length; j += 1) sink ^= roWholeSlice.get(indices[j]!)!;
      }, indices.length],
      ["mapped 'private' MappedSlice.get(i)", () => {
        for (let j = 0; j < indices.length; j += 1) sink ^= slice.get(indices[j]!)!;
      }, indices.length],
    ],
    { minSamples: 5, maxTime: 3 },
  );
  const cpuRandom = {
    pread: cpuNsPerItem(() => {
      for (let j = 0; j < preadBatch; j += 1) {
        readSync(fd, four, 0, 4, indices[(cursor++ & (indices.length - 1))]! * 4);
        sink ^= four.readUInt32LE(0);
      }
    }, preadBatch, 5),
    mapped: cpuNsPerItem(() => {
      for (let j = 0; j < indices.length; j += 1) sink ^= mapped[indices[j]!]!;
    }, indices.length, 5),
    slice: cpuNsPerItem(() => {
      for (let j = 0; j < indices.length; j += 1) sink ^= roSlice.get(indices[j]!)!;
    }, indices.length, 5),
    promotedSlice: cpuNsPerItem(() => {
      for (let j = 0; j < indices.length; j += 1) sink ^= promotedSlice.get(indices[j]!)!;
    }, indices.length, 5),
    wholeSlice: cpuNsPerItem(() => {
      for (let j = 0; j < indices.length; j += 1) sink ^= roWholeSlice.get(indices[j]!)!;
    }, indices.length, 5),
    privateSlice: cpuNsPerItem(() => {
      for (let j = 0; j < indices.length; j += 1) sink ^= slice.get(indices[j]!)!;
    }, indices.length, 5),
  };
  console.log(
    `CPU time: fs.readSync ${cpuRandom.pread.toFixed(0)} ns, asSlice()[i] ${cpuRandom.mapped.toFixed(1)} ns (${(cpuRandom.pread / cpuRandom.mapped).toFixed(0)}x faster), 'read' MappedSlice.get ${cpuRandom.slice.toFixed(1)} ns (${(cpuRandom.pread / cpuRandom.slice).toFixed(0)}x faster), 'read' promoted (default) MappedSlice.get ${cpuRandom.promotedSlice.toFixed(1)} ns (${(cpuRandom.pread / cpuRandom.promotedSlice).toFixed(0)}x faster), 'read' 1 GiB window MappedSlice.get ${cpuRandom.wholeSlice.toFixed(1)} ns (${(cpuRandom.pread / cpuRandom.wholeSlice).toFixed(0)}x faster), 'private' MappedSlice.get ${cpuRandom.privateSlice.toFixed(1)} ns (${(cpuRandom.pread / cpuRandom.privateSlice).toFixed(0)}x faster)`,
  );
  closeSync(fd);

  // 3. MappedSlice.get against indexing the raw typed array, on the same mapping.
  const span = 1 << 24;
  const getRows = runSuite(
    'sequential reads of 16M elements: MappedSlice.get vs raw typed array',
    [
      ['raw typed array a[i] (baseline)', () => {
        let s = 0;
        for (let i = 0; i < span; i += 1) s = (s + mapped[i]!) >>> 0;
        sink ^= s;
      }, span],
      ['MappedSlice.get(i)', () => {
        let s = 0;
        for (let i = 0; i < span; i += 1) s = (s + slice.get(i)!) >>> 0;
        sink ^= s;
      }, span],
      ["promoted 'read' MappedSlice.get(i)", () => {
        let s = 0;
        for (let i = 0; i < span; i += 1) s = (s + promotedSlice.get(i)!) >>> 0;
        sink ^= s;
      }, span],
    ],
    { minSamples: 10, maxTime: 3 },
  );

  console.log('\n### CPU-time cross-check (best of 5, ns/item)');
  const cpu = {
    memorySum: cpuNsPerItem(() => void (sink ^= sumMemory(memory)), n, 5),
    mappedSum: cpuNsPerItem(() => void (sink ^= sumMapped(mapped)), n, 5),
    readSliceSum: cpuNsPerItem(() => void (sink ^= sumSlice()), n, 5),
    rawSpan: cpuNsPerItem(() => {
      let s = 0;
      for (let i = 0; i < span; i += 1) s = (s + mapped[i]!) >>> 0;
      sink ^= s;
    }, span, 5),
    getSpan: cpuNsPerItem(() => {
      let s = 0;
      for (let i = 0; i < span; i += 1) s = (s + slice.get(i)!) >>> 0;
      sink ^= s;
    }, span, 5),
    promotedSpan: cpuNsPerItem(() => {
      let s = 0;
      for (let i = 0; i < span; i += 1) s = (s + promotedSlice.get(i)!) >>> 0;
      sink ^= s;
    }, span, 5),
  };
  console.log(`sum: in-memory ${cpu.memorySum.toFixed(2)}, mapped asSlice() ${cpu.mappedSum.toFixed(2)} (${(cpu.mappedSum / cpu.memorySum).toFixed(2)}x), 'read' MappedSlice.get ${cpu.readSliceSum.toFixed(2)} (${(cpu.readSliceSum / cpu.memorySum).toFixed(2)}x)`);
  console.log(`16M reads: raw ${cpu.rawSpan.toFixed(2)}, MappedSlice.get ${cpu.getSpan.toFixed(2)} (${(cpu.getSpan / cpu.rawSpan).toFixed(2)}x), promoted 'read' get ${cpu.promotedSpan.toFixed(2)} (${(cpu.promotedSpan / cpu.rawSpan).toFixed(2)}x)`);

  // The loops above close over their subject, which V8 may treat as a constant. User code more often takes the
  // array or slice as a parameter; one function per subject keeps each call site monomorphic.
  function sumRawParam(a: Uint32Array, count: number): number {
    let s = 0;
    for (let i = 0; i < count; i += 1) s = (s + a[i]!) >>> 0;
    return s;
  }
  function sumGetParam(g: { get(i: number): number | undefined }, count: number): number {
    let s = 0;
    for (let i = 0; i < count; i += 1) s = (s + g.get(i)!) >>> 0;
    return s;
  }
  function sumPromotedParam(g: { get(i: number): number | undefined }, count: number): number {
    let s = 0;
    for (let i = 0; i < count; i += 1) s = (s + g.get(i)!) >>> 0;
    return s;
  }
  const param = {
    raw: cpuNsPerItem(() => void (sink ^= sumRawParam(mapped, span)), span, 5),
    get: cpuNsPerItem(() => void (sink ^= sumGetParam(slice, span)), span, 5),
    promoted: cpuNsPerItem(() => void (sink ^= sumPromotedParam(promotedSlice, span)), span, 5),
  };
  console.log(`16M reads, slice as a parameter: raw ${param.raw.toFixed(2)}, MappedSlice.get ${param.get.toFixed(2)} (${(param.get / param.raw).toFixed(2)}x), promoted 'read' get ${param.promoted.toFixed(2)} (${(param.promoted / param.raw).toFixed(2)}x)`);

  // Last, because it changes V8's feedback for every later get in this process: once a get has returned
  // `undefined` (an index out of range), code optimized afterwards merges that path with the element, and
  // 32-bit values of 2^30 and above (and floats) are boxed into a heap number on every call. Code optimized
  // before keeps its speed, so these are fresh functions.
  for (let i = 0; i < 100; i += 1) {
    sink ^= slice.get(slice.length + i) ?? 0;
    sink ^= promotedSlice.get(promotedSlice.length + i) ?? 0;
  }
  function sumGetAfterMiss(g: { get(i: number): number | undefined }, count: number): number {
    let s = 0;
    for (let i = 0; i < count; i += 1) s = (s + g.get(i)!) >>> 0;
    return s;
  }
  function sumPromotedAfterMiss(g: { get(i: number): number | undefined }, count: number): number {
    let s = 0;
    for (let i = 0; i < count; i += 1) s = (s + g.get(i)!) >>> 0;
    return s;
  }
  const afterMiss = {
    get: cpuNsPerItem(() => void (sink ^= sumGetAfterMiss(slice, span)), span, 5),
    promoted: cpuNsPerItem(() => void (sink ^= sumPromotedAfterMiss(promotedSlice, span)), span, 5),
  };
  console.log(`16M reads, slice as a parameter, after out-of-range gets: MappedSlice.get ${afterMiss.get.toFixed(2)} (${(afterMiss.get / param.raw).toFixed(2)}x raw), promoted 'read' get ${afterMiss.promoted.toFixed(2)} (${(afterMiss.promoted / param.raw).toFixed(2)}x)`);

  file.close();
  readOnly.close();
  readWhole.close();
  promotedFile.close();

  // 4. Open + first access, against reading the whole file.
  const openTimes: number[] = [];
  for (let i = 0; i < 300; i += 1) {
    const start = process.hrtime.bigint();
    const f = await MappedFile.open(path, { type: 'u32' });
    sink ^= f.asMappedSlice().get(n - 1)!;
    openTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
    f.close();
    if (i % 50 === 49) (globalThis as { gc?: () => void }).gc?.();
  }
  // The same without reuse: each open maps a different range (offset one page further), so no earlier
  // open's window can be handed out again, as when a service opens many different files.
  const distinctTimes: number[] = [];
  for (let i = 0; i < 300; i += 1) {
    const start = process.hrtime.bigint();
    const f = await MappedFile.open(path, { type: 'u32', offset: (i + 1) * 4096 });
    sink ^= f.asMappedSlice().get(f.length - 1)!;
    distinctTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
    f.close();
    if (i % 50 === 49) (globalThis as { gc?: () => void }).gc?.();
  }
  distinctTimes.sort((a, b) => a - b);
  const singleTimes: number[] = [];
  for (let i = 0; i < 60; i += 1) {
    const start = process.hrtime.bigint();
    const f = await MappedFile.open(path, { type: 'u32', mode: 'private' });
    sink ^= f.asSlice()[n - 1]!;
    singleTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
    f.close();
  }
  singleTimes.sort((a, b) => a - b);
  const readTimes: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const start = process.hrtime.bigint();
    const data = await readFile(path);
    sink ^= data[data.length - 1]!;
    readTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  // The start-up case: the first open of a process, where no earlier mapping is waiting to be collected.
  const tiny = join(dir, 'tiny.u32');
  writeFileSync(tiny, Buffer.alloc(4096));
  const probe = [
    "import { MappedFile } from '@patinox/mmap';",
    `const warm = await MappedFile.open(${JSON.stringify(tiny)}, { type: 'u32' }); warm.asMappedSlice().get(0); warm.close();`,
    'const start = process.hrtime.bigint();',
    `const f = await MappedFile.open(${JSON.stringify(path)}, { type: 'u32' });`,
    'f.asMappedSlice().get(f.length - 1);',
    'const openMs = Number(process.hrtime.bigint() - start) / 1e6;',
    // Then the promotion: touch every window (checked mode promotes once all are mapped) and time the task.
    "import('node:perf_hooks').then(async ({ monitorEventLoopDelay }) => {",
    '  const s = f.asMappedSlice(); for (let w = 0; w < f.windowCount; w += 1) s.get((w * 2 ** 25) / 4);',
    '  const h = monitorEventLoopDelay({ resolution: 1 }); h.enable();',
    '  const t = performance.now(); await new Promise((r) => setImmediate(r)); const promoteMs = performance.now() - t;',
    '  await new Promise((r) => setTimeout(r, 20)); h.disable();',
    '  console.log(JSON.stringify({ openMs, promoted: f.isPromoted, promoteMs, maxDelayMs: h.max / 1e6 }));',
    '});',
  ].join('\n');
  const freshTimes: number[] = [];
  const freshPromote: number[] = [];
  const freshDelay: number[] = [];
  for (let i = 0; i < 15; i += 1) {
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' }).trim().split('\n').pop()!) as { openMs: number; promoted: boolean; promoteMs: number; maxDelayMs: number };
    if (!out.promoted) throw new Error('the fresh process did not promote');
    freshTimes.push(out.openMs);
    freshPromote.push(out.promoteMs);
    freshDelay.push(out.maxDelayMs);
  }
  freshTimes.sort((a, b) => a - b);
  freshPromote.sort((a, b) => a - b);
  freshDelay.sort((a, b) => a - b);
  openTimes.sort((a, b) => a - b);
  readTimes.sort((a, b) => a - b);
  console.log('\n### open + first access of the 1 GiB file');
  console.log(`'private' single 1 GiB mapping + asSlice()[last]  p50 ${percentile(singleTimes, 0.5).toFixed(3)} ms  p99 ${percentile(singleTimes, 0.99).toFixed(3)} ms  (${singleTimes.length} runs; V8 runs a full GC for each 1 GiB external buffer)`);
  console.log(`'read' MappedFile.open + get(last), same file (reuses live windows)  p50 ${percentile(openTimes, 0.5).toFixed(3)} ms  p99 ${percentile(openTimes, 0.99).toFixed(3)} ms  max ${openTimes[openTimes.length - 1]!.toFixed(3)} ms  (${openTimes.length} runs)`);
  console.log(`'read' open + get(last), a different range each time (no reuse)  p50 ${percentile(distinctTimes, 0.5).toFixed(3)} ms  p99 ${percentile(distinctTimes, 0.99).toFixed(3)} ms  max ${distinctTimes[distinctTimes.length - 1]!.toFixed(3)} ms  (${distinctTimes.length} runs)`);
  console.log(`'read' first open + get(last) in a fresh process  p50 ${percentile(freshTimes, 0.5).toFixed(3)} ms  max ${freshTimes[freshTimes.length - 1]!.toFixed(3)} ms  (${freshTimes.length} processes)`);
  console.log(`promotion of the default 'read' file in a fresh process: task p50 ${percentile(freshPromote, 0.5).toFixed(2)} ms  max ${freshPromote[freshPromote.length - 1]!.toFixed(2)} ms; event-loop delay max p50 ${percentile(freshDelay, 0.5).toFixed(2)} ms  max ${freshDelay[freshDelay.length - 1]!.toFixed(2)} ms  (${freshPromote.length} processes)`);
  console.log(`fs.readFile (baseline)               p50 ${percentile(readTimes, 0.5).toFixed(1)} ms  max ${readTimes[readTimes.length - 1]!.toFixed(1)} ms  (${readTimes.length} runs)`);

  console.log('\n### summary against the targets');
  console.log(`sequential sum: in-memory / mapped time = ${(1 / ratio(seq, 'in-memory Uint32Array (baseline)', 'mapped asSlice() typed array')).toFixed(2)}x (target <= 1.25x); 'read' MappedSlice.get: ${(1 / ratio(seq, 'in-memory Uint32Array (baseline)', "mapped 'read' MappedSlice.get")).toFixed(2)}x`);
  console.log(`random reads: mapped is ${ratio(rnd, 'fs.readSync at a position (baseline)', 'mapped asSlice()[i]').toFixed(0)}x faster than fs.readSync (target >= 50x); 'read' MappedSlice.get ${ratio(rnd, 'fs.readSync at a position (baseline)', "mapped 'read' MappedSlice.get(i)").toFixed(0)}x, 'read' 1 GiB window ${ratio(rnd, 'fs.readSync at a position (baseline)', "mapped 'read' 1 GiB window MappedSlice.get(i)").toFixed(0)}x, 'private' MappedSlice.get ${ratio(rnd, 'fs.readSync at a position (baseline)', "mapped 'private' MappedSlice.get(i)").toFixed(0)}x`);
  console.log(`random reads against raw asSlice()[i]: 'read' MappedSlice.get ${(1 / ratio(rnd, 'mapped asSlice()[i]', "mapped 'read' MappedSlice.get(i)")).toFixed(2)}x, 'private' MappedSlice.get ${(1 / ratio(rnd, 'mapped asSlice()[i]', "mapped 'private' MappedSlice.get(i)")).toFixed(2)}x (target <= 2x)`);
  console.log(`open + first access p50 ${percentile(openTimes, 0.5).toFixed(3)} ms, p99 ${percentile(openTimes, 0.99).toFixed(3)} ms (same file), p50 ${percentile(distinctTimes, 0.5).toFixed(3)} ms, p99 ${percentile(distinctTimes, 0.99).toFixed(3)} ms (different ranges), fresh process p50 ${percentile(freshTimes, 0.5).toFixed(3)} ms (target < 1 ms) vs fs.readFile ${percentile(readTimes, 0.5).toFixed(0)} ms`);
  console.log(`MappedSlice.get costs ${(1 / ratio(getRows, 'raw typed array a[i] (baseline)', 'MappedSlice.get(i)')).toFixed(2)}x raw indexing, promoted 'read' ${(1 / ratio(getRows, 'raw typed array a[i] (baseline)', "promoted 'read' MappedSlice.get(i)")).toFixed(2)}x (target <= 2x)`);
  console.log(`MappedSlice.get as a parameter (CPU): ${(param.get / param.raw).toFixed(2)}x raw indexing, promoted 'read' ${(param.promoted / param.raw).toFixed(2)}x (target <= 2x); after out-of-range gets ${(afterMiss.get / param.raw).toFixed(2)}x / ${(afterMiss.promoted / param.raw).toFixed(2)}x`);
  console.log(`default 'read' (promoted): random reads ${ratio(rnd, 'fs.readSync at a position (baseline)', "mapped 'read' promoted (default) MappedSlice.get(i)").toFixed(0)}x fs.readSync (target >= 50x), ${(1 / ratio(rnd, 'mapped asSlice()[i]', "mapped 'read' promoted (default) MappedSlice.get(i)")).toFixed(2)}x raw asSlice()[i] random`);
  console.log(`(sink ${sink === 0.5 ? '' : 'ok'})`);
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
