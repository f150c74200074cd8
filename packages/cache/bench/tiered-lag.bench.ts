import { randomUUID } from 'node:crypto';
import { Histogram } from '@patinox/monitor';
import { TieredCache, type InvalidationEvent } from '@patinox/cache';
import { RedisBackend, RedisBus, type RedisBackendOptions } from '@patinox/cache/redis';
import { redisUrl, startRedisCluster } from '@patinox/test-servers';

// Invalidation lag between two TieredCache instances (A writes, B holds the key in its L1), on a
// standalone Redis and on a 3-master loopback Redis Cluster, in the same run:
//   - write → B invalidated: from the start of A's `set` until B's L1 has dropped the key;
//   - bus lag: from A's publish (message `sentAt`) until B handled the message.
// The classic-PUBLISH cluster row is the baseline: PUBLISH is broadcast over the cluster bus, SPUBLISH
// goes to the one master that owns the channel's slot.
const SAMPLES = Number(process.env.PATINOX_LAG_SAMPLES ?? 3000);
const WARMUP = 300;
const KEYS = 16;

interface Pair {
  a: TieredCache<number>;
  b: TieredCache<number>;
  bus: RedisBus;
  events: AsyncIterator<InvalidationEvent>;
}

async function open(target: RedisBackendOptions, sharded: boolean): Promise<Pair> {
  const namespace = `lag-${randomUUID().slice(0, 8)}`;
  const make = async (): Promise<{ cache: TieredCache<number>; bus: RedisBus }> => {
    const l2 = new RedisBackend(target);
    const bus = new RedisBus({ client: l2.client, sharded });
    await bus.ready;
    return { cache: new TieredCache<number>({ l2, bus, namespace }), bus };
  };
  const [a, b] = [await make(), await make()];
  return { a: a.cache, b: b.cache, bus: b.bus, events: b.cache.subscribeInvalidation({ bufferSize: 16 })[Symbol.asyncIterator]() };
}

async function measure(label: string, pair: Pair): Promise<string> {
  const { a, b, events } = pair;
  const endToEnd = new Histogram();
  const bus = new Histogram();
  for (let i = 0; i < WARMUP + SAMPLES; i += 1) {
    const key = `k${i % KEYS}`;
    await b.get(key); // B's L1 now holds the key (or its absence is confirmed by L2).
    const started = performance.now();
    const write = a.set(key, i);
    for (;;) {
      const step = await events.next();
      if (step.done === true) throw new Error('invalidation stream ended');
      if (!step.value.local && step.value.keys.includes(key)) {
        if (i >= WARMUP) {
          endToEnd.record(performance.now() - started);
          bus.record(step.value.lagMs ?? NaN);
        }
        break;
      }
    }
    await write;
  }
  const e = endToEnd.summary();
  const l = bus.summary();
  return `${label.padEnd(40)} ${pair.bus.pubSubMode.padEnd(8)} write→B invalidated p50 ${e.p50.toFixed(3)} ms  p99 ${e.p99.toFixed(3)} ms  max ${e.max.toFixed(3)} ms | bus lag p50 ${l.p50.toFixed(3)} ms  p99 ${l.p99.toFixed(3)} ms`;
}

async function close(pair: Pair): Promise<void> {
  await pair.events.return?.();
  await pair.a.clear();
  await Promise.all([pair.a.close(), pair.b.close()]);
}

async function main(): Promise<void> {
  const cluster = await startRedisCluster(3);
  try {
    const cases: [string, RedisBackendOptions, boolean][] = [
      ['standalone, sharded pub/sub (default)', { url: redisUrl() }, true],
      ['standalone, classic pub/sub', { url: redisUrl() }, false],
      ['3-master cluster, sharded pub/sub', { cluster: cluster.startupNodes }, true],
      ['3-master cluster, classic PUBLISH (base)', { cluster: cluster.startupNodes }, false],
    ];
    console.log(`Invalidation lag, ${SAMPLES} writes per case after ${WARMUP} warm-up writes, two instances in one process`);
    for (const [label, target, sharded] of cases) {
      const pair = await open(target, sharded);
      try {
        console.log(await measure(label, pair));
      } finally {
        await close(pair);
      }
    }
  } finally {
    await cluster.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
