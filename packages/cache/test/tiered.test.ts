import { describe, it, expect, jest, afterEach } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import { MemoryMonitor, MetricsRegistry, checkHealth } from '@patinox/monitor';
import { deferred } from '@patinox/test-servers';
import { MemoryBackend, MemoryBus, TieredCache, jsonCodec, type CacheBackend, type TieredCacheOptions } from '../src/tiered/index.js';

const open: TieredCache<unknown>[] = [];
function make<V = unknown>(options: Partial<TieredCacheOptions<V>> = {}): TieredCache<V> {
  const cache = new TieredCache<V>({ l2: new MemoryBackend(), namespace: 'ns', ...options });
  open.push(cache as TieredCache<unknown>);
  return cache;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

/** A backend whose every call can be made to fail or hang, to drive the circuit breaker. */
function flaky(inner: CacheBackend = new MemoryBackend()): { backend: CacheBackend; mode: { down: boolean; hang: boolean } } {
  const mode = { down: false, hang: false };
  const backend = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'close' || prop === 'scan') return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      return (...args: unknown[]) => {
        if (mode.hang) return new Promise(() => undefined);
        if (mode.down) return Promise.reject(new Error('connect ECONNREFUSED'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { backend, mode };
}

describe('TieredCache', () => {
  it('counts one L1 miss, one L2 miss and one load per getOrLoad miss, then one L1 hit', async () => {
    const cache = make<string>({ l1: { maxEntries: 10 } });
    let loads = 0;
    const loader = async (key: string): Promise<string> => {
      loads += 1;
      return `v:${key}`;
    };
    await expect(cache.getOrLoad('k', loader)).resolves.toBe('v:k');
    let stats = cache.stats();
    expect({ l1Misses: stats.l1?.misses, l2Misses: stats.l2.misses, loads }).toEqual({ l1Misses: 1, l2Misses: 1, loads: 1 });
    await expect(cache.getOrLoad('k', loader)).resolves.toBe('v:k');
    stats = cache.stats();
    expect({ l1Hits: stats.l1?.hits, l1Misses: stats.l1?.misses, loads }).toEqual({ l1Hits: 1, l1Misses: 1, loads: 1 });
  });

  it('validates its options with the house message', () => {
    expect(() => new TieredCache(null as never)).toThrow('Expected `options` to be an object, got null');
    expect(() => new TieredCache({ namespace: 'a' } as never)).toThrow('Expected `l2` to be a CacheBackend, got undefined');
    expect(() => new TieredCache({ l2: new MemoryBackend(), namespace: 'a:b' })).toThrow('Expected `namespace` to be 1-128 letters, digits, _, - or ., got "a:b" (string)');
    expect(() => make({ defaultTtlMs: -1 })).toThrow('Expected `defaultTtlMs` to be a non-negative finite number, got -1 (number)');
    expect(() => make({ operationTimeoutMs: 0 })).toThrow('Expected `operationTimeoutMs` to be a positive number of ms at most 2147483647, got 0 (number)');
    expect(() => make({ bus: {} as never })).toThrow('Expected `bus` to be an InvalidationBus or false, got an object');
    expect(() => make({ store: 1 as never })).toThrow('Expected `store` to be a Store ({ set, delete }), got 1 (number)');
    expect(() => make({ l1: 3 as never })).toThrow('Expected `l1` to be Cache options or false, got 3 (number)');
    expect(() => make({ serializer: 3 as never })).toThrow('Expected `serializer` to be a Serializer or serializer options, got 3 (number)');
    expect(() => make({ compression: 'zip' as never })).toThrow("Expected `compression` to be 'lz4', a Compressor or false, got \"zip\" (string)");
    expect(() => make({ circuitBreaker: { failureThreshold: 0 } })).toThrow('Expected `circuitBreaker.failureThreshold` to be a positive integer, got 0 (number)');
    expect(() => make({ monitor: {} as never })).toThrow('Expected `monitor` to be a Monitor (an object with a record method), got an object');
  });

  it('round-trips values through L2 with the default MessagePack codec', async () => {
    const l2 = new MemoryBackend();
    const cache = make({ l2, l1: false });
    const value = { name: 'Ada', born: new Date(0), tags: new Set(['x']), big: 2n ** 70n, bytes: Buffer.from([1, 2]) };
    expect(await cache.set('user:1', value)).toBe(true);
    expect(await cache.get('user:1')).toEqual(value);
    expect(await cache.get('nope')).toBeUndefined();
    expect((await l2.get('ns:v:user:1'))![0]! >> 5).toBe(1);
  });

  it('serves L1 hits without touching L2 and fills L1 from L2 reads', async () => {
    const l2 = new MemoryBackend();
    const writer = make({ l2, serializer: { codec: jsonCodec } });
    const reader = make({ l2, serializer: { codec: jsonCodec } });
    await writer.set('k', 1);
    expect(await reader.get('k')).toBe(1);
    await l2.delete(['ns:v:k']);
    expect(await reader.get('k')).toBe(1);
    expect(await reader.get('k', { consistent: true })).toBeUndefined();
    const stats = reader.stats();
    expect(stats.l2.hits).toBe(1);
    expect(stats.l2.misses).toBe(1);
    expect(stats.l1?.hits).toBe(1);
  });

  it('returns a dense getMany result: every miss is an undefined entry, on L1, L2 and degraded paths', async () => {
    const l2 = new MemoryBackend();
    const writer = make<number>({ l2 });
    const reader = make<number>({ l2 });
    await writer.set('b', 2);
    await reader.set('a', 1);
    const mixed = await reader.getMany(['a', 'x', 'b', 'y']);
    expect(mixed).toEqual([1, undefined, 2, undefined]);
    expect(Object.keys(mixed)).toEqual(['0', '1', '2', '3']);
    expect(1 in mixed && 3 in mixed).toBe(true);
    const misses = await reader.getMany(['p', 'q']);
    expect(misses.length).toBe(2);
    expect(0 in misses && 1 in misses).toBe(true);
    const { backend, mode } = flaky();
    const degraded = make<number>({ l2: backend, degradeToL1: true, circuitBreaker: false });
    await degraded.set('k', 1);
    mode.down = true;
    const served = await degraded.getMany(['gone', 'k', 'missing']);
    expect(served).toEqual([undefined, 1, undefined]);
    expect(0 in served && 2 in served).toBe(true);
  });

  it('honours nx, ttl and tags', async () => {
    let now = 0;
    const l2 = new MemoryBackend({ clock: () => now });
    const cache = make({ l2, l1: { maxEntries: 100, clock: () => now } });
    expect(await cache.set('a', 1, { nx: true })).toBe(true);
    expect(await cache.set('a', 2, { nx: true })).toBe(false);
    expect(await cache.get('a')).toBe(1);
    await cache.set('t', 'short', { ttlMs: 100, tags: ['g'] });
    await cache.set('u', 'tagged', { tags: ['g', 'h'] });
    now = 150;
    expect(await cache.get('t')).toBeUndefined();
    expect(await cache.invalidateTag('g')).toBe(1);
    expect(await cache.get('u')).toBeUndefined();
    expect(await cache.exists('a')).toBe(true);
    expect(await cache.exists('u')).toBe(false);
  });

  it('deletes, clears only its namespace and reports what went', async () => {
    const l2 = new MemoryBackend();
    const a = make({ l2, namespace: 'app' });
    const b = make({ l2, namespace: 'app.other' });
    const c = make({ l2, namespace: 'ap' });
    await a.set('x', 1, { tags: ['t'] });
    await a.set('y', 2);
    await b.set('x', 3);
    await c.set('p:x', 4);
    expect(await a.delete('y')).toBe(true);
    expect(await a.delete('y')).toBe(false);
    expect(await a.clear()).toBe(2);
    expect(await a.get('x')).toBeUndefined();
    expect(await b.get('x')).toBe(3);
    expect(await c.get('p:x')).toBe(4);
  });

  it('gets and sets many values, mixing L1 hits and L2 reads', async () => {
    const l2 = new MemoryBackend();
    const writer = make<number>({ l2 });
    const reader = make<number>({ l2 });
    await writer.setMany([
      { key: 'a', value: 1 },
      { key: 'b', value: 2, ttlMs: 10_000 },
    ]);
    await writer.setMany([]);
    expect(await reader.get('a')).toBe(1);
    expect(await reader.getMany(['a', 'b', 'c'])).toEqual([1, 2, undefined]);
    expect(await reader.getMany(['a', 'b'])).toEqual([1, 2]);
    expect(reader.stats().l1?.hits).toBe(3);
    await expect(reader.getMany('a' as never)).rejects.toThrow('Expected `keys` to be an array, got "a" (string)');
    await expect(writer.setMany([null as never])).rejects.toThrow('Expected `entries[]` to be { key, value, ttlMs?, tags?, sliding? }, got null');
  });

  it('applies a batch atomically and a compare-and-set only when every check holds', async () => {
    const cache = make<number | string>();
    await cache.set('k3', 'gone');
    const batch = cache.batch().set('k1', 1).setWithTtl('k2', 2, 5000).delete('k3');
    expect(batch.length).toBe(3);
    await batch.execute();
    await cache.batch().execute();
    expect(await cache.getMany(['k1', 'k2', 'k3'])).toEqual([1, 2, undefined]);
    expect(await cache.atomic().check('k1', 5).set('k1', 6).execute()).toBe(false);
    expect(await cache.atomic().check('k1', 1).check('new', undefined).set('k1', 11).set('new', 'n', 1000).delete('k2').execute()).toBe(true);
    expect(await cache.getMany(['k1', 'new', 'k2'])).toEqual([11, 'n', undefined]);
    expect(() => cache.batch().set('', 1)).toThrow('Expected `key` to be a non-empty string, got "" (string)');
    expect(() => cache.batch().set('x', undefined as never)).toThrow('Expected `value` to be defined');
    expect(() => cache.atomic().check(1 as never, 1)).toThrow('Expected `key` to be a non-empty string, got 1 (number)');
  });

  it('increments counters that get reads back as numbers and atomic checks compare', async () => {
    const cache = make<number>();
    expect(await cache.increment('hits')).toBe(1);
    expect(await cache.increment('hits', 9, { ttlMs: 1000 })).toBe(10);
    expect(await cache.get('hits')).toBe(10);
    expect(await cache.atomic().check('hits', 10).set('hits', 0).execute()).toBe(true);
    await expect(cache.increment('hits')).rejects.toMatchObject({ code: 'CACHE_NOT_A_COUNTER' });
    await expect(cache.increment('hits', 1.5)).rejects.toThrow('Expected `delta` to be a safe integer, got 1.5 (number)');
  });

  it('scans keys of its namespace only', async () => {
    const l2 = new MemoryBackend();
    const cache = make({ l2, namespace: 'scan' });
    const other = make({ l2, namespace: 'scan.x' });
    await cache.setMany(Array.from({ length: 25 }, (_, i) => ({ key: `user:${i}`, value: i })));
    await cache.set('order:1', 1);
    await other.set('user:99', 1);
    const keys: string[] = [];
    for await (const key of cache.scan('user:*', { batchSize: 10 })) keys.push(key);
    expect(keys.sort()).toEqual(Array.from({ length: 25 }, (_, i) => `user:${i}`).sort());
    const all: string[] = [];
    for await (const key of cache.scan()) all.push(key);
    expect(all).toHaveLength(26);
    await expect(cache.scan(5 as never).next()).rejects.toThrow('Expected `pattern` to be a string, got 5 (number)');
  });

  it('rejects bad keys and values with defined errors and writes nothing', async () => {
    const l2 = new MemoryBackend();
    const cache = make({ l2, serializer: { codec: jsonCodec }, maxKeyBytes: 64 });
    await expect(cache.get('')).rejects.toThrow('Expected `key` to be a non-empty string, got "" (string)');
    await expect(cache.get(5 as never)).rejects.toThrow(TypeError);
    await expect(cache.get('x'.repeat(65))).rejects.toThrow('Expected `key` to be well-formed UTF-16 of at most 64 UTF-8 bytes, got a string of 65 characters');
    await expect(cache.get('é'.repeat(40))).rejects.toThrow(RangeError);
    await expect(cache.set('bad\uD800', 1)).rejects.toThrow(RangeError);
    await expect(cache.set('k', undefined)).rejects.toThrow('Expected `value` to be defined');
    await expect(cache.set('k', { f: () => 1 })).rejects.toMatchObject({ code: 'CACHE_SERIALIZATION_FAILED' });
    await expect(cache.set('k', 10n)).rejects.toMatchObject({ code: 'CACHE_SERIALIZATION_FAILED' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(cache.set('k', cyclic)).rejects.toMatchObject({ code: 'CACHE_SERIALIZATION_FAILED' });
    await expect(cache.set('k', 1, null as never)).rejects.toThrow('Expected `options` to be an object, got null');
    await expect(cache.set('k', 1, { tags: [''] })).rejects.toThrow('Expected `tags` to be an array of non-empty well-formed strings, got an array');
    expect(l2.size).toBe(0);
    expect(await cache.set('with space\u0000and nul and 日本', 'ok')).toBe(true);
    expect(await cache.get('with space\u0000and nul and 日本', { consistent: true })).toBe('ok');
  });

  it('turns garbage and foreign bytes under a key into CACHE_DECODE_FAILED', async () => {
    const l2 = new MemoryBackend();
    const cache = make({ l2, l1: false });
    await l2.set('ns:v:garbage', Buffer.from('not ours'));
    await l2.set('ns:v:empty', Buffer.alloc(0));
    await l2.set('ns:v:codec9', Buffer.from([(1 << 5) | (9 << 1), 1, 2]));
    await l2.set('ns:v:lz', Buffer.from([(1 << 5) | (2 << 1) | 1, 1, 2]));
    await l2.addToSet('ns:v:aset', ['x'], 0);
    expect(await cache.get('aset')).toBeUndefined();
    for (const key of ['garbage', 'empty', 'codec9', 'lz']) {
      const err = await cache.get(key).catch((e: unknown) => e);
      expect(isPatinoxError(err, 'CACHE_DECODE_FAILED')).toBe(true);
    }
    expect(cache.stats().l2.decodeErrors).toBe(4);
    // getOrLoad treats an unreadable value as a miss and replaces it.
    expect(await cache.getOrLoad('garbage', () => 'fresh')).toBe('fresh');
    expect(await cache.get('garbage')).toBe('fresh');
  });

  it('reports a namespace shared with another codec as CACHE_DECODE_FAILED, never as garbage', async () => {
    const l2 = new MemoryBackend();
    const msgpack = make({ l2, l1: false });
    const json = make({ l2, l1: false, serializer: { codec: jsonCodec } });
    await msgpack.set('k', { a: 1 });
    await expect(json.get('k')).rejects.toMatchObject({ code: 'CACHE_DECODE_FAILED' });
    await json.set('j', { a: 2 });
    expect(await msgpack.get('j')).toEqual({ a: 2 });
  });

  it('compresses large values with lz4 and reads them back', async () => {
    const l2 = new MemoryBackend();
    const cache = make({ l2, l1: false, compression: 'lz4', compressionThresholdBytes: 100 });
    const big = 'abc'.repeat(1000);
    await cache.set('big', big);
    await cache.set('small', 'abc');
    const raw = (await l2.get('ns:v:big'))!;
    expect(raw[0]! & 1).toBe(1);
    expect(raw.byteLength).toBeLessThan(500);
    expect((await l2.get('ns:v:small'))![0]! & 1).toBe(0);
    expect(await cache.get('big')).toBe(big);
  });

  it('returns the same region for a name, with its own namespace', async () => {
    const l2 = new MemoryBackend();
    const cache = make({ l2, namespace: 'root' });
    const region = cache.region('sessions', { defaultTtlMs: 1000, l1: { maxEntries: 5 } });
    expect(cache.region('sessions')).toBe(region);
    expect(region.namespace).toBe('root.sessions');
    await region.set('a', 1);
    await cache.set('a', 2);
    expect(await region.get('a')).toBe(1);
    expect(await l2.ttl('root:r:sessions:v:a')).toBeGreaterThan(0);
    await cache.clear();
    expect(await region.get('a')).toBeUndefined();
    expect(await l2.get('root:r:sessions:v:a')).toBeNull();
    expect(() => cache.region('a:b')).toThrow('Expected `name` to be 1-128 letters, digits, _, - or ., got "a:b" (string)');
  });

  it('refuses options for a region that already exists, naming it, and keeps the options it was made with', async () => {
    const cache = make({ namespace: 'root', defaultTtlMs: 60_000 });
    const region = cache.region('sessions', { defaultTtlMs: 1000 });
    expect(() => cache.region('sessions', { defaultTtlMs: 120_000 })).toThrow(new TypeError('Region "sessions" already exists; pass options only when creating it'));
    expect(() => cache.region('sessions', { l1: false })).toThrow(TypeError);
    expect(cache.region('sessions')).toBe(region);
    // An empty bag counts as no options, on an existing region and on a new one.
    expect(cache.region('sessions', {})).toBe(region);
    const other = cache.region('other', {});
    expect(cache.region('other')).toBe(other);
    await region.set('a', 1);
    const ttlMs = await region.remainingTtl('a');
    expect(ttlMs).toBeGreaterThan(0);
    expect(ttlMs).toBeLessThanOrEqual(1000);
  });

  it("reaches a region's regions on clear, settled and close", async () => {
    const cache = new TieredCache<number>({ l2: new MemoryBackend(), namespace: 'root', l1: { maxEntries: 10 } });
    const nested = cache.region('a').region('b');
    await nested.set('k', 1);
    expect(nested.peek('k')).toBe(1);
    await cache.clear();
    expect(nested.peek('k')).toBeUndefined();
    expect(await nested.get('k')).toBeUndefined();
    const load = deferred<number>();
    const loading = nested.getOrLoad('slow', () => load.promise);
    let settled = false;
    const settling = cache.settled().then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    load.resolve(2);
    await settling;
    expect(await loading).toBe(2);
    await cache.close();
    expect(nested.closed).toBe(true);
    await expect(nested.get('k')).rejects.toMatchObject({ code: 'CACHE_CLOSED' });
  });

  it('checks a region name and options before looking the region up', () => {
    const cache = make();
    cache.region('r');
    expect(() => cache.region('')).toThrow('Expected `name` to be 1-128 letters, digits, _, - or ., got "" (string)');
    expect(() => cache.region(7 as never)).toThrow('Expected `name` to be 1-128 letters, digits, _, - or ., got 7 (number)');
    expect(() => cache.region('x'.repeat(129))).toThrow(TypeError);
    expect(() => cache.region('r', null as never)).toThrow('Expected `options` to be an object, got null');
    expect(() => cache.region('new', 'ttl' as never)).toThrow('Expected `options` to be an object, got "ttl" (string)');
  });

  it('serves a stale L1 value while one refresh runs, with staleWhileRevalidateMs', async () => {
    let now = 0;
    const clock = (): number => now;
    const cache = make<string>({ l2: new MemoryBackend({ clock }), l1: { maxEntries: 10, clock } });
    let calls = 0;
    const loader = async (): Promise<string> => `v${(calls += 1)}`;
    const options = { ttlMs: 100, staleWhileRevalidateMs: 1000 };
    expect(await cache.getOrLoad('k', loader, options)).toBe('v1');
    expect(await cache.getOrLoad('k', loader, options)).toBe('v1');
    now = 150;
    expect(await cache.getOrLoad('k', loader, options)).toBe('v1');
    for (let i = 0; i < 20 && calls < 2; i += 1) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(2);
    expect(await cache.getOrLoad('k', loader, options)).toBe('v2');
    await expect(cache.getOrLoad('e', () => Promise.reject(new Error('boom')), options)).rejects.toThrow('boom');
    await expect(cache.getOrLoad('k', loader, { staleWhileRevalidateMs: -1 })).rejects.toThrow('Expected `staleWhileRevalidateMs` to be a non-negative finite number, got -1 (number)');
  });

  it('rejects calls with CACHE_CLOSED after close and closes regions', async () => {
    const cache = new TieredCache({ l2: new MemoryBackend(), namespace: 'c' });
    const region = cache.region('r');
    await cache[Symbol.asyncDispose]();
    await cache.close();
    await expect(cache.set('a', 1)).rejects.toMatchObject({ code: 'CACHE_CLOSED' });
    await expect(region.get('a')).rejects.toMatchObject({ code: 'CACHE_CLOSED' });
    await expect(cache.getOrLoad('a', () => 1)).rejects.toMatchObject({ code: 'CACHE_CLOSED' });
    expect(() => cache.region('other')).toThrow(expect.objectContaining({ code: 'CACHE_CLOSED' }));
    const events = cache.subscribeInvalidation();
    expect(await events.next()).toEqual({ value: undefined, done: true });
  });

  it('exposes metrics and a health check', async () => {
    const cache = make();
    await cache.set('a', 1);
    await cache.get('a');
    const registry = new MetricsRegistry();
    registry.addCollector(() => cache.collectMetrics());
    const names = registry.collect().map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['patinox_cache_l1_hits_total', 'patinox_cache_l2_get_ms', 'patinox_cache_bus_lag_ms']));
    const report = await checkHealth([cache.healthCheck()]);
    expect(report.status).toBe('up');
    expect(() => cache.healthCheck(0)).toThrow('Expected `timeoutMs` to be a positive number of ms at most 2147483647, got 0 (number)');
  });
});

describe('TieredCache coherence (MemoryBus)', () => {
  it('removes a key from every other instance L1 after a write', async () => {
    const l2 = new MemoryBackend();
    const bus = new MemoryBus();
    const a = make<number>({ l2, bus });
    const b = make<number>({ l2, bus });
    await a.set('k', 1);
    expect(await b.get('k')).toBe(1);
    await a.set('k', 2);
    await Promise.resolve();
    expect(await b.get('k')).toBe(2);
    await a.delete('k');
    await Promise.resolve();
    expect(await b.get('k')).toBeUndefined();
    await b.set('t', 1, { tags: ['x'] });
    expect(await a.get('t')).toBe(1);
    await b.invalidateTag('x');
    expect(await a.get('t')).toBeUndefined();
    await a.set('c', 1);
    expect(await b.get('c')).toBe(1);
    await a.clear();
    expect(await b.get('c')).toBeUndefined();
    expect(b.stats().bus.received).toBeGreaterThanOrEqual(3);
    expect(b.stats().bus.lagMs.count).toBeGreaterThanOrEqual(3);
  });

  it('never fills L1 with an L2 answer older than an invalidation that arrived meanwhile', async () => {
    const inner = new MemoryBackend();
    let release: (() => void) | undefined;
    const slow: CacheBackend = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'get') {
          return async (key: string) => {
            const value = await target.get(key);
            await new Promise<void>((r) => (release = r));
            return value;
          };
        }
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const bus = new MemoryBus();
    const writer = make<number>({ l2: inner, bus });
    const reader = make<number>({ l2: slow, bus });
    await writer.set('k', 1);
    const pending = reader.get('k');
    await new Promise((r) => setImmediate(r));
    await writer.set('k', 2);
    await Promise.resolve();
    release!();
    expect(await pending).toBe(1);
    expect(reader.stats().l1?.size).toBe(0);
  });

  it('stops trusting L1 during a bus outage and flushes it when the bus is back', async () => {
    const l2 = new MemoryBackend();
    const bus = new MemoryBus();
    const monitor = new MemoryMonitor();
    const a = make<number>({ l2, bus });
    const b = make<number>({ l2, bus, monitor });
    await a.set('k', 1);
    expect(await b.get('k')).toBe(1);
    bus.setState('disconnected');
    bus.setState('disconnected');
    await a.set('k', 2);
    // The message was lost, but b goes to L2 while the bus is down.
    expect(await b.get('k')).toBe(2);
    expect(await b.get('k', { allowStale: true })).toBe(2);
    expect((await b.health()).status).toBe('degraded');
    bus.setState('connected');
    expect(b.stats().l1?.size).toBe(0);
    expect(b.stats().l1Flushes).toBe(1);
    expect(b.stats().bus.disconnects).toBe(1);
    expect(monitor.events('cache.tiered.bus.disconnected')).toHaveLength(1);
    expect(monitor.events('cache.tiered.bus.reconnected')).toHaveLength(1);
    expect(monitor.events('cache.tiered.l1.flushed')).toHaveLength(1);
  });

  it('streams local and remote invalidations to subscribers until they stop', async () => {
    const l2 = new MemoryBackend();
    const bus = new MemoryBus();
    const a = make({ l2, bus });
    const b = make({ l2, bus });
    const controller = new AbortController();
    const events = b.subscribeInvalidation({ signal: controller.signal, bufferSize: 2 });
    await a.set('k', 1);
    await b.delete('j');
    await Promise.resolve();
    const first = await events.next();
    expect(first.value).toMatchObject({ keys: ['k'], local: false, origin: a.instanceId });
    expect((first.value as { lagMs: number }).lagMs).toBeGreaterThanOrEqual(0);
    expect((await events.next()).value).toMatchObject({ keys: ['j'], local: true });
    const waiting = events.next();
    controller.abort();
    expect(await waiting).toEqual({ value: undefined, done: true });
    const loop = b.subscribeInvalidation();
    await a.set('z', 1);
    await Promise.resolve();
    for await (const event of loop) {
      expect(event.keys).toEqual(['z']);
      break;
    }
    const aborted = new AbortController();
    aborted.abort();
    expect(await b.subscribeInvalidation({ signal: aborted.signal }).next()).toEqual({ value: undefined, done: true });
  });

  it('ignores messages of other namespaces and its own', async () => {
    const l2 = new MemoryBackend();
    const bus = new MemoryBus();
    const a = make({ l2, bus, namespace: 'one' });
    const b = make({ l2, bus, namespace: 'two' });
    await b.set('k', 1);
    await a.set('k', 1);
    await Promise.resolve();
    expect(a.stats().bus.received).toBe(0);
    expect(b.stats().bus.received).toBe(0);
    expect(a.stats().bus.published).toBe(1);
  });
});

describe('TieredCache faults (injected backend failures)', () => {
  it('serves L1, rejects writes with CACHE_BACKEND_UNAVAILABLE, opens and closes the circuit', async () => {
    let now = 0;
    const { backend, mode } = flaky();
    const monitor = new MemoryMonitor();
    const cache = make<number>({ l2: backend, monitor, clock: () => now, circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 1000 } });
    await cache.set('k', 1);
    mode.down = true;
    expect(await cache.get('k')).toBe(1);
    await expect(cache.set('k', 2)).rejects.toMatchObject({ code: 'CACHE_BACKEND_UNAVAILABLE', recovery: 'retry' });
    await expect(cache.get('other')).rejects.toMatchObject({ code: 'CACHE_BACKEND_UNAVAILABLE' });
    expect(cache.stats().circuit.state).toBe('open');
    await expect(cache.get('other')).rejects.toThrow('circuit is open');
    expect(await cache.get('k')).toBe(1);
    mode.down = false;
    now = 1500;
    expect(cache.stats().circuit.state).toBe('half-open');
    expect(await cache.get('other')).toBeUndefined();
    expect(cache.stats().circuit).toEqual({ state: 'closed', opens: 1 });
    // L1 was flushed when the circuit closed: nothing written during the outage survives.
    expect(cache.stats().l1?.size).toBe(0);
    expect(monitor.events('cache.tiered.circuit.open')).toHaveLength(1);
    expect(monitor.events('cache.tiered.circuit.closed')).toHaveLength(1);
  });

  it('degrades to L1 when configured: writes succeed locally and reads miss instead of failing', async () => {
    const { backend, mode } = flaky();
    const cache = make<number>({ l2: backend, degradeToL1: true, circuitBreaker: false });
    mode.down = true;
    expect(await cache.set('k', 1)).toBe(true);
    expect(await cache.get('k')).toBe(1);
    expect(await cache.get('missing')).toBeUndefined();
    expect(await cache.getMany(['k', 'missing'])).toEqual([1, undefined]);
    expect(await cache.delete('k')).toBe(true);
    await cache.setMany([{ key: 'm', value: 1 }]);
    expect(await cache.getOrLoad('loaded', () => 7)).toBe(7);
    expect(cache.stats().degradedWrites).toBe(4);
    await expect(cache.get('missing', { consistent: true })).rejects.toMatchObject({ code: 'CACHE_BACKEND_UNAVAILABLE' });
  });

  it('never lets a hanging L2 hold a caller past operationTimeoutMs', async () => {
    jest.useFakeTimers();
    try {
      const { backend, mode } = flaky();
      const cache = make<number>({ l2: backend, operationTimeoutMs: 50 });
      mode.hang = true;
      const pending = cache.get('k');
      const settled = expect(pending).rejects.toMatchObject({ code: 'CACHE_BACKEND_UNAVAILABLE', context: { timeout: true } });
      await jest.advanceTimersByTimeAsync(50);
      await settled;
      expect(cache.stats().l2.timeouts).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('reports health down when L2 does not answer ping', async () => {
    const { backend, mode } = flaky();
    const cache = make({ l2: backend });
    mode.down = true;
    const health = await cache.health();
    expect(health.status).toBe('down');
  });
});
