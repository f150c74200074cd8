import { describe, expect, it } from '@jest/globals';
import { Cache } from '../src/index.js';
import { MemoryBackend, MemoryBus, Serializer, TieredCache } from '../src/tiered/index.js';
import { RedisBackend, RedisBus } from '../src/backends/redis.js';
import { PostgresStore } from '../src/backends/postgres.js';

const unknown = (bag: string, key: string, hint: string): TypeError =>
  new TypeError(`Expected \`${bag}\` to have only known keys, got unknown key \`${key}\`; ${hint}`);

describe('Cache refuses unknown option keys', () => {
  it('in the constructor, naming the option it most likely meant', () => {
    expect(() => new Cache({ maxEntries: 10, maxEntrys: 10 } as never)).toThrow(unknown('options', 'maxEntrys', 'did you mean `maxEntries`?'));
    expect(() => new Cache({ maxEntries: 10, ttlMs: 5 } as never)).toThrow(/unknown key `ttlMs`; known keys: maxEntries, maxSizeBytes, sizeOf, defaultTtlMs, /);
  });

  it('in per-call options: set, getOrLoad, getMany, setMany entries, peek, stats and region', async () => {
    const cache = new Cache<string, number>({ maxEntries: 10, cleanupIntervalMs: 0 });
    expect(() => cache.set('a', 1, { ttl: 5 } as never)).toThrow(unknown('options', 'ttl', 'did you mean `ttlMs`?'));
    expect(cache.has('a')).toBe(false);
    expect(cache.set('a', 1, { ttlMs: 5, sizeBytes: 1, tags: ['t'], sliding: false })).toBe(true);
    await expect(cache.getOrLoad('b', () => 2, { softTimeout: 5 } as never)).rejects.toThrow(unknown('options', 'softTimeout', 'did you mean `softTimeoutMs`?'));
    await expect(cache.getMany(['b'], () => new Map([['b', 2]]), { tag: ['x'] } as never)).rejects.toThrow(unknown('options', 'tag', 'did you mean `tags`?'));
    expect(() => cache.setMany([{ key: 'c', value: 3, ttl: 5 }] as never)).toThrow(unknown('entries[0]', 'ttl', 'did you mean `ttlMs`?'));
    expect(() => cache.peek('a', { allowstale: true } as never)).toThrow(unknown('options', 'allowstale', 'did you mean `allowStale`?'));
    expect(() => cache.stats({ rest: true } as never)).toThrow(unknown('options', 'rest', 'did you mean `reset`?'));
    expect(() => cache.region('r', { maxentries: 5 } as never)).toThrow(unknown('options', 'maxentries', 'did you mean `maxEntries`?'));
    cache.close();
  });
});

describe('TieredCache and its parts refuse unknown option keys', () => {
  const make = (): TieredCache<number> => new TieredCache<number>({ l2: new MemoryBackend(), bus: new MemoryBus(), namespace: 'typos', serializer: new Serializer() });

  it('in the constructor and its nested bags', () => {
    const l2 = new MemoryBackend();
    expect(() => new TieredCache({ l2, namespace: 'n', defaultTtl: 5 } as never)).toThrow(unknown('options', 'defaultTtl', 'did you mean `defaultTtlMs`?'));
    expect(() => new TieredCache({ l2, namespace: 'n', circuitBreaker: { failureThreshhold: 3 } } as never)).toThrow(
      unknown('circuitBreaker', 'failureThreshhold', 'did you mean `failureThreshold`?'),
    );
    expect(() => new TieredCache({ l2, namespace: 'n', serializer: { decoder: [] } } as never)).toThrow(unknown('serializer', 'decoder', 'did you mean `decoders`?'));
    expect(() => new Serializer({ codecs: [] } as never)).toThrow(unknown('options', 'codecs', 'did you mean `codec`?'));
    expect(() => new TieredCache({ l2, namespace: 'n', l1: { maxEntrys: 5 } } as never)).toThrow(unknown('l1', 'maxEntrys', 'did you mean `maxEntries`?'));
  });

  it('in per-call options, before anything is written', async () => {
    const cache = make();
    await expect(cache.set('a', 1, { ttl: 5 } as never)).rejects.toThrow(unknown('options', 'ttl', 'did you mean `ttlMs`?'));
    await expect(cache.get('a', { consistant: true } as never)).rejects.toThrow(unknown('options', 'consistant', 'did you mean `consistent`?'));
    expect(await cache.get('a')).toBeUndefined();
    await expect(cache.getOrLoad('a', () => 1, { hardTimeout: 5 } as never)).rejects.toThrow(unknown('options', 'hardTimeout', 'did you mean `hardTimeoutMs`?'));
    await expect(cache.getMany(['a'], () => new Map([['a', 1]]), { softTimeoutMs: 5 } as never)).rejects.toThrow(/unknown key `softTimeoutMs`; known keys: ttlMs, tags, sliding, signal, hardTimeoutMs$/);
    await expect(cache.increment('n', 1, { ttl: 5 } as never)).rejects.toThrow(unknown('options', 'ttl', 'did you mean `ttlMs`?'));
    expect(() => cache.peek('a', { allowstale: true } as never)).toThrow(unknown('options', 'allowstale', 'did you mean `allowStale`?'));
    expect(() => cache.stats({ rest: true } as never)).toThrow(unknown('options', 'rest', 'did you mean `reset`?'));
    expect(() => cache.subscribeInvalidation({ buffersize: 5 } as never)).toThrow(unknown('options', 'buffersize', 'did you mean `bufferSize`?'));
    expect(() => cache.region('r', { l2: new MemoryBackend() } as never)).toThrow(
      new TypeError("Expected `options` to have only keys a region may set, got `l2`: a region shares its parent's l2"),
    );
    expect(() => cache.region('r', { slidingTTL: true } as never)).toThrow(unknown('options', 'slidingTTL', 'did you mean `slidingTtl`?'));
    await expect(cache.scan('*', { batch: 5 } as never).next()).rejects.toThrow(/unknown key `batch`/);
    await expect(cache.importSnapshot('/nonexistent', { overwite: false } as never)).rejects.toThrow(unknown('options', 'overwite', 'did you mean `overwrite`?'));
    await cache.close();
  });

  it('in the backends, the bus and the store', async () => {
    const l2 = new MemoryBackend();
    expect(() => new MemoryBackend({ now: () => 0 } as never)).toThrow(unknown('options', 'now', 'known keys: clock'));
    await expect(l2.set('k', Buffer.from('v'), { ttl: 5 } as never)).rejects.toThrow(unknown('options', 'ttl', 'did you mean `ttlMs`?'));
    expect(() => new RedisBackend({ url: 'redis://127.0.0.1:6379', redisOption: {} } as never)).toThrow(unknown('options', 'redisOption', 'did you mean `redisOptions`?'));
    const client = { duplicate: () => undefined };
    expect(() => new RedisBus({ client, chanel: 'x' } as never)).toThrow(unknown('options', 'chanel', 'did you mean `channel`?'));
    expect(() => new PostgresStore({ connectionString: 'postgres://127.0.0.1/test', tabel: 'x' } as never)).toThrow(unknown('options', 'tabel', 'did you mean `table`?'));
    await l2.close();
  });
});
