import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { isPatinoxError } from '@patinox/errors';
import { disposeRedis, eventually, redisUrl, startRedis, type RedisServerHandle } from '@patinox/test-servers';
import { POOL_TIMEOUT, Pool, type ConnectionManager, type PoolTimeoutError } from '../src/index.js';

// Real Redis on loopback: many callers, connections killed by the server, and a server that stops and returns.
const clientName = `patinox-pool-test-${process.pid}`;

function redisManager(url: string): ConnectionManager<Redis> {
  return {
    async create(signal) {
      // The pool owns reconnection: ioredis must neither retry nor queue commands on its own.
      const client = new Redis(url, {
        lazyConnect: true,
        connectionName: clientName,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        connectTimeout: 1000,
      });
      // connect() rejects with a bare "Connection is closed."; the 'error' event has the real cause.
      let lastError: unknown;
      client.on('error', (error) => {
        lastError = error;
      });
      const onAbort = (): void => client.disconnect();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await client.connect();
        return client;
      } catch (error) {
        client.disconnect();
        throw lastError ?? error;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    isValid: (client) => client.status === 'ready',
    destroy: (client) => client.disconnect(),
    watch: (client, onError) => {
      const onClose = (): void => onError(new Error('redis connection closed'));
      client.on('close', onClose);
      return () => client.off('close', onClose);
    },
  };
}

describe('Pool with real Redis connections (ioredis)', () => {
  const admin = new Redis(redisUrl(), { lazyConnect: true });
  const ourClients = async (): Promise<string[]> =>
    String(await admin.client('LIST'))
      .split('\n')
      .filter((line) => line.includes(`name=${clientName}`))
      .map((line) => /id=(\d+)/.exec(line)![1]!);
  const killAll = async (): Promise<number> => {
    let killed = 0;
    for (const id of await ourClients()) killed += Number(await admin.call('CLIENT', 'KILL', 'ID', id));
    return killed;
  };

  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(() => {
    admin.disconnect();
  });

  it('serves 1000 concurrent callers through a pool of 20', async () => {
    const pool = new Pool(redisManager(redisUrl()), { maxSize: 20, acquireTimeoutMs: 15_000 });
    const key = `patinox:pool:test:${process.pid}`;
    await admin.del(key);
    await Promise.all(Array.from({ length: 1000 }, () => pool.use((client) => client.incr(key))));
    expect(await admin.get(key)).toBe('1000');
    expect(pool.stats()).toMatchObject({ acquired: 1000, timeouts: 0, waiting: 0 });
    expect(pool.stats().size).toBeLessThanOrEqual(20);
    expect((await ourClients()).length).toBeLessThanOrEqual(20);
    await admin.del(key);
    await pool.close();
  });

  it('detects connections killed with CLIENT KILL mid-load, replaces them, and never hangs a caller', async () => {
    const pool = new Pool(redisManager(redisUrl()), { minSize: 3, maxSize: 8, acquireTimeoutMs: 5000 });
    let failed = 0;
    const call = async (): Promise<string> => {
      const loan = await pool.acquire();
      try {
        const reply = await loan.connection.ping();
        await new Promise((r) => setTimeout(r, 1));
        loan.release();
        return reply;
      } catch (error) {
        failed += 1;
        loan.destroy(error);
        throw error;
      }
    };
    const load = Array.from({ length: 400 }, () => call());
    await eventually(() => pool.stats().acquired >= 50, { timeoutMs: 10_000 });
    const killedMidLoad = await killAll();
    expect(killedMidLoad).toBeGreaterThan(0);
    const outcomes = await Promise.allSettled(load);
    expect(outcomes.filter((o) => o.status === 'fulfilled').length + failed).toBe(400);
    expect(pool.stats().destroyed).toBeGreaterThanOrEqual(killedMidLoad);

    await eventually(() => pool.stats().idle >= 3, { timeoutMs: 5000 });
    const createdBefore = pool.stats().created;
    expect(await killAll()).toBeGreaterThanOrEqual(3);
    await eventually(() => pool.stats().created >= createdBefore + 3 && pool.stats().idle >= 3, { timeoutMs: 5000 });
    const after = await Promise.all(Array.from({ length: 50 }, () => call()));
    expect(after.every((r) => r === 'PONG')).toBe(true);
    expect((await ourClients()).length).toBeLessThanOrEqual(8);
    await pool.close();
  });

  describe('when the server stops', () => {
    let server: RedisServerHandle | undefined;
    beforeAll(async () => {
      server = await startRedis();
    });
    afterAll(async () => {
      await disposeRedis(server);
    });

    it('fails acquires by their deadline with the connect error as cause, and recovers by itself when the server returns', async () => {
      const pool = new Pool(redisManager(server!.url), {
        minSize: 2,
        maxSize: 5,
        acquireTimeoutMs: 400,
        createRetryDelayMs: 50,
        createRetryMaxDelayMs: 200,
      });
      try {
      await eventually(() => pool.stats().idle === 2, { timeoutMs: 5000 });
      await server!.stop();
      await eventually(() => pool.stats().idle === 0, { timeoutMs: 5000 });

      const started = Date.now();
      const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => pool.acquire()));
      const elapsed = Date.now() - started;
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        const error = (outcome as PromiseRejectedResult).reason as PoolTimeoutError;
        expect(isPatinoxError(error, POOL_TIMEOUT)).toBe(true);
        expect(error.phase).toBe('connect');
        expect(String((error.cause as Error).message)).toMatch(/ECONNREFUSED/);
      }
      // Settled by the 400 ms deadline (the bound leaves room for a loaded CI machine).
      expect(elapsed).toBeLessThan(2000);

      await server!.restart();
      await eventually(() => pool.stats().idle === 2, { timeoutMs: 5000 });
      expect(await pool.use((client) => client.ping())).toBe('PONG');
      } finally {
        await pool.close();
      }
    });
  });
});
