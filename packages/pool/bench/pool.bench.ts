import Benchmark from 'benchmark';
import * as genericPool from 'generic-pool';
import { Pool as TarnPool } from 'tarn';
import { Histogram } from '@patinox/monitor';
import { Pool } from '@patinox/pool';

// @patinox/pool against generic-pool and tarn, in one process and one run, every pool with an acquire
// timeout armed (30 s, never reached). Resources are plain objects, so only pool overhead is measured.
//   1. sequential acquire+release per second on a warm pool (benchmark.js), and what opt-in acquire
//      stacks (captureAcquireStacks, for leak reports) cost;
//   2. 1000 concurrent loops on 10 connections: throughput, and acquire wait p50/p95/p99, with loans
//      released at once and held across one setImmediate (a realistic hold: the event loop turns);
//   3. bytes of heap and ArrayBuffers per idle connection at 10 000 and 20 000 idle.

interface Adapter {
  name: string;
  acquire(): Promise<unknown>;
  release(resource: unknown): void;
  close(): Promise<void>;
}

const TIMEOUT_MS = 30_000;
const ROUNDS = 9;
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);

function patinox(size: number, resources?: object[], captureAcquireStacks = false): Adapter {
  let next = 0;
  const pool = new Pool<object>(
    {
      create: () => Promise.resolve(resources === undefined ? { id: next++ } : resources[next++]!),
      isValid: () => true,
      destroy: () => undefined,
    },
    { maxSize: size, acquireTimeoutMs: TIMEOUT_MS, captureAcquireStacks },
  );
  return {
    name: captureAcquireStacks ? '@patinox/pool (acquire stacks)' : '@patinox/pool',
    acquire: () => pool.acquire(),
    release: (loan) => (loan as { release(): void }).release(),
    close: async () => {
      await pool.close();
    },
  };
}

function generic(size: number, resources?: object[], timeout = true): Adapter {
  let next = 0;
  const pool = genericPool.createPool<object>(
    {
      create: () => Promise.resolve(resources === undefined ? { id: next++ } : resources[next++]!),
      destroy: () => Promise.resolve(),
    },
    { max: size, min: 0, ...(timeout ? { acquireTimeoutMillis: TIMEOUT_MS } : {}) },
  );
  return {
    name: timeout ? 'generic-pool' : 'generic-pool (no timeout)',
    acquire: () => pool.acquire(),
    release: (resource) => {
      void pool.release(resource as object);
    },
    close: async () => {
      await pool.drain();
      await pool.clear();
    },
  };
}

function tarn(size: number, resources?: object[]): Adapter {
  let next = 0;
  const pool = new TarnPool<object>({
    create: () => Promise.resolve(resources === undefined ? { id: next++ } : resources[next++]!),
    destroy: () => undefined,
    min: 0,
    max: size,
    acquireTimeoutMillis: TIMEOUT_MS,
  });
  return {
    name: 'tarn',
    acquire: () => pool.acquire().promise,
    release: (resource) => {
      pool.release(resource as object);
    },
    close: async () => {
      await pool.destroy();
    },
  };
}

// Baseline: the least any pool can cost, a free array and a FIFO array of resolvers, with no timeout,
// validation or bookkeeping. Its latency tails show what the machine itself adds.
function baseline(size: number): Adapter {
  const free: object[] = Array.from({ length: size }, (_, id) => ({ id }));
  let queue: ((resource: object) => void)[] = [];
  let head = 0;
  return {
    name: 'baseline (bare FIFO)',
    acquire: () => (free.length > 0 ? Promise.resolve(free.pop()!) : new Promise<object>((resolve) => queue.push(resolve))),
    release: (resource) => {
      if (head < queue.length) {
        queue[head++]!(resource as object);
        if (head >= 1024) {
          queue = queue.slice(head);
          head = 0;
        }
      } else {
        free.push(resource as object);
      }
    },
    close: () => Promise.resolve(),
  };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

// ------------------------------------------------------------ 1. sequential
async function sequential(): Promise<Map<string, number>> {
  const BATCH = 1000;
  // The acquire-stacks variant comes last: the report compares each peer with the nearest of our rows above it.
  const adapters = [baseline(10), patinox(10), generic(10), generic(10, undefined, false), tarn(10), patinox(10, undefined, true)];
  for (const a of adapters) a.release(await a.acquire());
  const results = new Map<string, number>();
  await new Promise<void>((done) => {
    const suite = new Benchmark.Suite('sequential');
    // opsPerCycle: read by tools/scripts/bench-hook.mjs, so BENCHMARKS.md reports one acquire+release.
    const options = { defer: true, minSamples: 15, maxTime: 2, opsPerCycle: BATCH };
    for (const a of adapters) {
      suite.add(
        a.name,
        (deferred: { resolve(): void }) => {
          void (async () => {
            for (let i = 0; i < BATCH; i += 1) a.release(await a.acquire());
            deferred.resolve();
          })();
        },
        options,
      );
    }
    suite
      .on('cycle', (event: Benchmark.Event) => {
        const b = event.target as unknown as Benchmark & { name: string };
        results.set(b.name, b.hz * BATCH);
        console.log(`  ${b.name.padEnd(28)} ${fmt(b.hz * BATCH).padStart(12)} acquire+release/s  ±${b.stats.rme.toFixed(1)}%`);
      })
      .on('complete', () => done())
      .run({ async: true });
  });
  for (const a of adapters) await a.close();
  return results;
}

// ------------------------------------------------------------ 2. contended
interface Contended {
  opsPerSec: number;
  wait: Histogram;
}

const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

async function contended(make: () => Adapter, loops: number, perLoop: number, measureWait: boolean, hold = false): Promise<Contended> {
  const a = make();
  const wait = new Histogram();
  // Warm: open every connection before timing.
  const warm = await Promise.all(Array.from({ length: 10 }, () => a.acquire()));
  for (const r of warm) a.release(r);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: loops }, async () => {
      for (let i = 0; i < perLoop; i += 1) {
        if (measureWait) {
          const t0 = performance.now();
          const r = await a.acquire();
          wait.record(performance.now() - t0);
          if (hold) await turn();
          a.release(r);
        } else if (hold) {
          const r = await a.acquire();
          await turn();
          a.release(r);
        } else {
          a.release(await a.acquire());
        }
      }
    }),
  );
  const elapsed = performance.now() - start;
  await a.close();
  return { opsPerSec: (loops * perLoop) / (elapsed / 1000), wait };
}

// ------------------------------------------------------------ 3. memory
// Typed-array backing stores live outside the V8 heap, so they are counted through `arrayBuffers`.
function usedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

// Freed ArrayBuffer backing stores are released by a background task after a GC, late on a busy machine:
// collect until their count holds still, so one sample does not absorb the previous pool's release.
async function settle(): Promise<void> {
  let last = -1;
  for (let i = 0; i < 50; i += 1) {
    gc();
    gc();
    await new Promise((r) => setTimeout(r, 5));
    const arrayBuffers = process.memoryUsage().arrayBuffers;
    if (arrayBuffers === last) return;
    last = arrayBuffers;
  }
}

async function bytesPerIdle(make: (size: number, resources: object[]) => Adapter, n: number): Promise<number> {
  const resources = Array.from({ length: n }, (_, id) => ({ id }));
  await settle();
  const before = usedBytes();
  const a = make(n, resources);
  const loans = await Promise.all(Array.from({ length: n }, () => a.acquire()));
  for (const loan of loans) a.release(loan);
  loans.length = 0;
  await settle();
  const after = usedBytes();
  const perConnection = (after - before) / n;
  await a.close();
  return perConnection;
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${process.platform}/${process.arch}; every pool with acquireTimeout ${TIMEOUT_MS} ms armed`);
  console.log('\n1. sequential acquire+release on a warm pool of 10');
  const seq = await sequential();
  const ours = seq.get('@patinox/pool')!;
  console.log(`  vs generic-pool: ${(ours / seq.get('generic-pool')!).toFixed(2)}x   vs tarn: ${(ours / seq.get('tarn')!).toFixed(2)}x   (target ≥ 2x generic-pool)`);

  const makers: [string, () => Adapter][] = [
    ['baseline (bare FIFO)', () => baseline(10)],
    ['@patinox/pool', () => patinox(10)],
    ['generic-pool', () => generic(10)],
    ['tarn', () => tarn(10)],
  ];
  for (const hold of [false, true]) {
    console.log(
      hold
        ? `\n2b. the same, each loan held across one setImmediate before release (median of ${ROUNDS} interleaved rounds)`
        : `\n2. 1000 concurrent loops on 10 connections (median of ${ROUNDS} interleaved rounds; waits timed in separate rounds)`,
    );
    // Fewer operations per loop for the slow peers, so each round takes about as long.
    const perLoop = (name: string): number => (name === 'tarn' ? 40 : hold ? 50 : 200);
    const throughput = new Map<string, number[]>();
    const waits = new Map<string, { p50: number[]; p95: number[]; p99: number[] }>();
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [name, make] of makers) {
        const r = await contended(make, 1000, perLoop(name), false, hold);
        throughput.set(name, [...(throughput.get(name) ?? []), r.opsPerSec]);
        const timed = await contended(make, 1000, perLoop(name), true, hold);
        const w = waits.get(name) ?? { p50: [], p95: [], p99: [] };
        w.p50.push(timed.wait.percentile(0.5));
        w.p95.push(timed.wait.percentile(0.95));
        w.p99.push(timed.wait.percentile(0.99));
        waits.set(name, w);
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const tput = (n: string): number => median(throughput.get(n)!);
    const p = (n: string, q: 'p50' | 'p95' | 'p99'): number => median(waits.get(n)![q]);
    for (const [name] of makers) {
      console.log(
        `  ${name.padEnd(20)} ${fmt(tput(name)).padStart(10)} ops/s   wait p50 ${p(name, 'p50').toFixed(3)} ms  p95 ${p(name, 'p95').toFixed(3)} ms  p99 ${p(name, 'p99').toFixed(3)} ms   (p99 per round: ${waits.get(name)!.p99.map((x) => x.toFixed(1)).join(', ')})`,
      );
    }
    const ours = '@patinox/pool';
    console.log(
      `  throughput vs generic-pool: ${(tput(ours) / tput('generic-pool')).toFixed(2)}x (target ≥ ${hold ? '2.5' : '1.5'}x), vs tarn: ${(tput(ours) / tput('tarn')).toFixed(2)}x`,
    );
    console.log(
      `  p99 wait / generic-pool's: ${(p(ours, 'p99') / p('generic-pool', 'p99')).toFixed(2)} (target ≤ 0.5); / tarn's: ${(p(ours, 'p99') / p('tarn', 'p99')).toFixed(2)}${hold ? ' (target < 1)' : ''}; p95 wait ${p(ours, 'p95').toFixed(3)} ms`,
    );
  }

  for (const idle of [10_000, 20_000]) {
    console.log(`\n3. bytes (JS heap + ArrayBuffers) per idle connection (${fmt(idle)} idle connections, resources excluded; median of 5)`);
    for (const [name, make] of [
      ['@patinox/pool', patinox],
      ['generic-pool', (n: number, r: object[]) => generic(n, r)],
      ['tarn', tarn],
    ] as const) {
      const samples: number[] = [];
      await bytesPerIdle(make, 1000); // warm-up: compiled code must not count
      for (let i = 0; i < 5; i += 1) samples.push(await bytesPerIdle(make, idle));
      samples.sort((x, y) => x - y);
      console.log(`  ${name.padEnd(16)} ${samples[2]!.toFixed(0).padStart(5)} bytes   (samples ${samples.map((x) => x.toFixed(0)).join(', ')}; target ≤ 64)`);
    }
  }
}

void main();
