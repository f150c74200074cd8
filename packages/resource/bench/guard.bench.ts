// guard + cleanup round trip through a registry, against a bare try/finally and a DisposableStack-style
// scope (Node 20 has no AsyncDisposableStack global, so a minimal one is written out here).
// Each benchmark op runs BATCH round trips, so the reported figure is the amortized cost of one.
import Benchmark from 'benchmark';
import { ResourceRegistry, ResourceScope, guard } from '@patinox/resource';

const BATCH = 1000;

interface Res {
  v: number;
  open: boolean;
}

let sink = 0;
const make = (i: number): Res => ({ v: i, open: true });
const release = (r: Res): void => {
  r.open = false;
};
const releaseAsync = (r: Res): Promise<void> => {
  r.open = false;
  return Promise.resolve();
};

/** The shape of AsyncDisposableStack, reduced to what the comparison needs. */
class MiniAsyncStack {
  #stack: (() => unknown)[] = [];
  adopt<T>(value: T, onDispose: (value: T) => unknown): T {
    this.#stack.push(() => onDispose(value));
    return value;
  }
  async disposeAsync(): Promise<void> {
    const stack = this.#stack;
    this.#stack = [];
    const errors: unknown[] = [];
    for (let i = stack.length - 1; i >= 0; i -= 1) {
      try {
        await stack[i]!();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors);
  }
}

const registry = new ResourceRegistry({ name: 'bench' });
const noLeaks = new ResourceRegistry({ name: 'bench-no-leaks', trackLeaks: false });

type Case = [name: string, fn: () => Promise<void>];

const cases: Case[] = [
  [
    'try/finally (sync release)',
    async () => {
      for (let i = 0; i < BATCH; i += 1) {
        const r = make(i);
        try {
          sink += r.v;
        } finally {
          release(r);
        }
      }
    },
  ],
  [
    'try/finally + await (async release)',
    async () => {
      for (let i = 0; i < BATCH; i += 1) {
        const r = make(i);
        try {
          sink += r.v;
        } finally {
          await releaseAsync(r);
        }
      }
    },
  ],
  [
    'DisposableStack-style scope, 1 member (sync release)',
    async () => {
      for (let i = 0; i < BATCH; i += 1) {
        const stack = new MiniAsyncStack();
        const r = stack.adopt(make(i), release);
        sink += r.v;
        await stack.disposeAsync();
      }
    },
  ],
  [
    'guard + await cleanup (sync release)',
    async () => {
      for (let i = 0; i < BATCH; i += 1) {
        const g = guard(make(i), release, { registry });
        sink += g.get().v;
        await g.cleanup();
      }
    },
  ],
  [
    'guard + await cleanup (sync release, trackLeaks: false)',
    async () => {
      for (let i = 0; i < BATCH; i += 1) {
        const g = guard(make(i), release, { registry: noLeaks });
        sink += g.get().v;
        await g.cleanup();
      }
    },
  ],
  [
    'guard + await cleanup (async release, with timeout)',
    async () => {
      for (let i = 0; i < BATCH; i += 1) {
        const g = guard(make(i), releaseAsync, { registry });
        sink += g.get().v;
        await g.cleanup();
      }
    },
  ],
  [
    'baseline: batch held across a macrotask, then released',
    async () => {
      const held: Res[] = [];
      for (let i = 0; i < BATCH; i += 1) held.push(make(i));
      await new Promise((resolve) => setImmediate(resolve));
      for (const r of held) release(r);
    },
  ],
  [
    'guards held across a macrotask (WeakRef paid)',
    async () => {
      const held = [];
      for (let i = 0; i < BATCH; i += 1) held.push(guard(make(i), release, { registry }));
      await new Promise((resolve) => setImmediate(resolve));
      for (const g of held) await g.cleanup();
    },
  ],
  [
    'registry.guard + await using (sync release)',
    async () => {
      for (let i = 0; i < BATCH; i += 1) {
        await using g = registry.guard(make(i), release);
        sink += g.get().v;
      }
    },
  ],
  [
    'ResourceScope, 1 member (sync release)',
    async () => {
      for (let i = 0; i < BATCH; i += 1) {
        const scope = new ResourceScope({ registry });
        sink += scope.guard(make(i), release).get().v;
        await scope.cleanup();
      }
    },
  ],
];

// The machine is shared and noisy: every case runs in ROUNDS rounds (alternating the case order, so no
// case always runs first or last), and the table reports each case's best round. Peers and ours are
// treated alike.
const ROUNDS = 3;

interface Result {
  ns: number;
  p50: number;
  p99: number;
  rme: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function runRound(round: number): Promise<Map<string, Result>> {
  const ordered = round % 2 === 0 ? cases : [...cases].reverse();
  // One suite name for every round: the report (tools/scripts/bench-report.mjs) keeps each case's best round.
  const suite = new Benchmark.Suite('guard round trip');
  for (const [name, fn] of ordered) {
    suite.add(name, {
      defer: true,
      opsPerCycle: BATCH,
      ours: /guard|ResourceScope/.test(name),
      minSamples: 20,
      maxTime: 1.5,
      fn: (deferred: Benchmark.Deferred) => {
        fn().then(
          () => deferred.resolve(),
          (error: unknown) => {
            console.error(error);
            process.exit(1);
          },
        );
      },
    } as Benchmark.Options);
  }
  return new Promise((resolve) => {
    suite
      .on('complete', function (this: Benchmark.Suite) {
        const results = new Map<string, Result>();
        for (const b of this.map((x: Benchmark) => x) as Benchmark[]) {
          const samples = b.stats.sample.map((x) => (x * 1e9) / BATCH).sort((x, y) => x - y);
          results.set(b.name!, { ns: 1e9 / (b.hz * BATCH), p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), rme: b.stats.rme });
        }
        resolve(results);
      })
      .run({ async: true });
  });
}

async function main(): Promise<void> {
  const rounds: Map<string, Result>[] = [];
  for (let round = 0; round < ROUNDS; round += 1) rounds.push(await runRound(round));
  const best = new Map<string, Result>();
  for (const [name] of cases) {
    const all = rounds.map((r) => r.get(name)!);
    best.set(name, all.reduce((a, b) => (b.ns < a.ns ? b : a)));
  }
  const base = best.get(cases[0]![0])!.ns;
  const stack = best.get(cases[2]![0])!.ns;
  console.log(
    `${`case (best of ${ROUNDS} rounds)`.padEnd(58)} ${'ns/round trip'.padStart(14)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'±%'.padStart(6)} ${'vs try/finally'.padStart(15)} ${'vs stack'.padStart(9)}  all rounds (ns)`,
  );
  for (const [name] of cases) {
    const r = best.get(name)!;
    const all = rounds.map((x) => x.get(name)!.ns.toFixed(0)).join(' / ');
    console.log(
      `${name.padEnd(58)} ${r.ns.toFixed(1).padStart(14)} ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)} ${r.rme.toFixed(1).padStart(6)} ${(r.ns / base).toFixed(2).padStart(14)}x ${(r.ns / stack).toFixed(2).padStart(8)}x  ${all}`,
    );
  }
  console.log(`(amortized over batches of ${BATCH}; p50/p99 over per-batch samples of the best round; sink ${sink > 0 ? 'ok' : 'empty'})`);
  console.log(`registry after run: ${JSON.stringify({ active: registry.stats().active, cleaned: registry.stats().cleaned, leaked: registry.stats().leaked })}`);
}

void main();
