import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { LRUCache } from 'lru-cache';
import { LRUCache as MnemonistLRU } from 'mnemonist';
import QuickLRU from 'quick-lru';
import { LRU as TinyLRU } from 'tiny-lru';
import { Cache, DEFAULT_EVICTION_POLICY } from '@patinox/cache';
import { AdmissionFloor, DictionaryFloor, ReferenceBitFloor } from './floors.js';
import { zipfSequence } from './zipf.mjs';

// get-hit and set-with-eviction of @patinox/cache (the default policy, 'tinylfu' and 'lru') against
// lru-cache, mnemonist, tiny-lru, quick-lru and a floor, measured like a service runs: every
// measurement is a fresh process holding one cache only (in one shared process, caches built and
// dropped earlier change how V8 optimises the next one: lru-cache deoptimises as earlier instances
// die), and each case is reported as the median over rounds beside the best round.
// - 100k entries; keys `user:<n>:profile` or numeric ('0' … '99999', which V8 keeps in a plain
//   object's elements instead of its hashed properties).
// - get-hit: the cache is filled with 100k keys; reads follow a Zipf(1.0) sequence over them.
// - set-evict: the cache is full; every set stores a key set 300k sets earlier (a cycle over 400k
//   keys), so every LRU's set evicts (W-TinyLFU keeps the frequent ones, so some of its sets replace).
// - memory: heap plus ArrayBuffer growth per entry creating and filling 100k entries (keys pre-built).
// - floors (bench/floors.ts): a bare dictionary; the same plus the least TinyLFU admission adds on a
//   set (hash, one sketch sighting), so the set-evict target can be read against what admission costs;
//   and the same plus one byte stored per hit (a reference bit), the least any policy that records a
//   hit can add to a get, so the get-hit target can be read against what recording a hit costs.
// - PATINOX_BENCH_CASES=get-hit|numeric,memory and PATINOX_BENCH_CONTENDERS=default,floor (substrings)
//   narrow a run, e.g. to re-measure one case after a change; bench-report runs everything.
// - PATINOX_BENCH_CPU=1 runs every child on that CPU (`taskset -c 1`, Linux): on a VM whose CPUs differ
//   in speed (one also serves interrupts), children landing on either one widen every median.
// The parent process spawns the children (`--child`) round by round, contenders interleaved, and
// prints the tables; the machine is shared (2 cores), so compare within the run.

const N = 100_000;
const SEQ = 1 << 20;
const MASK = SEQ - 1;
const ROUNDS = Number(process.env.PATINOX_BENCH_ROUNDS ?? 9);
const CPU = process.env.PATINOX_BENCH_CPU === undefined || process.env.PATINOX_BENCH_CPU === '' ? undefined : process.env.PATINOX_BENCH_CPU;
const MEMORY_ROUNDS = 3;

interface Subject {
  get(k: string): number | undefined;
  set(k: string, v: number): unknown;
}

const DEFAULT = `patinox ${DEFAULT_EVICTION_POLICY} (default)`;
const FLOOR = 'floor: bare dictionary, no policy';
const ADMISSION_FLOOR = 'floor + TinyLFU admission (hash, one sketch sighting)';
const REFBIT_FLOOR = 'floor + reference bit (one byte stored per hit)';
const MAKERS: Record<string, () => Subject> = {
  [DEFAULT]: () => new Cache<string, number>({ maxEntries: N, cleanupIntervalMs: 0 }),
  'patinox tinylfu': () => new Cache<string, number>({ maxEntries: N, evictionPolicy: 'tinylfu', cleanupIntervalMs: 0 }),
  'patinox lru': () => new Cache<string, number>({ maxEntries: N, evictionPolicy: 'lru', cleanupIntervalMs: 0 }),
  'lru-cache': () => new LRUCache<string, number>({ max: N }),
  'mnemonist LRUCache': () => new MnemonistLRU<string, number>(N),
  'tiny-lru': () => new TinyLRU<number>(N),
  'quick-lru': () => new QuickLRU<string, number>({ maxSize: N }),
  [FLOOR]: () => new DictionaryFloor(N),
  [ADMISSION_FLOOR]: () => new AdmissionFloor(N),
  [REFBIT_FLOOR]: () => new ReferenceBitFloor(N),
};
// PATINOX_BENCH_CONTENDERS / PATINOX_BENCH_CASES (comma-separated substrings, e.g. `floor,default` and
// `get-hit|numeric`) narrow a run to some contenders or cases; a narrowed run prints only what it measured.
const pick = (all: string[], env: string | undefined): string[] => {
  const wanted = env?.split(',').map((s) => s.trim()).filter((s) => s !== '') ?? [];
  return wanted.length === 0 ? all : all.filter((x) => wanted.some((w) => x.includes(w)));
};
// The bare floor is always measured: every ratio is read against it.
const CONTENDERS = pick(Object.keys(MAKERS), process.env.PATINOX_BENCH_CONTENDERS ? `${process.env.PATINOX_BENCH_CONTENDERS},${FLOOR}` : undefined);
const SHAPES = { string: 'user:<n>:profile', numeric: '<n>' } as const;
type Shape = keyof typeof SHAPES;
const KINDS = ['get-hit', 'set-evict'] as const;
type Kind = (typeof KINDS)[number];


function keySet(shape: Shape): string[] {
  return Array.from({ length: 4 * N }, (_, i) => (shape === 'string' ? `user:${i}:profile` : String(i)));
}

function filled(make: () => Subject, keys: string[]): Subject {
  const c = make();
  for (let i = 0; i < N; i += 1) c.set(keys[i]!, i);
  return c;
}

interface Measurement {
  nsPerOp: number;
  p50: number;
  p99: number;
}

const BATCH = 1_000;

/**
 * Times `batches` batches of BATCH operations. ns per op is CPU time (user + system) over all batches:
 * on a shared machine wall time also counts the time other processes held the core. p50/p99 are of
 * the per-batch wall-clock means (one op is below the timer's resolution).
 */
function timeBatches(batches: number, run: () => void): Measurement {
  const samples = new Float64Array(batches);
  const cpu0 = process.cpuUsage();
  for (let b = 0; b < batches; b += 1) {
    const t0 = process.hrtime.bigint();
    run();
    samples[b] = Number(process.hrtime.bigint() - t0) / BATCH;
  }
  const cpu = process.cpuUsage(cpu0);
  samples.sort();
  return { nsPerOp: ((cpu.user + cpu.system) * 1000) / (batches * BATCH), p50: samples[Math.floor(batches * 0.5)]!, p99: samples[Math.floor(batches * 0.99)]! };
}

let sink = 0;

function child(kind: Kind, shape: Shape, contender: string): Measurement {
  const keys = keySet(shape);
  const c = filled(MAKERS[contender]!, keys);
  if (kind === 'get-hit') {
    const zipf = zipfSequence(N, SEQ);
    const reads = Array.from(zipf, (i) => keys[i]!);
    let cursor = 0;
    const batch = (): void => {
      for (let i = 0; i < BATCH; i += 1) sink += c.get(reads[cursor++ & MASK]!) ?? 0;
    };
    timeBatches(1_000, batch); // warm-up: 1M reads
    return timeBatches(2_000, batch);
  }
  let cursor = N;
  const span = 4 * N;
  const batch = (): void => {
    for (let i = 0; i < BATCH; i += 1) {
      c.set(keys[cursor]!, cursor);
      cursor = cursor + 1 === span ? 0 : cursor + 1;
    }
  };
  timeBatches(400, batch); // warm-up: 400k sets, the cache's whole key cycle
  return timeBatches(1_000, batch);
}

/** Heap plus ArrayBuffer backing stores (typed arrays live outside the JS heap). */
function usedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function memoryChild(contender: string): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return NaN;
  // Exactly N keys: a larger array sliced here stays alive in this frame and skews the baseline.
  const keys = Array.from({ length: N }, (_, i) => `user:${i}:profile`);
  gc();
  gc();
  const before = usedBytes();
  const c = filled(MAKERS[contender]!, keys);
  gc();
  gc();
  const after = usedBytes();
  sink += c.get(keys[0]!) ?? 0;
  return (after - before) / N;
}

function spawnChild(args: string[]): unknown {
  const env = { ...process.env };
  // Only the parent reports to bench-report.mjs.
  delete env.PATINOX_BENCH_RESULTS;
  const argv = ['--expose-gc', fileURLToPath(import.meta.url), '--child', ...args];
  const r = CPU === undefined ? spawnSync(process.execPath, argv, { env, encoding: 'utf8' }) : spawnSync('taskset', ['-c', CPU, process.execPath, ...argv], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as unknown;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (ns: number): string => (ns >= 100 ? ns.toFixed(0) : ns.toFixed(1));
const uptime = (): string => loadavg().map((x) => x.toFixed(2)).join(', ');

function parent(): void {
  console.log(`Node ${process.version}, ${N} entries, Zipf(1.0) reads; one process per measurement, ${ROUNDS} rounds, contenders interleaved`);
  console.log(`load average at start: ${uptime()}${CPU === undefined ? '' : `; every child on CPU ${CPU} (taskset)`}\n`);
  const results = new Map<string, Measurement[]>();
  const allCases = KINDS.flatMap((k) => (Object.keys(SHAPES) as Shape[]).map((s): [Kind, Shape] => [k, s]));
  const caseNames = pick([...allCases.map(([k, s]) => `${k}|${s}`), 'memory'], process.env.PATINOX_BENCH_CASES);
  const cases = allCases.filter(([k, s]) => caseNames.includes(`${k}|${s}`));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [kind, shape] of cases) {
      // Rotate the order each round so no contender always runs first or last.
      const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length]!);
      for (const contender of order) {
        const m = spawnChild([kind, shape, contender]) as Measurement;
        const id = `${kind}|${shape}|${contender}`;
        results.set(id, [...(results.get(id) ?? []), m]);
      }
    }
  }
  const summary = new Map<string, { median: number; best: number }>();
  for (const [kind, shape] of cases) {
    console.log(`### ${kind}, keys \`${SHAPES[shape]}\` (CPU ns per operation)\n`);
    console.log('| case | median | best | median ÷ floor | best ÷ floor | wall p50 / p99 per op (median) |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    const floor = results.get(`${kind}|${shape}|${FLOOR}`)!;
    const floorMedian = median(floor.map((m) => m.nsPerOp));
    const floorBest = Math.min(...floor.map((m) => m.nsPerOp));
    for (const contender of CONTENDERS) {
      const ms = results.get(`${kind}|${shape}|${contender}`)!;
      const med = median(ms.map((m) => m.nsPerOp));
      const best = Math.min(...ms.map((m) => m.nsPerOp));
      summary.set(`${kind}|${shape}|${contender}`, { median: med, best });
      const name = contender.startsWith('patinox') ? `**${contender}**` : contender;
      console.log(
        `| ${name} | ${fmt(med)} | ${fmt(best)} | ${(med / floorMedian).toFixed(2)}× | ${(best / floorBest).toFixed(2)}× | ${fmt(median(ms.map((m) => m.p50)))} / ${fmt(median(ms.map((m) => m.p99)))} |`,
      );
    }
    console.log('');
  }
  const memory = new Map<string, number>();
  if (caseNames.includes('memory')) printMemory(memory);
  printTargets(summary, memory);
  console.log(`\nload average at end: ${uptime()}`);
}

function printMemory(memory: Map<string, number>): void {
  console.log(`### Memory per entry (heap + ArrayBuffer growth creating and filling ${N} entries, \`user:<n>:profile\` keys pre-built; median of ${MEMORY_ROUNDS} processes)\n`);
  console.log('| case | B/entry | − lru-cache |');
  console.log('| --- | ---: | ---: |');
  for (const contender of CONTENDERS) memory.set(contender, median(Array.from({ length: MEMORY_ROUNDS }, () => spawnChild(['memory', 'string', contender]) as number)));
  for (const contender of CONTENDERS) {
    const b = memory.get(contender)!;
    const base = memory.get('lru-cache');
    const d = base === undefined ? '–' : `${b >= base ? '+' : ''}${(b - base).toFixed(0)}`;
    console.log(`| ${contender.startsWith('patinox') ? `**${contender}**` : contender} | ${b.toFixed(0)} | ${d} |`);
  }
  console.log('');
}

/** The issue-24 lines whose measurements this run holds (a narrowed run prints fewer). */
function printTargets(summary: Map<string, { median: number; best: number }>, memory: Map<string, number>): void {
  const ratio = (a: string, b: string): number | undefined => {
    const x = summary.get(a);
    const y = summary.get(b);
    return x === undefined || y === undefined ? undefined : x.median / y.median;
  };
  const shapes = Object.keys(SHAPES) as Shape[];
  const lines: string[] = [];
  for (const shape of shapes) {
    const r = ratio(`get-hit|${shape}|${DEFAULT}`, `get-hit|${shape}|${FLOOR}`);
    if (r !== undefined) lines.push(`- default get-hit, keys \`${SHAPES[shape]}\`: ${r.toFixed(2)}× the floor (target ≤ 1.30×): ${r <= 1.3 ? 'met' : 'NOT met'}`);
  }
  for (const shape of shapes) {
    const r = ratio(`get-hit|${shape}|${REFBIT_FLOOR}`, `get-hit|${shape}|${FLOOR}`);
    const verdict = r !== undefined && r > 1.3 ? 'above 1.30×: no policy that records a hit can meet the get-hit target here' : 'within 1.30×';
    if (r !== undefined) lines.push(`- least hit recording (one byte per hit), get-hit, keys \`${SHAPES[shape]}\`: ${r.toFixed(2)}× the floor (${verdict})`);
  }
  for (const shape of shapes) {
    const r = ratio(`set-evict|${shape}|${DEFAULT}`, `set-evict|${shape}|${FLOOR}`);
    if (r !== undefined) lines.push(`- default set-evict, keys \`${SHAPES[shape]}\`: ${r.toFixed(2)}× the floor (target ≤ 1.30×): ${r <= 1.3 ? 'met' : 'NOT met'}`);
  }
  for (const shape of shapes) {
    const r = ratio(`set-evict|${shape}|${ADMISSION_FLOOR}`, `set-evict|${shape}|${FLOOR}`);
    const verdict = r !== undefined && r > 1.3 ? 'above 1.30×: no TinyLFU-admitted policy can meet the set-evict target here' : 'within 1.30×';
    if (r !== undefined) lines.push(`- least TinyLFU admission, set-evict, keys \`${SHAPES[shape]}\`: ${r.toFixed(2)}× the floor (${verdict})`);
  }
  if (memory.has(DEFAULT) && memory.has('lru-cache')) {
    const extra = memory.get(DEFAULT)! - memory.get('lru-cache')!;
    lines.push(`- default memory: ${extra.toFixed(0)} B/entry over lru-cache (target ≤ +16): ${extra <= 16 ? 'met' : 'NOT met'}; the floor itself: ${(memory.get(FLOOR)! - memory.get('lru-cache')!).toFixed(0)} B over`);
  }
  for (const kind of KINDS) {
    for (const shape of shapes) {
      const r = ratio(`${kind}|${shape}|patinox lru`, `${kind}|${shape}|mnemonist LRUCache`);
      if (r !== undefined) lines.push(`- 'lru' ${kind}, keys \`${SHAPES[shape]}\`: ${r.toFixed(2)}× mnemonist's time (same structure: a tie is ≈ 1)`);
    }
  }
  if (lines.length > 0) console.log(`### Targets (issue 24), read on the medians of this run\n\n${lines.join('\n')}`);
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  const [, kind, shape, contender] = argv as [string, Kind | 'memory', Shape, string];
  const out = kind === 'memory' ? memoryChild(contender) : child(kind, shape, contender);
  console.log(JSON.stringify(out));
  if (sink === -1) console.log('');
} else parent();
