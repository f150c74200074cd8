import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { eventually, postgresUrl } from '@patinox/test-servers';
import { POOL_STARTUP_FAILED, POOL_TIMEOUT, Pool } from '../src/index.js';
import { createPgConnectionManager } from '../src/pg/index.js';

// Start-up (initialSize, ready, failFast) and soft eviction against the real PostgreSQL: backends are
// counted and identified through pg_stat_activity and pg_backend_pid().
const url = postgresUrl();
const admin = new pg.Client({ connectionString: url });
let run = 0;

function appName(): string {
  run += 1;
  return `patinox-pool-lifecycle-${process.pid}-${run}`;
}

function manager(applicationName: string) {
  return createPgConnectionManager({ config: { connectionString: url, application_name: applicationName } });
}

const backends = async (name: string): Promise<number[]> =>
  (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid', [name])).rows.map((r) => r.pid);

/** The shared helper with this file's longer default (a server restart can take seconds). */
const poll = (condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => eventually(condition, { timeoutMs });

/** A loopback port with nothing listening: connects fail with ECONNREFUSED. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  await admin.connect();
});
afterAll(async () => {
  await admin.end();
});

describe('Pool start-up on PostgreSQL', () => {
  it('ready() resolves once initialSize backends are connected', async () => {
    const name = appName();
    const pool = new Pool(manager(name), { initialSize: 3, maxSize: 5 });
    await pool.ready({ signal: AbortSignal.timeout(10_000) });
    expect(await backends(name)).toHaveLength(3);
    expect(pool.stats()).toMatchObject({ size: 3, idle: 3 });
    await pool.close();
  });

  it('failFast rejects ready() with POOL_STARTUP_FAILED carrying the connect error', async () => {
    const port = await closedPort();
    const pool = new Pool(createPgConnectionManager({ config: { host: '127.0.0.1', port, user: 'postgres', database: 'test' } }), {
      initialSize: 2,
      failFast: true,
    });
    const error = await pool.ready().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: POOL_STARTUP_FAILED });
    expect(String((error as Error).cause)).toMatch(/ECONNREFUSED/);
    await pool.close();
  });

  it('without failFast, ready() keeps waiting and rejects with POOL_TIMEOUT at its deadline', async () => {
    const port = await closedPort();
    const pool = new Pool(createPgConnectionManager({ config: { host: '127.0.0.1', port, user: 'postgres', database: 'test' } }), {
      initialSize: 1,
      createRetryDelayMs: 20,
    });
    const started = Date.now();
    const error = await pool.ready({ timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(error).toMatchObject({ code: POOL_TIMEOUT, phase: 'connect' });
    expect(pool.stats().createErrors).toBeGreaterThan(1);
    await pool.close();
  });
});

describe('Pool soft eviction on PostgreSQL', () => {
  it('softEvictAll closes idle backends now and the borrowed one when it comes back, and new loans use new backends', async () => {
    const name = appName();
    const pool = new Pool(manager(name), { initialSize: 3, maxSize: 3 });
    await pool.ready();
    const before = await backends(name);
    expect(before).toHaveLength(3);
    const held = await pool.acquire();
    const heldPid = (await held.connection.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    expect(pool.softEvictAll()).toBe(3);
    await poll(async () => (await backends(name)).length === 1);
    expect(await backends(name)).toEqual([heldPid]);
    // The borrowed connection keeps working until it is released.
    expect((await held.connection.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    held.release();
    await poll(async () => !(await backends(name)).includes(heldPid));
    const pids = await Promise.all(
      [0, 1].map(() => pool.use(async (client) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.05)')).rows[0]!.pid)),
    );
    for (const pid of pids) expect(before).not.toContain(pid);
    expect(pool.stats().evicted).toBe(3);
    await pool.close();
  });

  it('evictIdle replaces idle backends, keeping minSize', async () => {
    const name = appName();
    const pool = new Pool(manager(name), { minSize: 2, maxSize: 4 });
    await pool.ready();
    const before = await backends(name);
    expect(pool.evictIdle()).toBe(2);
    await poll(async () => {
      const now = await backends(name);
      return now.length === 2 && now.every((pid) => !before.includes(pid));
    });
    await pool.close();
  });
});
