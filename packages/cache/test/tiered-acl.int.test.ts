import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { eventually, redisUrl } from '@patinox/test-servers';
import { RedisBackend, RedisBus } from '../src/backends/redis.js';
import { TieredCache } from '../src/tiered/index.js';

/** Everything a namespace stores lives under `<ns>:`: a Redis user limited to `~<ns>:*` can use every feature. */
describe('TieredCache under a Redis ACL user limited to its namespace', () => {
  const id = randomUUID().slice(0, 8);
  const ns = `acl-${id}`;
  const user = `patinox-acl-${id}`;
  const outsider = `patinox-acl-out-${id}`;
  const valuesOnly = `patinox-acl-values-${id}`;
  const channel = 'patinox:cache:invalidation';
  let admin: Redis;
  const caches: TieredCache<unknown>[] = [];

  const urlFor = (name: string): string => {
    const url = new URL(redisUrl());
    url.username = name;
    url.password = 'pw';
    return url.toString();
  };
  async function open(name: string, namespace: string, options: { withBus?: boolean } = {}): Promise<TieredCache<unknown>> {
    const l2 = new RedisBackend({ url: urlFor(name) });
    const bus = options.withBus === false ? undefined : new RedisBus({ client: l2.client, channel });
    await bus?.ready;
    const cache = new TieredCache<unknown>({ l2, bus, namespace, lockPollIntervalMs: 10 });
    caches.push(cache);
    return cache;
  }

  beforeAll(async () => {
    admin = new Redis(redisUrl());
    // Channels end in * so a bus that derives shard channels from its channel name keeps working.
    await admin.call('ACL', 'SETUSER', user, 'on', '>pw', `~${ns}:*`, `&${channel}*`, '+@all');
    await admin.call('ACL', 'SETUSER', outsider, 'on', '>pw', `~elsewhere-${id}:*`, `&${channel}*`, '+@all');
    // May write values (`<ns>:v:*`) but not tag sets: a tagged set's value lands, then its tag write fails.
    await admin.call('ACL', 'SETUSER', valuesOnly, 'on', '>pw', `~${ns}:v:*`, `&${channel}*`, '+@all');
  });

  afterAll(async () => {
    await Promise.all(caches.map((c) => c.close()));
    await admin.call('ACL', 'DELUSER', user, outsider, valuesOnly);
    admin.disconnect();
  });

  async function keysInRedis(pattern: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found;
  }

  it('runs every feature: values, many, tags, counters, batch, atomic, locks, scan, regions, coherence, clear', async () => {
    const a = await open(user, ns);
    const b = await open(user, ns);
    expect(await a.set('k', { v: 1 }, { ttlMs: 60_000, tags: ['team'] })).toBe(true);
    expect(await b.get('k')).toEqual({ v: 1 });
    await a.setMany([{ key: 'm1', value: 1 }, { key: 'm2', value: 2, ttlMs: 60_000 }]);
    expect(await b.getMany(['m1', 'm2', 'none'])).toEqual([1, 2, undefined]);
    expect(await a.increment('{acct}:n', 2)).toBe(2);
    await a.batch().set('b1', 'x').setWithTtl('b2', 'y', 60_000).delete('m1').execute();
    expect(await a.atomic().check('{acct}:n', 2).set('{acct}:n', 10).set('{acct}:log', 'paid').execute()).toBe(true);
    expect(await a.getOrLoad('loaded', () => 'from loader', { tags: ['team'] })).toBe('from loader');
    expect(await b.getOrLoad('loaded', () => 'not called')).toBe('from loader');
    expect(await a.exists('b1')).toBe(true);
    const scanned: string[] = [];
    for await (const key of a.scan('b*')) scanned.push(key);
    expect(scanned.sort()).toEqual(['b1', 'b2']);
    expect(await a.invalidateTag('team')).toBe(2);
    const region = a.region('sessions');
    await region.set('s1', 's', { tags: ['x'] });
    expect(await b.region('sessions').get('s1')).toBe('s');
    expect(await a.delete('b2')).toBe(true);
    // Invalidations crossed the bus: b drops what a changed.
    await a.set('k', { v: 2 });
    await eventually(async () => JSON.stringify(await b.get('k')) === JSON.stringify({ v: 2 }), { timeoutMs: 2000 });
    expect(await b.get('k')).toEqual({ v: 2 });
    // Every key the tier wrote is under <ns>:, including tags, locks and the region.
    const all = await keysInRedis(`${ns}*`);
    expect(all.length).toBeGreaterThan(5);
    expect(all.every((key) => key.startsWith(`${ns}:`))).toBe(true);
    expect(all).toContain(`${ns}:r:sessions:t:x`);
    // Parent clear() removes the region's keys in Redis too.
    expect(await a.clear()).toBe(all.length);
    expect(await keysInRedis(`${ns}*`)).toEqual([]);
    expect(await region.get('s1')).toBeUndefined();
    // The other instance's region drops its L1 copy when the parent's clear arrives.
    await eventually(async () => (await b.region('sessions').get('s1')) === undefined, { timeoutMs: 2000 });
    expect(await b.region('sessions').get('s1')).toBeUndefined();
    expect(a.stats().l2.errors + b.stats().l2.errors).toBe(0);
  });

  it('reports NOPERM as CACHE_PERMISSION_DENIED, not an outage, and keeps the circuit closed', async () => {
    const cache = await open(outsider, ns, { withBus: false });
    for (let i = 0; i < 8; i += 1) {
      await expect(cache.set(`k${i}`, i)).rejects.toMatchObject({ code: 'CACHE_PERMISSION_DENIED', recovery: 'fail' });
    }
    await expect(cache.get('k')).rejects.toMatchObject({ code: 'CACHE_PERMISSION_DENIED' });
    await expect(cache.increment('n')).rejects.toMatchObject({ code: 'CACHE_PERMISSION_DENIED' });
    await expect(cache.batch().set('x', 1).execute()).rejects.toMatchObject({ code: 'CACHE_PERMISSION_DENIED' });
    await expect(cache.getOrLoad('g', () => 1)).rejects.toMatchObject({ code: 'CACHE_PERMISSION_DENIED' });
    expect(cache.stats().circuit).toEqual({ state: 'closed', opens: 0 });
    expect(cache.stats().l2.errors).toBe(0);
  });

  it('publishes a tagged set whose tag write failed after its value landed, so no other L1 keeps the value it replaced', async () => {
    const writer = await open(valuesOnly, ns);
    const reader = await open(user, ns);
    await reader.set('tagged', 1);
    expect(await reader.get('tagged')).toBe(1);
    await expect(writer.set('tagged', 2, { tags: ['team'] })).rejects.toMatchObject({ code: 'CACHE_PERMISSION_DENIED' });
    // The value is in Redis, so every instance must now read it, not an L1 copy of the old one.
    await eventually(async () => (await reader.get('tagged')) === 2, { timeoutMs: 2_000 });
    expect(await writer.get('tagged')).toBe(2);
  });
});
