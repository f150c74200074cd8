import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { isPatinoxError } from '@patinox/errors';
import { eventually, postgresUrl, startSilentServer } from '@patinox/test-servers';
import { POOL_MANAGER_ERROR, POOL_TIMEOUT, Pool } from '../src/index.js';
import {
  POOL_PG_CONFIG_INVALID,
  POOL_PG_CONNECTION_LOST,
  POOL_PG_CONNECT_FAILED,
  createPgConnectionManager,
  createPgPool,
} from '../src/pg/index.js';

// createPgConnectionManager and createPgPool against the real PostgreSQL, including backends killed by
// the server (pg_terminate_backend) while callers run.
const url = postgresUrl();
const appName = `patinox-pg-manager-${process.pid}`;

/** The shared helper with this file's longer default (a server restart can take seconds). */
const poll = (condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => eventually(condition, { timeoutMs });

const admin = new pg.Client({ connectionString: url });
const backends = async (name: string): Promise<number[]> =>
  (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [name])).rows.map((r) => r.pid);
const terminate = async (name: string): Promise<number> =>
  (await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name])).rowCount ?? 0;

beforeAll(async () => {
  await admin.connect();
});
afterAll(async () => {
  await admin.end();
});

describe('createPgConnectionManager', () => {
  it('throws POOL_PG_CONFIG_INVALID at once for a config pg.Client refuses', () => {
    expect(() => createPgConnectionManager({ config: 'postgres://u@h:99999/x' })).toThrow(
      expect.objectContaining({ code: POOL_PG_CONFIG_INVALID }),
    );
    expect(() => createPgPool({ connectionString: 'postgres://a:b@[::1/x' })).toThrow(
      expect.objectContaining({ code: POOL_PG_CONFIG_INVALID }),
    );
  });

  it('names the bad option for malformed options', () => {
    expect(() => createPgConnectionManager({ config: 5 as never })).toThrow(TypeError);
    expect(() => createPgConnectionManager({ resetSession: '  ' })).toThrow(/resetSession/);
    expect(() => createPgConnectionManager({ Client: 'pg' as never })).toThrow(/`Client`/);
    expect(() => createPgPool({ max: 0 })).toThrow(/`max`/);
    expect(() => createPgPool({ maxUses: -1 })).toThrow(/`maxUses`/);
  });

  it('rejects every waiter at once with POOL_MANAGER_ERROR for an unknown database', async () => {
    const pool = new Pool(createPgConnectionManager({ config: url.replace(/\/[^/?]*(\?|$)/, '/patinox_no_such_db$1') }), { acquireTimeoutMs: 10_000 });
    const started = Date.now();
    const errors = await Promise.all([pool.acquire(), pool.acquire()].map((p) => p.catch((e: unknown) => e)));
    expect(Date.now() - started).toBeLessThan(5000);
    for (const error of errors) {
      expect(error).toMatchObject({ code: POOL_MANAGER_ERROR });
      expect((error as Error).cause).toMatchObject({ code: POOL_PG_CONNECT_FAILED, sqlstate: '3D000', recovery: 'fail' });
    }
    await pool.close();
  });

  it('rejects with POOL_MANAGER_ERROR for a port the socket layer refuses', async () => {
    const pool = new Pool(createPgConnectionManager({ config: { host: '127.0.0.1', port: 'abc' as never } }), { acquireTimeoutMs: 10_000 });
    await expect(pool.acquire()).rejects.toMatchObject({ code: POOL_MANAGER_ERROR });
    await pool.close();
  });

  it('aborts a connect to a server that accepts TCP but never answers, destroying the socket', async () => {
    const server = await startSilentServer();
    const pool = new Pool(createPgConnectionManager({ config: { host: '127.0.0.1', port: server.port }, connectTimeoutMs: 100 }), { acquireTimeoutMs: 300 });
    try {
      const error = await pool.acquire().catch((e: unknown) => e);
      expect(isPatinoxError(error, POOL_TIMEOUT)).toBe(true);
      expect((error as { phase: string }).phase).toBe('connect');
      await pool.close();
      // Every aborted connect destroyed its socket: the silent server is left holding none.
      await poll(() => server.openSockets === 0, 2000);
    } finally {
      await server.close();
    }
  });

  it('validates with an empty query, and fails validation for a client that was ended', async () => {
    const manager = createPgConnectionManager({ config: url });
    const client = await manager.create(new AbortController().signal);
    expect(await manager.isValid(client)).toBe(true);
    await client.end();
    expect(await manager.isValid(client)).toBe(false);
  });

  it('runs onConnect on each new client before it is lent', async () => {
    const manager = createPgConnectionManager({
      config: url,
      onConnect: async (client) => {
        await client.query("SET application_name = 'patinox_on_connect'");
      },
    });
    const pool = new Pool(manager);
    const name = await pool.use(async (c) => (await c.query<{ application_name: string }>('SHOW application_name')).rows[0]!.application_name);
    expect(name).toBe('patinox_on_connect');
    await pool.close();
  });
});

describe('createPgPool under server-side kills', () => {
  it('answers every caller with a result or a coded error by its deadline while backends are killed, then refills to min', async () => {
    const name = `${appName}-load`;
    const pool = createPgPool({ connectionString: url, application_name: name, min: 4, max: 8, connectionTimeoutMillis: 3000 });
    const deadlineMs = 3000 + 1000;
    const outcomes = { ok: 0, coded: 0, uncoded: [] as unknown[], late: 0 };
    let running = true;
    const caller = async (): Promise<void> => {
      while (running) {
        const started = Date.now();
        try {
          await pool.query('SELECT pg_sleep(0.001), $1::int AS n', [1]);
          outcomes.ok += 1;
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          if (typeof code === 'string') outcomes.coded += 1;
          else outcomes.uncoded.push(error);
        }
        if (Date.now() - started > deadlineMs) outcomes.late += 1;
      }
    };
    const callers = Array.from({ length: 32 }, () => caller());
    await poll(() => outcomes.ok >= 50);
    let killed = 0;
    for (let round = 0; round < 5; round += 1) {
      killed += await terminate(name);
      await new Promise((r) => setTimeout(r, 40));
    }
    const okAtLastKill = outcomes.ok;
    await poll(() => outcomes.ok >= okAtLastKill + 200);
    running = false;
    await Promise.all(callers);
    expect(killed).toBeGreaterThan(0);
    expect(outcomes.uncoded).toEqual([]);
    expect(outcomes.late).toBe(0);
    expect(outcomes.coded).toBeGreaterThan(0);
    // Idle backends killed by the server are dropped and min is restored without a caller asking.
    await poll(() => pool.idleCount >= 4);
    const before = new Set(await backends(name));
    expect(await terminate(name)).toBeGreaterThanOrEqual(4);
    await poll(async () => {
      const now = await backends(name);
      return now.length >= 4 && now.every((pid) => !before.has(pid)) && pool.idleCount >= 4;
    });
    expect(pool.totalCount).toBeLessThanOrEqual(8);
    await pool.end();
    await poll(async () => (await backends(name)).length === 0);
  });

  it('gives a query whose backend dies mid-flight a coded error (SQLSTATE 57P01 or POOL_PG_CONNECTION_LOST)', async () => {
    const name = `${appName}-midflight`;
    const pool = createPgPool({ connectionString: url, application_name: name, max: 2 });
    const running = pool.query('SELECT pg_sleep(5)');
    await poll(async () => (await backends(name)).length === 1);
    await terminate(name);
    const error = await running.catch((e: unknown) => e);
    const code = (error as { code?: unknown }).code;
    expect(code === '57P01' || code === POOL_PG_CONNECTION_LOST).toBe(true);
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await pool.end();
  });
});
