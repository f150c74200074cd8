import Benchmark from 'benchmark';
import { LRUCache } from 'lru-cache';
import { LRUCache as MnemonistLRU } from 'mnemonist';
import QuickLRU from 'quick-lru';
import { LRU as TinyLRU } from 'tiny-lru';
import { Cache } from '@patinox/cache';

// get-hit and set-with-eviction of @patinox/cache ('tinylfu' default and 'lru') against lru-cache,
// mnemonist, tiny-lru and quick-lru, in one process and one run: 100k entries, string keys.
// - get-hit: every cache is filled with the same 100k keys; reads follow a Zipf(1.0) sequence over them.
// - get-hit numeric keys: the same with keys '0' … '99999' (see numericKeys).
// - set-with-eviction: full caches; every set stores a key set 300k sets earlier (a cycle over
//   4 × 100k keys), so every LRU's set evicts; W-TinyLFU keeps some of those keys (frequent enough to
//   stay), so 8–25 % of its sets replace a value instead.
// - every case runs the same loop source, compiled separately per case (see compileCase).
// - memory: heap growth per entry when filling 100k entries (keys pre-built, values small ints).
// Machine is noisy (2 shared cores): compare ratios within one run, not across runs.

const N = 100_000;
const SEQ = 1 << 20;
const MASK = SEQ - 1;
const keys: string[] = Array.from({ length: 4 * N }, (_, i) => `user:${i}:profile`);

function zipfSequence(n: number, length: number, s = 1.0): Int32Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i += 1) cdf[i] = sum += 1 / (i + 1) ** s;
  for (let i = 0; i < n; i += 1) cdf[i]! /= sum;
  const out = new Int32Array(length);
  let seed = 42;
  for (let i = 0; i < length; i += 1) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const u = seed / 2 ** 32;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    // Spread ranks over the key space so hot keys are not also the first inserted.
    out[i] = (lo * 48271) % n;
  }
  return out;
}

const zipf = zipfSequence(N, SEQ);
const zipfKeys: string[] = Array.from(zipf, (i) => keys[i]!);
// The same reads over integer-like string keys ('0' … '99999'): V8 stores those in a plain object's
// elements, not in its hashed properties, so dictionary-object caches (mnemonist, tiny-lru, patinox) look
// them up without hashing, while Map-based ones (lru-cache, quick-lru) hash as before.
const numericKeys: string[] = Array.from({ length: 4 * N }, (_, i) => String(i));
const numericZipfKeys: string[] = Array.from(zipf, (i) => numericKeys[i]!);

interface Subject {
  get(k: string): number | undefined;
  set(k: string, v: number): unknown;
}

/**
 * Not a peer: the least any dictionary-indexed cache can do. A dictionary-mode object from key to slot
 * and a values array, FIFO replacement, no counters, no recency, no TTL. Its get-hit is one key lookup
 * and one array read; its set-evict is a lookup, a delete and an insert. It shows, in the same run,
 * the floor under every subject above it (mnemonist and both patinox policies use this structure).
 */
class DictionaryFloor {
  readonly #dict: Record<string, number> = Object.create(null) as Record<string, number>;
  readonly #keys: string[];
  readonly #values: number[];
  readonly #max: number;
  #count = 0;
  #next = 0;

  constructor(max: number) {
    this.#max = max;
    this.#keys = new Array<string>(max).fill('');
    this.#values = new Array<number>(max).fill(0);
  }

  get(key: string): number | undefined {
    const slot = this.#dict[key];
    return slot === undefined ? undefined : this.#values[slot];
  }

  set(key: string, value: number): void {
    let slot = this.#dict[key];
    if (slot === undefined) {
      if (this.#count < this.#max) slot = this.#count++;
      else {
        slot = this.#next;
        this.#next = slot + 1 === this.#max ? 0 : slot + 1;
        delete this.#dict[this.#keys[slot]!];
      }
      this.#dict[key] = slot;
      this.#keys[slot] = key;
    }
    this.#values[slot] = value;
  }
}

const FLOOR = 'floor: bare dictionary, no policy';

const makers: [string, () => Subject][] = [
  ['patinox tinylfu (default)', () => new Cache<string, number>({ maxEntries: N, cleanupIntervalMs: 0 })],
  ['patinox lru', () => new Cache<string, number>({ maxEntries: N, evictionPolicy: 'lru', cleanupIntervalMs: 0 })],
  ['lru-cache', () => new LRUCache<string, number>({ max: N })],
  ['mnemonist LRUCache', () => new MnemonistLRU<string, number>(N)],
  ['tiny-lru', () => new TinyLRU<number>(N)],
  ['quick-lru', () => new QuickLRU<string, number>({ maxSize: N })],
  [FLOOR, () => new DictionaryFloor(N)],
];

function filled(make: () => Subject, keySet: string[] = keys): Subject {
  const c = make();
  for (let i = 0; i < N; i += 1) c.set(keySet[i]!, i);
  return c;
}

/** Heap plus ArrayBuffer backing stores (typed arrays live outside the JS heap). */
function usedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function memoryPerEntry(make: () => Subject): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return NaN;
  gc();
  gc();
  const before = usedBytes();
  const c = filled(make);
  gc();
  gc();
  const after = usedBytes();
  if (c.get(keys[0]!) === -1) console.log('');
  return (after - before) / N;
}

const options = { minSamples: 10, maxTime: 0.25 };
const results = new Map<string, number>();

const rme = new Map<string, number>();

function record(event: Benchmark.Event): void {
  const b = event.target as unknown as Benchmark & { name: string };
  if (b.hz > (results.get(b.name) ?? 0)) {
    results.set(b.name, b.hz);
    rme.set(b.name, b.stats.rme);
  }
}

function report(name: string): void {
  const hz = results.get(name)!;
  console.log(`${name.padEnd(44)} ${(1e9 / hz).toFixed(1).padStart(7)} ns/op ${Math.round(hz).toLocaleString('en-US').padStart(13)} ops/s ±${rme.get(name)!.toFixed(1)}% (best of ${ROUNDS})`);
}

function ratios(kind: string): void {
  const ns = (name: string): number => 1e9 / results.get(`${kind}: ${name}`)!;
  for (const ours of ['patinox tinylfu (default)', 'patinox lru']) {
    const line = makers
      .filter(([n]) => !n.startsWith('patinox') && n !== FLOOR)
      .map(([peer]) => `${(ns(peer) / ns(ours)).toFixed(2)}x ${peer}`)
      .join(', ');
    console.log(`  ${ours} speed vs: ${line}`);
  }
  console.log(`  ${FLOOR}: ${(ns('lru-cache') / ns(FLOOR)).toFixed(2)}x lru-cache, ${(ns('mnemonist LRUCache') / ns(FLOOR)).toFixed(2)}x mnemonist LRUCache`);
}

const BATCH_BODY = `let cursor = 0;
return () => {
  for (let i = 0; i < 1000; i += 1) box.sink += c.get(zipfKeys[cursor++ & MASK]) ?? 0;
};`;

function latency(name: string, subject: Subject): void {
  // Per-op latency is below timer resolution; report p50/p99 of the mean op time in batches of 1000.
  const samples: number[] = [];
  const batch = compileCase(BATCH_BODY, subject);
  for (let b = 0; b < 1_000; b += 1) {
    const t0 = process.hrtime.bigint();
    batch();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  console.log(`  ${name.padEnd(28)} get-hit p50 ${samples[500]!.toFixed(1)} ns  p99 ${samples[990]!.toFixed(1)} ns (per op, batches of 1000)`);
}

console.log(`Node ${process.version}, ${N} entries, string keys ('user:<n>:profile'; numeric: '<n>'), Zipf(1.0) reads\n`);

// The machine is shared and noisy: each suite runs ROUNDS times, interleaving the cases, and the
// best round of each case is reported (the least disturbed measurement of the same code).
const ROUNDS = 10;
type CaseFactory = [string, () => () => void];
const box = { sink: 0 };

/**
 * Compiles `body` into a separate function per case. Closures made from one function literal share
 * V8's type feedback, so with a single literal every subject's `c.get`/`c.set` would go through one
 * megamorphic call site: a cost of the harness, the same for every subject, that is not part of any
 * library's. Each case gets the same source text, compiled on its own, so each call site sees one
 * class. Every subject is treated alike.
 */
function compileCase(body: string, c: Subject, keySet: string[] = keys, reads: string[] = zipfKeys): () => void {
  const factory = new Function('c', 'keys', 'zipfKeys', 'MASK', 'N', 'box', body) as (
    c: Subject,
    keys: string[],
    zipfKeys: string[],
    mask: number,
    n: number,
    box: { sink: number },
  ) => () => void;
  return factory(c, keySet, reads, MASK, N, box);
}

const GET_BODY = `let cursor = 0;
return () => {
  box.sink += c.get(zipfKeys[cursor++ & MASK]);
};`;
const SET_BODY = `let cursor = N;
const span = 4 * N;
return () => {
  c.set(keys[cursor], cursor);
  cursor = cursor + 1 === span ? 0 : cursor + 1;
};`;
const getCases: CaseFactory[] = makers.map(([name, make]) => [`get-hit: ${name}`, () => compileCase(GET_BODY, filled(make))]);
const numericGetCases: CaseFactory[] = makers.map(([name, make]) => [
  `get-hit numeric keys: ${name}`,
  () => compileCase(GET_BODY, filled(make, numericKeys), numericKeys, numericZipfKeys),
]);
const setCases: CaseFactory[] = makers.map(([name, make]) => [`set-evict: ${name}`, () => compileCase(SET_BODY, filled(make))]);

function runRounds(kind: string, cases: CaseFactory[]): void {
  for (let round = 0; round < ROUNDS; round += 1) {
    // Fresh caches each round, so only one suite's caches are alive at a time.
    // Cases rotate each round, and a full GC runs before measuring, so no case always pays for the
    // garbage of building the others or always runs first.
    const suite = new Benchmark.Suite(kind);
    const order = cases.map((_, i) => cases[(i + round) % cases.length]!);
    for (const [name, build] of order) suite.add(name, build(), options);
    (globalThis as { gc?: () => void }).gc?.();
    suite.on('cycle', record).run();
  }
  for (const [name] of cases) report(name);
  ratios(kind);
  console.log('');
}

runRounds('get-hit', getCases);
runRounds('get-hit numeric keys', numericGetCases);
runRounds('set-evict', setCases);

console.log('\nLatency');
for (const [name, make] of makers) latency(name, filled(make));

console.log('\nMemory per entry (heap + ArrayBuffer growth creating and filling 100k entries; keys pre-built)');
const lruCacheBytes = memoryPerEntry(makers[2]![1]);
for (const [name, make] of makers) {
  const bytes = name === 'lru-cache' ? lruCacheBytes : memoryPerEntry(make);
  console.log(`  ${name.padEnd(28)} ${bytes.toFixed(0).padStart(5)} B/entry  (${(bytes / lruCacheBytes).toFixed(2)}x lru-cache)`);
}
console.log(`\n(sink ${box.sink > 0 ? 'ok' : '0'})`);
