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
import { Redis } from 'ioredis';
import { Histogram } from '@patinox/monitor';
import { TieredCache } from '@patinox/cache';
import { RedisBackend, RedisBus } from '@patinox/cache/redis';

// Distributed tier against bentocache (L1 + L2 Redis + bus) and cache-manager v7 + keyv (@keyv/redis),
// all on the same Redis in the same run, values written with a TTL as users set them (1 h, longer than the run):
//   1. get on the L1-hit path: 'eventual' (an L1 hit) and 'strong' (answered by L2), 1000 sequential awaited gets per cycle;
//   2. L2 get and set, and the full-tier set (L1 + L2 + publish), 50 concurrent callers x 10 sequential calls
//      (500 ops per cycle), in 3 rounds of alternating order: best and median per case;
//   3. invalidation propagation between two processes (writer here, receiver in a child), p50/p99.
// The floor is a bare ioredis client with auto-pipelining (GET, SET … PX of the same encoded bytes): the least
// an L2 call can cost from Node; no cache can beat it, so ratios to the floor say how much room is left.
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const { hostname, port } = new URL(url);
const connection = { host: hostname, port: Number(port || 6379) };
const run = randomUUID().slice(0, 8);
const KEYS = 1000;
const keys = Array.from({ length: KEYS }, (_, i) => `user:${i}`);
const value = { id: 1, name: 'Ada Lovelace', email: 'ada@example.com', roles: ['admin', 'author'], active: true, score: 42.5 };
const CONCURRENCY = 50;
const PER_CALLER = 10;
const TTL_MS = 3_600_000;
const ROUNDS = 3;

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

/** Runs `cases` in `ROUNDS` suites of alternating order; per case the best and the median ops/s. */
async function rounds(name: string, cases: [string, () => Promise<void>, number][]): Promise<Map<string, { best: number; median: number; rme: number }>> {
  const seen = new Map<string, Row[]>();
  for (let r = 0; r < ROUNDS; r += 1) {
    const ordered = r % 2 === 0 ? cases : [...cases].reverse();
    const rows = await suite(`${name}, round ${r + 1}${r % 2 === 1 ? ' (reversed)' : ''}`, ordered);
    for (const [caseName, row] of rows) seen.set(caseName, [...(seen.get(caseName) ?? []), row]);
  }
  const out = new Map<string, { best: number; median: number; rme: number }>();
  for (const [caseName, rows] of seen) {
    const sorted = rows.map((row) => row.hz).sort((x, y) => x - y);
    out.set(caseName, { best: sorted[sorted.length - 1]!, median: sorted[Math.floor(sorted.length / 2)]!, rme: Math.max(...rows.map((row) => row.rme)) });
  }
  return out;
}

async function main(): Promise<void> {
  // ---- subjects
  const tieredL2 = new RedisBackend({ url });
  const tieredBus = new RedisBus({ client: tieredL2.client });
  await tieredBus.ready;
  const tiered = new TieredCache<typeof value>({ l2: tieredL2, bus: tieredBus, namespace: `bench-${run}`, l1: { maxEntries: 10_000 } });
  const strongL2 = new RedisBackend({ url });
  const strong = new TieredCache<typeof value>({ l2: strongL2, namespace: `bench-${run}`, consistency: 'strong' });
  const plainL2 = new RedisBackend({ url });
  const tieredNoL1 = new TieredCache<typeof value>({ l2: plainL2, namespace: `bench-${run}-l2`, l1: false });

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
  const bentoL2 = new BentoCache({ default: 'cache', prefix: `bench-${run}-bento-l2`, stores: { cache: bentostore().useL2Layer(redisDriver({ connection })) } });
  const keyv = new Keyv({ store: new KeyvRedis(url), namespace: `bench-${run}-cm` });
  const cacheManager = createCache({ stores: [keyv] });
  // cache-manager's own two-tier setup: an in-memory Keyv in front of the Redis one (it has no bus).
  const keyvTier = new Keyv({ store: new KeyvRedis(url), namespace: `bench-${run}-cm2` });
  const cacheManagerTiered = createCache({ stores: [new Keyv(), keyvTier] });

  const floor = new Redis({ ...connection, enableAutoPipelining: true });
  const floorValue = Buffer.from(JSON.stringify(value));
  for (const key of keys) {
    await floor.set(`bench-${run}-floor:${key}`, floorValue, 'PX', TTL_MS);
    await tiered.set(key, value, { ttlMs: TTL_MS });
    await tieredNoL1.set(key, value, { ttlMs: TTL_MS });
    await bento.set({ key, value, ttl: TTL_MS });
    await bentoL2.set({ key, value, ttl: TTL_MS });
    await cacheManager.set(key, value, TTL_MS);
  }
  let sink = 0;

  // ---- 1. the L1-hit path: 'eventual' (L1 hit) against 'strong' (every read answered by L2)
  const hits = await rounds(`get on the L1-hit path (${KEYS} sequential awaited gets = ${KEYS} ops per cycle)`, [
    [
      'patinox get, eventual (L1 hit)',
      async () => {
        for (let i = 0; i < KEYS; i += 1) if ((await tiered.get(keys[i]!)) !== undefined) sink += 1;
      },
      KEYS,
    ],
    [
      'patinox get, strong (answered by L2)',
      async () => {
        for (let i = 0; i < KEYS; i += 1) if ((await strong.get(keys[i]!)) !== undefined) sink += 1;
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

  // ---- 2. L2 get/set and full-tier set, 50 concurrent callers x 10 sequential calls per cycle, TTL 1 h
  const concurrent = (fn: (i: number) => Promise<unknown>) => async (): Promise<void> => {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, c) => {
        for (let j = 0; j < PER_CALLER; j += 1) await fn((c * PER_CALLER + j) % KEYS);
      }),
    );
  };
  const perCycle = CONCURRENCY * PER_CALLER;
  const l2 = await rounds(`L2 and full-tier, ${CONCURRENCY} concurrent callers (${perCycle} ops per cycle), TTL ${TTL_MS / 60_000} min`, [
    ['floor: ioredis get (auto-pipelined)', concurrent((i) => floor.getBuffer(`bench-${run}-floor:${keys[i]!}`)), perCycle],
    ['patinox L2 get (l1: false)', concurrent((i) => tieredNoL1.get(keys[i]!)), perCycle],
    ['patinox get, strong', concurrent((i) => strong.get(keys[i]!)), perCycle],
    ['bentocache L2 get (L2 only)', concurrent((i) => bentoL2.get({ key: keys[i]! })), perCycle],
    ['cache-manager + keyv get', concurrent((i) => cacheManager.get(keys[i]!)), perCycle],
    ['floor: ioredis set px (auto-pipelined)', concurrent((i) => floor.set(`bench-${run}-floor:${keys[i]!}`, floorValue, 'PX', TTL_MS)), perCycle],
    ['patinox L2 set ttl (l1: false, no bus)', concurrent((i) => tieredNoL1.set(keys[i]!, value, { ttlMs: TTL_MS })), perCycle],
    ['bentocache L2 set ttl (L2 only)', concurrent((i) => bentoL2.set({ key: keys[i]!, value, ttl: TTL_MS })), perCycle],
    ['cache-manager + keyv set ttl', concurrent((i) => cacheManager.set(keys[i]!, value, TTL_MS)), perCycle],
    ['patinox full-tier set ttl (L1 + L2 + publish)', concurrent((i) => tiered.set(keys[i]!, value, { ttlMs: TTL_MS })), perCycle],
    ['bentocache full-tier set ttl (L1 + L2 + bus)', concurrent((i) => bento.set({ key: keys[i]!, value, ttl: TTL_MS })), perCycle],
    ['cache-manager two-tier set ttl (memory + redis keyv)', concurrent((i) => cacheManagerTiered.set(keys[i]!, value, TTL_MS)), perCycle],
  ]);

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
  const WRITES = 2000;
  for (let i = 0; i < WRITES; i += 1) {
    const arrived = new Promise<number>((r) => (waiting = r));
    await writer.set(`k${i % 10}`, i);
    lag.record(await arrived);
  }
  const summary = lag.summary();
  console.log(`\nInvalidation propagation, writer -> other process (${WRITES} writes): p50 ${summary.p50.toFixed(3)} ms  p99 ${summary.p99.toFixed(3)} ms  max ${summary.max.toFixed(3)} ms`);

  // ---- ratios against the targets: best against best, and median against median
  const ratio = (rows: Map<string, { best: number; median: number }>, ours: string, peer: string): string => {
    const a = rows.get(ours)!;
    const b = rows.get(peer)!;
    return `best ${(a.best / b.best).toFixed(2)}x, median ${(a.median / b.median).toFixed(2)}x`;
  };
  const met = (rows: Map<string, { median: number }>, ours: string, peer: string, target: number): string => (rows.get(ours)!.median / rows.get(peer)!.median >= target ? 'MET' : 'NOT MET');
  console.log('\nper case: best / median ops/s over rounds');
  for (const rows of [hits, l2]) {
    for (const [name, row] of rows) console.log(`${name.padEnd(56)} ${Math.round(row.best).toLocaleString('en-US').padStart(10)} / ${Math.round(row.median).toLocaleString('en-US').padStart(10)} ops/s  (rme <= ${row.rme.toFixed(1)}%)`);
  }
  console.log('');
  console.log(`L2 get vs cache-manager + keyv:                  ${ratio(l2, 'patinox L2 get (l1: false)', 'cache-manager + keyv get')} (target >= 1.5x) ${met(l2, 'patinox L2 get (l1: false)', 'cache-manager + keyv get', 1.5)}`);
  console.log(`L2 set ttl vs cache-manager + keyv:              ${ratio(l2, 'patinox L2 set ttl (l1: false, no bus)', 'cache-manager + keyv set ttl')} (target >= 1.5x) ${met(l2, 'patinox L2 set ttl (l1: false, no bus)', 'cache-manager + keyv set ttl', 1.5)}`);
  console.log(`full-tier set ttl vs cache-manager two-tier:     ${ratio(l2, 'patinox full-tier set ttl (L1 + L2 + publish)', 'cache-manager two-tier set ttl (memory + redis keyv)')} (target >= 1.5x) ${met(l2, 'patinox full-tier set ttl (L1 + L2 + publish)', 'cache-manager two-tier set ttl (memory + redis keyv)', 1.5)}`);
  console.log(`floor get vs cache-manager + keyv get:           ${ratio(l2, 'floor: ioredis get (auto-pipelined)', 'cache-manager + keyv get')} (the most any cache could reach)`);
  console.log(`floor set px vs cache-manager + keyv set ttl:    ${ratio(l2, 'floor: ioredis set px (auto-pipelined)', 'cache-manager + keyv set ttl')} (the most any cache could reach)`);
  console.log(`patinox L2 get / floor:                          ${ratio(l2, 'patinox L2 get (l1: false)', 'floor: ioredis get (auto-pipelined)')}`);
  console.log(`patinox L2 set ttl / floor:                      ${ratio(l2, 'patinox L2 set ttl (l1: false, no bus)', 'floor: ioredis set px (auto-pipelined)')}`);
  console.log(`full-tier set ttl vs bentocache full-tier:       ${ratio(l2, 'patinox full-tier set ttl (L1 + L2 + publish)', 'bentocache full-tier set ttl (L1 + L2 + bus)')}`);
  console.log(`L2 get vs bentocache L2 get:                     ${ratio(l2, 'patinox L2 get (l1: false)', 'bentocache L2 get (L2 only)')}`);
  console.log(`L2 set ttl vs bentocache L2 set:                 ${ratio(l2, 'patinox L2 set ttl (l1: false, no bus)', 'bentocache L2 set ttl (L2 only)')}`);
  console.log(`L1-hit get (eventual) vs bentocache L1 hit:      ${ratio(hits, 'patinox get, eventual (L1 hit)', 'bentocache get (L1 hit)')}`);
  console.log(`cost of 'strong' on the L1-hit path:             eventual/strong ${ratio(hits, 'patinox get, eventual (L1 hit)', 'patinox get, strong (answered by L2)')}`);
  console.log(`Invalidation (eventual bound) p50 ${summary.p50.toFixed(3)} ms  p99 ${summary.p99.toFixed(3)} ms (target < 5 ms) ${summary.p99 < 5 ? 'MET' : 'NOT MET'}`);
  console.log(`(sink ${sink > 0 ? 'ok' : 'empty'})`);

  // ---- cleanup: this run's namespaces only
  child.send({ op: 'close', id: 1 });
  await Promise.all([tiered.clear(), tieredNoL1.clear(), writer.clear()]);
  await keyv.clear();
  await keyvTier.clear();
  await bento.clear();
  await bentoL2.clear();
  await Promise.all([tiered.close(), strong.close(), tieredNoL1.close(), writer.close()]);
  await bento.disconnectAll();
  await bentoL2.disconnectAll();
  await keyv.disconnect();
  await keyvTier.disconnect();
  const floorKeys = keys.map((k) => `bench-${run}-floor:${k}`);
  for (let i = 0; i < floorKeys.length; i += 500) await floor.unlink(...floorKeys.slice(i, i + 500));
  floor.disconnect();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
