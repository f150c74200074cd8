import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { eventually, disposeRedis, redisCommand, redisUrl, sharedRedisCluster, startRedis, type RedisServerHandle } from '@patinox/test-servers';
import { RedisBackend, RedisBus } from '../src/backends/redis.js';
import type { BusState, InvalidationMessage } from '../src/tiered/index.js';

function listen(bus: RedisBus): { messages: InvalidationMessage[]; states: BusState[] } {
  const seen = { messages: [] as InvalidationMessage[], states: [] as BusState[] };
  bus.subscribe({ onMessage: (m) => seen.messages.push(m), onStateChange: (s) => seen.states.push(s) });
  return seen;
}

const message = (keys: string[]): InvalidationMessage => ({ namespace: 'bus-test', origin: randomUUID(), keys, sentAt: Date.now() });

/** The count Redis reports for `channel` from PUBSUB NUMSUB (classic) or SHARDNUMSUB (sharded). */
async function subscribers(port: number, kind: 'NUMSUB' | 'SHARDNUMSUB', channel: string): Promise<number> {
  const reply = await redisCommand(port, `PUBSUB ${kind} ${channel}`);
  return Number(/:(\d+)\s*$/.exec(reply)?.[1] ?? NaN);
}

describe('RedisBus', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });
  const backend = (options: ConstructorParameters<typeof RedisBackend>[0]): RedisBackend => {
    const b = new RedisBackend(options);
    closers.push(() => b.close());
    return b;
  };
  const bus = (options: ConstructorParameters<typeof RedisBus>[0]): RedisBus => {
    const b = new RedisBus(options);
    closers.push(() => b.close());
    return b;
  };

  it('validates its options with the house message', () => {
    expect(() => new RedisBus({ client: {} as never })).toThrow('Expected `client` to be an ioredis Redis or Cluster, got an object');
    const client = new Redis(redisUrl(), { lazyConnect: true });
    expect(() => new RedisBus({ client, sharded: 'yes' as never })).toThrow('Expected `sharded` to be a boolean, got "yes" (string)');
    expect(() => new RedisBus({ client, channel: '' })).toThrow('`channel`');
    expect(() => new RedisBus({ client, heartbeatMs: -1 })).toThrow(RangeError);
    expect(() => new RedisBus({ client, heartbeatMs: '5' as never })).toThrow(/`heartbeatMs`/);
    client.disconnect();
  });

  it('uses sharded pub/sub on a Redis 7 standalone server and delivers between instances', async () => {
    const channel = `bus-${randomUUID()}`;
    const a = bus({ client: backend({ url: redisUrl() }).client, channel });
    const b = bus({ client: backend({ url: redisUrl() }).client, channel });
    const seen = listen(b);
    await Promise.all([a.ready, b.ready]);
    expect(b.pubSubMode).toBe('sharded');
    const port = Number(new URL(redisUrl()).port || 6379);
    expect(await subscribers(port, 'SHARDNUMSUB', channel)).toBe(2);
    expect(await subscribers(port, 'NUMSUB', channel)).toBe(0);
    await a.publish(message(['k1']));
    expect(a.pubSubMode).toBe('sharded');
    await eventually(() => seen.messages.length === 1);
    expect(seen.messages[0]!.keys).toEqual(['k1']);
  });

  it('uses classic pub/sub when told to (mixed-version rollouts)', async () => {
    const channel = `bus-${randomUUID()}`;
    const a = bus({ client: backend({ url: redisUrl() }).client, channel, sharded: false });
    const b = bus({ client: backend({ url: redisUrl() }).client, channel, sharded: false });
    expect(b.pubSubMode).toBe('classic');
    const seen = listen(b);
    await Promise.all([a.ready, b.ready]);
    const port = Number(new URL(redisUrl()).port || 6379);
    expect(await subscribers(port, 'NUMSUB', channel)).toBe(2);
    expect(await subscribers(port, 'SHARDNUMSUB', channel)).toBe(0);
    await a.publish(message(['k2']));
    await eventually(() => seen.messages.length === 1);
  });

  describe('on a server without sharded pub/sub', () => {
    let server: RedisServerHandle | undefined;
    afterAll(async () => disposeRedis(server));

    it('detects it on subscribe and on publish, and falls back to PUBLISH/SUBSCRIBE', async () => {
      // Renamed away, the commands answer "unknown command" exactly as on Redis 6.
      server = await startRedis({ args: ['--rename-command', 'SSUBSCRIBE', '', '--rename-command', 'SPUBLISH', '', '--rename-command', 'SUNSUBSCRIBE', ''] });
      const channel = `bus-${randomUUID()}`;
      const publisher = bus({ client: backend({ url: server.url }).client, channel });
      const listener = bus({ client: backend({ url: server.url }).client, channel });
      const seen = listen(listener);
      expect(publisher.pubSubMode).toBe('detecting');
      // The publisher learns it from its first publish (its own subscriber may not have answered yet).
      await publisher.publish(message(['early']));
      expect(publisher.pubSubMode).toBe('classic');
      await listener.ready;
      expect(listener.pubSubMode).toBe('classic');
      expect(listener.state).toBe('connected');
      expect(await subscribers(server.port, 'NUMSUB', channel)).toBe(2);
      await publisher.publish(message(['k3']));
      await eventually(() => seen.messages.some((m) => m.keys?.[0] === 'k3'));
    });

    it('closes at once while its server is down', async () => {
      const channel = `bus-${randomUUID()}`;
      const l2 = new RedisBackend({ url: server!.url });
      const down = new RedisBus({ client: l2.client, channel });
      const seen = listen(down);
      await down.ready;
      await server!.kill();
      await eventually(() => down.state === 'disconnected');
      expect(seen.states).toEqual(['connected', 'disconnected']);
      await down.close();
      await l2.close();
      await server!.restart();
    });
  });

  describe('on a 3-master Redis Cluster', () => {
    it('listens on the master that owns the channel slot, and SPUBLISH reaches it', async () => {
      const nodes = await sharedRedisCluster();
      const channel = `bus-${randomUUID()}`;
      const a = bus({ client: backend({ cluster: nodes }).client, channel });
      const b = bus({ client: backend({ cluster: nodes }).client, channel });
      const seen = listen(b);
      await Promise.all([a.ready, b.ready]);
      expect(b.pubSubMode).toBe('sharded');
      const counts = await Promise.all(nodes.map((n) => subscribers(n.port, 'SHARDNUMSUB', channel)));
      // Both listeners sit on the one owner of the channel's slot; the other masters have none.
      expect(counts.sort()).toEqual([0, 0, 2]);
      for (let i = 0; i < 5; i += 1) await a.publish(message([`c${i}`]));
      await eventually(() => seen.messages.length === 5);
      expect(seen.messages.map((m) => m.keys![0])).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    });

    it('follows the channel when its slot moves to another master, reporting the gap', async () => {
      const nodes = await sharedRedisCluster();
      const channel = `bus-move-${randomUUID()}`;
      const admin = new Cluster(nodes);
      closers.push(() => admin.quit());
      const publisher = bus({ client: backend({ cluster: nodes }).client, channel });
      const listener = bus({ client: backend({ cluster: nodes }).client, channel });
      const seen = listen(listener);
      await Promise.all([publisher.ready, listener.ready]);
      const slot = Number(await admin.cluster('KEYSLOT', channel));
      const ports = await Promise.all(nodes.map(async (n) => ({ port: n.port, count: await subscribers(n.port, 'SHARDNUMSUB', channel) })));
      const from = ports.find((p) => p.count === 2)!.port;
      const to = nodes.find((n) => n.port !== from)!.port;
      const idOf = async (port: number): Promise<string> => (await redisCommand(port, 'CLUSTER MYID')).trim();
      const toId = await idOf(to);
      // The slot holds no keys, so assigning it is the whole migration.
      for (const n of nodes) await redisCommand(n.port, `CLUSTER SETSLOT ${slot} NODE ${toId}`);
      let i = 0;
      await eventually(async () => {
        await publisher.publish(message([`m${(i += 1)}`]));
        return seen.messages.length > 0 && (await subscribers(to, 'SHARDNUMSUB', channel)) === 2;
      }, { timeoutMs: 10_000 });
      expect(seen.states).toContain('disconnected');
      expect(listener.state).toBe('connected');
      expect(await subscribers(from, 'SHARDNUMSUB', channel)).toBe(0);
      // Move it back so other suites see the cluster as they started.
      const fromId = await idOf(from);
      for (const n of nodes) await redisCommand(n.port, `CLUSTER SETSLOT ${slot} NODE ${fromId}`);
    }, 20_000);
  });

  it('stops retrying and releases its connection on close', async () => {
    const b = new RedisBus({ client: backend({ url: redisUrl() }).client });
    await b.ready;
    await b.close();
    await b.close();
    await expect(b.publish(message(['x']))).rejects.toMatchObject({ code: 'CACHE_CLOSED' });
    await b.ready;
  });
});
