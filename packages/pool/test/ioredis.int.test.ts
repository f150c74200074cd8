import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { isPatinoxError } from '@patinox/errors';
import { eventually, redisUrl, startSilentServer } from '@patinox/test-servers';
import { POOL_MANAGER_ERROR, POOL_TIMEOUT, Pool } from '../src/index.js';
import { POOL_REDIS_CONNECTION_LOST, POOL_REDIS_CONNECT_FAILED, createIoredisConnectionManager, useRedis } from '../src/ioredis/index.js';

// createIoredisConnectionManager on the shared real Redis: blocking commands, pub/sub hand-backs, and
// connections killed with CLIENT KILL while callers run. Keys and client names are unique per run.
const url = redisUrl();
const prefix = `patinox:pool:ioredis:${process.pid}`;

/** The shared helper with this file's longer default (a server restart can take seconds). */
const poll = (condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => eventually(condition, { timeoutMs });

const admin = new Redis(url, { lazyConnect: true });
const clientIds = async (name: string): Promise<string[]> =>
  String(await admin.client('LIST'))
    .split('\n')
    .filter((line) => line.includes(` name=${name} `))
    .map((line) => /id=(\d+)/.exec(line)![1]!);
const killAll = async (name: string): Promise<number> => {
  let killed = 0;
  for (const id of await clientIds(name)) killed += Number(await admin.call('CLIENT', 'KILL', 'ID', id));
  return killed;
};

beforeAll(async () => {
  await admin.connect();
});
afterAll(async () => {
  const keys = await admin.keys(`${prefix}:*`);
  if (keys.length > 0) await admin.del(...keys);
  admin.disconnect();
});

function pool(name: string, options: ConstructorParameters<typeof Pool<Redis>>[1] = {}): Pool<Redis> {
  return new Pool(createIoredisConnectionManager({ redis: { ...redisOptions(), connectionName: name } }), options);
}

function redisOptions(): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379) };
}

describe('createIoredisConnectionManager', () => {
  it('serves blocking commands on dedicated connections', async () => {
    const p = pool(`${prefix}-blocking`, { maxSize: 5 });
    const key = (i: number): string => `${prefix}:queue:${i}`;
    const waits = Array.from({ length: 5 }, (_, i) => useRedis(p, (redis) => redis.blpop(key(i), 5)));
    await poll(async () => (await clientIds(`${prefix}-blocking`)).length === 5);
    for (let i = 0; i < 5; i += 1) await admin.rpush(key(i), `job-${i}`);
    expect(await Promise.all(waits)).toEqual(Array.from({ length: 5 }, (_, i) => [key(i), `job-${i}`]));
    await p.close();
  });

  it('hands a subscriber connection back unsubscribed, without its message listeners', async () => {
    const p = pool(`${prefix}-pubsub`, { maxSize: 1 });
    const channel = `${prefix}:channel`;
    const got: string[] = [];
    await useRedis(p, async (redis) => {
      redis.on('message', (_channel: string, message: string) => got.push(message));
      await redis.subscribe(channel);
      await poll(async () => Number(await admin.publish(channel, 'hello')) === 1 && got.length > 0);
      // Subscribed: ioredis 5 (RESP2) reports mode 'subscriber'; ioredis 6 (RESP3) keeps mode 'normal'.
      expect(Boolean(redis.condition?.subscriber)).toBe(true);
    });
    expect(got[0]).toBe('hello');
    const [mode, listeners, reply] = await useRedis(p, async (redis) => [redis.mode, redis.listenerCount('message'), await redis.set(`${prefix}:k`, 'v')] as const);
    expect(mode).toBe('normal');
    expect(listeners).toBe(0);
    expect(reply).toBe('OK');
    expect(Number(await admin.publish(channel, 'nobody'))).toBe(0);
    await p.close();
  });

  it('hands a connection back without the WATCH or the open MULTI its borrower left behind', async () => {
    const p = pool(`${prefix}-tx`, { maxSize: 1 });
    const watched = `${prefix}:watched`;
    await useRedis(p, (redis) => redis.watch(watched));
    await admin.set(watched, 'changed');
    // Still watched, the next borrower's transaction would be aborted: exec() answers null.
    expect(await useRedis(p, (redis) => redis.multi().set(`${prefix}:tx`, '1').exec())).toEqual([[null, 'OK']]);
    await useRedis(p, async (redis) => {
      await redis.multi({ pipeline: false });
      await redis.set(`${prefix}:queued`, '1');
    });
    // Still inside MULTI, every command of the next borrower would only be queued: get() answers 'QUEUED'.
    expect(await useRedis(p, (redis) => redis.get(`${prefix}:queued`))).toBeNull();
    expect(p.stats()).toMatchObject({ created: 1, destroyed: 0 });
    await p.close();
  });

  it('selects the configured database again after a borrower switched it', async () => {
    const p = pool(`${prefix}-select`, { maxSize: 1 });
    await useRedis(p, (redis) => redis.select(3));
    expect(await useRedis(p, (redis) => redis.condition?.select)).toBe(0);
    await p.close();
  });

  it('validates idle connections with PING and replaces one closed while idle', async () => {
    const name = `${prefix}-validate`;
    const p = pool(name, { maxSize: 2, minSize: 1, validationSkipWindowMs: 0 });
    await poll(() => p.stats().idle === 1);
    expect(await killAll(name)).toBe(1);
    await poll(() => p.stats().destroyed === 1 && p.stats().idle === 1);
    expect(await useRedis(p, (redis) => redis.ping())).toBe('PONG');
    await p.close();
  });

  it('rejects every waiter at once with POOL_MANAGER_ERROR on bad credentials', async () => {
    const p = new Pool(createIoredisConnectionManager({ redis: { ...redisOptions(), username: 'patinox-nobody', password: 'wrong' } }), { acquireTimeoutMs: 10_000 });
    const started = Date.now();
    const error = await p.acquire().catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(isPatinoxError(error, POOL_MANAGER_ERROR)).toBe(true);
    expect((error as Error).cause).toMatchObject({ code: POOL_REDIS_CONNECT_FAILED, recovery: 'fail' });
    await p.close();
  });

  it('aborts a connect to a server that accepts TCP but never answers', async () => {
    const server = await startSilentServer();
    const p = new Pool(createIoredisConnectionManager({ redis: { host: '127.0.0.1', port: server.port }, connectTimeoutMs: 100 }), { acquireTimeoutMs: 300 });
    try {
      const error = await p.acquire().catch((e: unknown) => e);
      expect(isPatinoxError(error, POOL_TIMEOUT)).toBe(true);
      await p.close();
      await poll(() => server.openSockets === 0, 2000);
    } finally {
      await server.close();
    }
  });

  it('runs the README example as written', async () => {
    const log: unknown[] = [];
    const console = { log: (...args: unknown[]) => log.push(args) };
    await admin.rpush('jobs', 'readme-job');
    // --- ioredis example (keep in sync with README.md) ---
    const pool = new Pool(createIoredisConnectionManager({ redis: 'redis://127.0.0.1:6379' }), { maxSize: 8 });
    const job = await useRedis(pool, (redis) => redis.blpop('jobs', 5), { timeoutMs: 1000 });
    await useRedis(pool, async (redis) => {
      redis.on('message', (channel, message) => console.log(channel, message));
      await redis.subscribe('news');
    });
    await pool.close();
    // --- end of ioredis example ---
    expect(job).toEqual(['jobs', 'readme-job']);
    expect(log).toEqual([]);
  });

  it('names the bad option for malformed options', () => {
    expect(() => createIoredisConnectionManager({ redis: 42 as never })).toThrow(/`redis`/);
    expect(() => createIoredisConnectionManager({ Redis: {} as never })).toThrow(/`Redis`/);
    expect(() => createIoredisConnectionManager({ connectTimeoutMs: 0 })).toThrow(/`connectTimeoutMs`/);
  });

  it('answers every caller with a result or a coded error by its deadline under CLIENT KILL, then refills to minSize', async () => {
    const name = `${prefix}-kill`;
    const p = pool(name, { minSize: 4, maxSize: 8, acquireTimeoutMs: 2000 });
    const deadlineMs = 2000 + 1000;
    const outcomes = { ok: 0, lost: 0, timeouts: 0, other: [] as unknown[], late: 0 };
    let running = true;
    const caller = async (i: number): Promise<void> => {
      while (running) {
        const started = Date.now();
        try {
          // A blocking pop with a short server-side timeout: the kind of command that needs its own connection.
          await useRedis(p, (redis) => redis.blpop(`${prefix}:kill:${i}`, 0.01));
          outcomes.ok += 1;
        } catch (error) {
          if (isPatinoxError(error, POOL_REDIS_CONNECTION_LOST)) outcomes.lost += 1;
          else if (isPatinoxError(error, POOL_TIMEOUT)) outcomes.timeouts += 1;
          else outcomes.other.push(error);
        }
        if (Date.now() - started > deadlineMs) outcomes.late += 1;
      }
    };
    const callers = Array.from({ length: 24 }, (_, i) => caller(i));
    await poll(() => outcomes.ok >= 50);
    let killed = 0;
    for (let round = 0; round < 5; round += 1) {
      killed += await killAll(name);
      await new Promise((r) => setTimeout(r, 30));
    }
    const okAtLastKill = outcomes.ok;
    await poll(() => outcomes.ok >= okAtLastKill + 100);
    running = false;
    await Promise.all(callers);
    expect(killed).toBeGreaterThan(0);
    expect(outcomes.other).toEqual([]);
    expect(outcomes.late).toBe(0);
    expect(outcomes.lost).toBeGreaterThan(0);
    await poll(() => p.stats().idle >= 4);
    const before = new Set(await clientIds(name));
    expect(await killAll(name)).toBeGreaterThanOrEqual(4);
    await poll(async () => {
      const now = await clientIds(name);
      return now.length >= 4 && now.every((id) => !before.has(id)) && p.stats().idle >= 4;
    });
    await p.close();
    await poll(async () => (await clientIds(name)).length === 0);
  });
});
