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

const suite = new Benchmark.Suite('guard round trip');
for (const [name, fn] of cases) {
  suite.add(name, {
    defer: true,
    minSamples: 20,
    maxTime: 3,
    fn: (deferred: Benchmark.Deferred) => {
      fn().then(
        () => deferred.resolve(),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    },
  });
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

suite
  .on('complete', function (this: Benchmark.Suite) {
    const benches = this.map((b: Benchmark) => b) as Benchmark[];
    const perOpNs = (b: Benchmark): number => 1e9 / (b.hz * BATCH);
    const base = perOpNs(benches[0]!);
    const stack = perOpNs(benches[2]!);
    console.log(`${'case'.padEnd(58)} ${'ns/round trip'.padStart(14)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'±%'.padStart(6)} ${'vs try/finally'.padStart(15)} ${'vs stack'.padStart(9)}`);
    for (const b of benches) {
      const samples = b.stats.sample.map((s) => (s * 1e9) / BATCH).sort((x, y) => x - y);
      const ns = perOpNs(b);
      console.log(
        `${b.name!.padEnd(58)} ${ns.toFixed(1).padStart(14)} ${quantile(samples, 0.5).toFixed(1).padStart(8)} ${quantile(samples, 0.99).toFixed(1).padStart(8)} ${b.stats.rme.toFixed(1).padStart(6)} ${(ns / base).toFixed(2).padStart(14)}x ${(ns / stack).toFixed(2).padStart(8)}x`,
      );
    }
    console.log(`(amortized over batches of ${BATCH}; p50/p99 over per-batch samples; sink ${sink > 0 ? 'ok' : 'empty'})`);
    console.log(`registry after run: ${JSON.stringify({ active: registry.stats().active, cleaned: registry.stats().cleaned, leaked: registry.stats().leaked })}`);
  })
  .run({ async: true });
