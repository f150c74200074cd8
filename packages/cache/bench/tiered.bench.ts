import Benchmark from 'benchmark';
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import KeyvRedis from '@keyv/redis';
import { Histogram } from '@patinox/monitor';
import { TieredCache } from '@patinox/cache';
import { RedisBackend, RedisBus } from '@patinox/cache/redis';

// Distributed tier against bentocache (L1 + L2 Redis + bus) and cache-manager + keyv (@keyv/redis),
// all on the same Redis in the same run:
//   1. L1-hit get throughput (both with a Redis L2 and bus behind the L1);
//   2. L2 get and set throughput with 100 concurrent callers (no L1: every call reaches Redis);
//   3. invalidation propagation between two processes (writer here, receiver in a child), p50/p99.
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const { hostname, port } = new URL(url);
const connection = { host: hostname, port: Number(port || 6379) };
const run = randomUUID().slice(0, 8);
const KEYS = 1000;
const keys = Array.from({ length: KEYS }, (_, i) => `user:${i}`);
const value = { id: 1, name: 'Ada Lovelace', email: 'ada@example.com', roles: ['admin', 'author'], active: true, score: 42.5 };
const CONCURRENCY = 100;
const PER_CALLER = 10;

type Row = { name: string; hz: number; rme: number };
const options = { defer: true, minSamples: 20, maxTime: 3 } as const;

function suite(name: string, cases: [string, () => Promise<void>, number][]): Promise<Map<string, Row>> {
  return new Promise((resolve) => {
    const rows = new Map<string, Row>();
    const s = new Benchmark.Suite(name);
    for (const [caseName, fn, opsPerCycle] of cases) {
      s.add(
        caseName,
        (deferred: { resolve(): void }) => {
          fn().then(
            () => deferred.resolve(),
            (err: unknown) => {
              console.error(err);
              process.exit(1);
            },
          );
        },
        { ...options, onComplete: undefined, opsPerCycle } as never,
      );
    }
    s.on('cycle', (event: Benchmark.Event) => {
      const b = event.target as unknown as Benchmark & { name: string; options: { opsPerCycle: number } };
      const ops = b.hz * (cases.find((c) => c[0] === b.name)![2]);
      rows.set(b.name, { name: b.name, hz: ops, rme: b.stats.rme });
      console.log(`${b.name.padEnd(52)} ${Math.round(ops).toLocaleString('en-US').padStart(12)} ops/s  ${(1e6 / ops).toFixed(2).padStart(8)} µs/op  ±${b.stats.rme.toFixed(1)}%`);
    });
    s.on('complete', () => resolve(rows));
    s.run({ async: true });
  });
}

async function main(): Promise<void> {
  // ---- subjects
  const tieredL2 = new RedisBackend({ url });
  const tieredBus = new RedisBus({ client: tieredL2.client });
  await tieredBus.ready;
  const tiered = new TieredCache<typeof value>({ l2: tieredL2, bus: tieredBus, namespace: `bench-${run}`, l1: { maxEntries: 10_000 } });

  const plainL2 = new RedisBackend({ url });
  const tieredNoL1 = new TieredCache<typeof value>({ l2: plainL2, namespace: `bench-${run}-l2`, l1: false });
  const busL2 = new RedisBackend({ url });
  const busOnly = new RedisBus({ client: busL2.client });
  await busOnly.ready;
  const tieredNoL1Bus = new TieredCache<typeof value>({ l2: busL2, bus: busOnly, namespace: `bench-${run}-l2b`, l1: false });

  const bento = new BentoCache({
    default: 'cache',
    prefix: `bench-${run}-bento`,
    stores: {
      cache: bentostore()
        .useL1Layer(memoryDriver({ maxItems: 10_000 }))
        .useL2Layer(redisDriver({ connection }))
        .useBus(redisBusDriver({ connection })),
    },
  });
  const keyv = new Keyv({ store: new KeyvRedis(url), namespace: `bench-${run}-cm` });
  const cacheManager = createCache({ stores: [keyv] });

  for (const key of keys) {
    await tiered.set(key, value);
    await tieredNoL1.set(key, value);
    await bento.set({ key, value, ttl: '1h' });
    await cacheManager.set(key, value);
  }
  let sink = 0;

  // ---- 1. L1-hit get
  const hits = await suite('L1-hit get (1000 sequential awaited gets per cycle)', [
    [
      'patinox TieredCache.get (L1 hit)',
      async () => {
        for (let i = 0; i < KEYS; i += 1) if ((await tiered.get(keys[i]!)) !== undefined) sink += 1;
      },
      KEYS,
    ],
    [
      'bentocache get (L1 hit)',
      async () => {
        for (let i = 0; i < KEYS; i += 1) if ((await bento.get({ key: keys[i]! })) !== undefined) sink += 1;
      },
      KEYS,
    ],
  ]);

  // ---- 2. L2 get/set, 100 concurrent callers × 10 sequential calls per cycle
  const concurrent = (fn: (i: number) => Promise<unknown>) => async (): Promise<void> => {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, c) => {
        for (let j = 0; j < PER_CALLER; j += 1) await fn((c * PER_CALLER + j) % KEYS);
      }),
    );
  };
  const perCycle = CONCURRENCY * PER_CALLER;
  // Two rounds in opposite orders, best of two per subject: on a shared machine the order and the
  // moment of a case move its figure more than the code does.
  const l2Cases: [string, () => Promise<void>, number][] = [
    ['patinox TieredCache.get (l1: false)', concurrent((i) => tieredNoL1.get(keys[i]!)), perCycle],
    ['cache-manager + keyv get', concurrent((i) => cacheManager.get(keys[i]!)), perCycle],
    ['patinox TieredCache.set (l1: false, no bus)', concurrent((i) => tieredNoL1.set(keys[i]!, value)), perCycle],
    ['patinox TieredCache.set (l1: false, with bus)', concurrent((i) => tieredNoL1Bus.set(keys[i]!, value)), perCycle],
    ['cache-manager + keyv set', concurrent((i) => cacheManager.set(keys[i]!, value)), perCycle],
  ];
  const round1 = await suite(`L2 get/set, ${CONCURRENCY} concurrent callers (no L1), round 1`, l2Cases);
  const round2 = await suite(`L2 get/set, ${CONCURRENCY} concurrent callers (no L1), round 2 (reversed)`, [...l2Cases].reverse());
  const l2 = new Map<string, Row>();
  for (const [name, row] of round1) {
    const other = round2.get(name)!;
    l2.set(name, row.hz >= other.hz ? row : other);
  }

  // ---- 3. invalidation propagation between two processes
  const namespace = `bench-${run}-inv`;
  const child = fork(join(process.cwd(), 'test/fixtures/tiered/child.mjs'), [url, namespace], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve) => child.on('message', (m: { type: string }) => m.type === 'ready' && resolve()));
  const writerL2 = new RedisBackend({ url });
  const writerBus = new RedisBus({ client: writerL2.client });
  await writerBus.ready;
  const writer = new TieredCache<number>({ l2: writerL2, bus: writerBus, namespace });
  const lag = new Histogram();
  let waiting: ((ms: number) => void) | undefined;
  child.on('message', (m: { type: string; lagMs?: number }) => {
    if (m.type === 'invalidated' && waiting !== undefined) {
      const w = waiting;
      waiting = undefined;
      w(m.lagMs ?? NaN);
    }
  });
  const ROUNDS = 2000;
  for (let i = 0; i < ROUNDS; i += 1) {
    const arrived = new Promise<number>((r) => (waiting = r));
    await writer.set(`k${i % 10}`, i);
    lag.record(await arrived);
  }
  const summary = lag.summary();
  console.log(`\nInvalidation propagation, writer -> other process (${ROUNDS} writes): p50 ${summary.p50.toFixed(3)} ms  p99 ${summary.p99.toFixed(3)} ms  max ${summary.max.toFixed(3)} ms`);

  // ---- ratios against the targets
  const hz = (rows: Map<string, Row>, name: string): number => rows.get(name)!.hz;
  const hitRatio = hz(hits, 'patinox TieredCache.get (L1 hit)') / hz(hits, 'bentocache get (L1 hit)');
  const getRatio = hz(l2, 'patinox TieredCache.get (l1: false)') / hz(l2, 'cache-manager + keyv get');
  const setRatio = hz(l2, 'patinox TieredCache.set (l1: false, no bus)') / hz(l2, 'cache-manager + keyv set');
  const setBusRatio = hz(l2, 'patinox TieredCache.set (l1: false, with bus)') / hz(l2, 'cache-manager + keyv set');
  console.log('');
  console.log(`L1-hit get vs bentocache:                 ${hitRatio.toFixed(2)}x (target >= 2x) ${hitRatio >= 2 ? 'MET' : 'NOT MET'}`);
  console.log(`L2 get vs cache-manager + keyv:           ${getRatio.toFixed(2)}x (target >= 1.5x) ${getRatio >= 1.5 ? 'MET' : 'NOT MET'}`);
  console.log(`L2 set vs cache-manager + keyv:           ${setRatio.toFixed(2)}x (target >= 1.5x) ${setRatio >= 1.5 ? 'MET' : 'NOT MET'}`);
  console.log(`L2 set + bus publish vs cache-manager set: ${setBusRatio.toFixed(2)}x`);
  console.log(`Invalidation p99:                         ${summary.p99.toFixed(3)} ms (target < 5 ms) ${summary.p99 < 5 ? 'MET' : 'NOT MET'}`);
  console.log(`(sink ${sink > 0 ? 'ok' : 'empty'})`);

  // ---- cleanup: this run's namespaces only
  child.send({ op: 'close', id: 1 });
  await Promise.all([tiered.clear(), tieredNoL1.clear(), tieredNoL1Bus.clear(), writer.clear()]);
  await keyv.clear();
  await bento.clear();
  await Promise.all([tiered.close(), tieredNoL1.close(), tieredNoL1Bus.close(), writer.close()]);
  await bento.disconnectAll();
  await keyv.disconnect();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
