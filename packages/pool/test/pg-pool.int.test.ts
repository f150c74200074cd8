import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { isPatinoxError } from '@patinox/errors';
import { MemoryMonitor } from '@patinox/monitor';
import { eventually, postgresUrl, startSilentServer, type SilentServer } from '@patinox/test-servers';
import { POOL_CLOSED, POOL_LOAN_RELEASED, POOL_TIMEOUT } from '../src/index.js';
import { createPgPool, type PgPool, type PgPoolClient, type PgPoolConfig } from '../src/pg/index.js';

// node-postgres' own pg-pool tests (packages/pg-pool/test), ported to createPgPool on the real server.
// Where a behaviour differs on purpose (retried connects, timed-out waits), the test says so.
const connectionString = postgresUrl();
const pools: PgPool[] = [];

function makePool(config: PgPoolConfig = {}): PgPool {
  const pool = createPgPool(config.port === undefined ? { connectionString, ...config } : config);
  pools.push(pool);
  return pool;
}

/** The shared helper under this file's old name (default 5 s). */
const poll = (condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> => eventually(condition, { timeoutMs });

afterAll(async () => {
  await Promise.all(pools.filter((p) => !p.ending).map((p) => p.end()));
});

describe('createPgPool: releasing clients (pg-pool releasing-clients.js)', () => {
  it('removes a client which cannot be queried', async () => {
    const pool = makePool({ max: 1 });
    expect(pool.totalCount).toBe(0);
    const client = await pool.connect();
    expect(pool.totalCount).toBe(1);
    expect(pool.idleCount).toBe(0);
    (client as unknown as { connection: { end(): void } }).connection.end();
    const error = await new Promise((resolve) => client.once('error', resolve));
    expect(error).toBeInstanceOf(Error);
    expect(pool.totalCount).toBe(1);
    client.release();
    expect(pool.totalCount).toBe(0);
    expect(pool.idleCount).toBe(0);
    const { rows } = await pool.query('SELECT NOW()');
    expect(rows).toHaveLength(1);
  });

  it('removes a client which is ending', async () => {
    const pool = makePool({ max: 1 });
    const client = await pool.connect();
    void client.end();
    client.release();
    expect(pool.totalCount).toBe(0);
    expect(pool.idleCount).toBe(0);
    const { rows } = await pool.query('SELECT NOW()');
    expect(rows).toHaveLength(1);
  });

  it('destroys a client released with an error (or true) and emits remove', async () => {
    const pool = makePool({ max: 2 });
    const removed: pg.Client[] = [];
    pool.on('remove', (client: pg.Client) => removed.push(client));
    const a = await pool.connect();
    const b = await pool.connect();
    a.release(new Error('broken'));
    b.release(true);
    expect(pool.totalCount).toBe(0);
    await poll(() => removed.length === 2);
    expect(removed).toEqual(expect.arrayContaining([a, b]));
    const c = await pool.connect();
    expect(c).not.toBe(a);
    expect(c).not.toBe(b);
    c.release();
  });

  it('throws POOL_LOAN_RELEASED on a second release, as pg-pool throws', async () => {
    const pool = makePool({ max: 1 });
    const client = await pool.connect();
    client.release();
    expect(() => client.release()).toThrow(expect.objectContaining({ code: POOL_LOAN_RELEASED }));
  });
});

describe('createPgPool: idle timeout (pg-pool idle-timeout.js)', () => {
  it('times out and removes the client', async () => {
    const pool = makePool({ idleTimeoutMillis: 10 });
    const removed = once(pool, 'remove');
    await pool.query('SELECT NOW()');
    await removed;
    expect(pool.idleCount).toBe(0);
    expect(pool.totalCount).toBe(0);
  });

  it('times out and removes clients when others are also removed', async () => {
    const pool = makePool({ idleTimeoutMillis: 10 });
    const clientA = await pool.connect();
    const clientB = await pool.connect();
    const removal = new Promise<void>((resolve) => {
      pool.on('remove', (client: pg.Client) => {
        if (client !== clientA) return;
        expect(pool.idleCount).toBe(0);
        expect(pool.totalCount).toBe(0);
        resolve();
      });
    });
    clientA.release();
    clientB.release(new Error('gone'));
    await removal;
  });

  it('does not time out clients which are used', async () => {
    const pool = makePool({ idleTimeoutMillis: 1 });
    for (let i = 0; i < 5; i += 1) {
      const client = await pool.connect();
      expect(pool.totalCount).toBe(1);
      expect(pool.idleCount).toBe(0);
      await new Promise((r) => setTimeout(r, 30));
      await client.query('SELECT NOW()');
      client.release();
      expect(pool.idleCount).toBe(1);
      expect(pool.totalCount).toBe(1);
    }
  });

  it('keeps min clients open past the idle timeout', async () => {
    const pool = makePool({ idleTimeoutMillis: 10, min: 2, max: 4 });
    await Promise.all([pool.query('SELECT 1'), pool.query('SELECT 1'), pool.query('SELECT 1'), pool.query('SELECT 1')]);
    await poll(() => pool.totalCount === 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(pool.totalCount).toBe(2);
  });
});

describe('createPgPool: maxUses (pg-pool max-uses.js)', () => {
  it('returns the same client a second time and closes it on the release that uses it up', async () => {
    const pool = makePool({ maxUses: 2 });
    const client = await pool.connect();
    client.release();
    const client2 = await pool.connect();
    expect(client2).toBe(client);
    expect((client2 as unknown as { _ending: boolean })._ending).toBe(false);
    client2.release();
    expect((client2 as unknown as { _ending: boolean })._ending).toBe(true);
    const client3 = await pool.connect();
    expect(client3).not.toBe(client2);
    client3.release();
  });

  it('gives a pending request a fresh client when the released one is used up', async () => {
    const pool = makePool({ max: 1, maxUses: 2 });
    const client1 = await pool.connect();
    const second = pool.connect().then((client2) => {
      expect(client2).toBe(client1);
      expect(pool.waitingCount).toBe(1);
      client2.release();
    });
    const third = pool.connect().then((client3) => {
      expect(pool.waitingCount).toBe(0);
      expect(client3).not.toBe(client1);
      client3.release();
    });
    expect(pool.waitingCount).toBe(2);
    client1.release();
    await Promise.all([second, third]);
  });

  it('counts queries as uses', async () => {
    const pool = makePool({ max: 1, maxUses: 3 });
    const pids = new Set<number>();
    for (let i = 0; i < 9; i += 1) pids.add((await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    expect(pids.size).toBe(3);
  });
});

describe('createPgPool: connection timeout (pg-pool connection-timeout.js)', () => {
  let server: SilentServer;
  let port = 0;

  beforeAll(async () => {
    // Accepts TCP and never answers the startup message.
    server = await startSilentServer();
    port = server.port;
  });

  afterAll(() => server.close());

  it('rejects connect with POOL_TIMEOUT when the server never answers, and closes the socket', async () => {
    const pool = makePool({ connectionTimeoutMillis: 50, host: '127.0.0.1', port });
    const error = await pool.connect().catch((e: unknown) => e);
    expect(isPatinoxError(error, POOL_TIMEOUT)).toBe(true);
    expect(pool.idleCount).toBe(0);
    // The aborted connect destroyed its socket: the silent server is not left holding it.
    await poll(() => server.openSockets === 0);
  });

  it('calls back with an error when the timeout passes', async () => {
    const pool = makePool({ connectionTimeoutMillis: 10, host: '127.0.0.1', port });
    const [error, client] = await new Promise<[Error | undefined, unknown]>((resolve) => pool.connect((e, c) => resolve([e, c])));
    expect(isPatinoxError(error, POOL_TIMEOUT)).toBe(true);
    expect(client).toBeUndefined();
  });

  it('handles multiple timeouts', async () => {
    const pool = makePool({ connectionTimeoutMillis: 1, host: '127.0.0.1', port });
    const errors: unknown[] = [];
    for (let i = 0; i < 15; i += 1) {
      try {
        await pool.connect();
      } catch (error) {
        errors.push(error);
      }
    }
    expect(errors).toHaveLength(15);
    expect(errors.every((e) => isPatinoxError(e, POOL_TIMEOUT))).toBe(true);
  });

  it('times out on checkout of a used connection, then recovers once it is released', async () => {
    const pool = makePool({ connectionTimeoutMillis: 100, max: 1 });
    const client = await pool.connect();
    const error = await pool.connect().catch((e: unknown) => e);
    expect(isPatinoxError(error, POOL_TIMEOUT)).toBe(true);
    const queryError = await pool.query('SELECT now()').catch((e: unknown) => e);
    expect(isPatinoxError(queryError, POOL_TIMEOUT)).toBe(true);
    client.release();
    const { rows } = await pool.query<{ name: string }>('SELECT $1::text AS name', ['brianc']);
    expect(rows).toEqual([{ name: 'brianc' }]);
  });

  it('does not break further pending checkouts on a timeout', async () => {
    const pool = makePool({ connectionTimeoutMillis: 200, max: 1 });
    const outer = await pool.connect();
    const timedOut = pool.connect().then(
      () => 'served',
      (e: unknown) => (isPatinoxError(e, POOL_TIMEOUT) ? 'timeout' : 'other'),
    );
    await new Promise((r) => setTimeout(r, 100));
    const inner = pool.connect();
    expect(await timedOut).toBe('timeout');
    outer.release();
    (await inner).release();
  });

  it('continues after a connection failure: the failed connect is retried within the deadline', async () => {
    // pg-pool rejects the caller with the first connect error; this pool retries it with backoff
    // until the caller's deadline, so a brief failure costs latency, not an error.
    let calls = 0;
    class FlakyClient extends pg.Client {}
    const realConnect = pg.Client.prototype.connect as (this: pg.Client) => Promise<unknown>;
    (FlakyClient.prototype as unknown as { connect: (this: pg.Client) => Promise<unknown> }).connect = function (this: pg.Client) {
      calls += 1;
      if (calls === 1) return Promise.reject(new Error('Temporary connection failure'));
      return realConnect.call(this);
    };
    const pool = makePool({ Client: FlakyClient, connectionTimeoutMillis: 2000, max: 1 });
    const { rows } = await pool.query<{ name: string }>('SELECT $1::text AS name', ['brianc']);
    expect(rows).toHaveLength(1);
    expect(calls).toBe(2);
  });
});

describe('createPgPool: events (pg-pool events.js)', () => {
  it('emits connect before the caller gets the client', async () => {
    const pool = makePool();
    let emitted: unknown;
    pool.on('connect', (client: pg.Client) => {
      emitted = client;
    });
    const client = await pool.connect();
    expect(emitted).toBe(client);
    client.release();
  });

  it('emits connect only for a successful connection', async () => {
    class FailingClient extends pg.Client {}
    (FailingClient.prototype as { connect: () => Promise<unknown> }).connect = () => Promise.reject(new Error('bad news'));
    const pool = makePool({ Client: FailingClient, connectionTimeoutMillis: 200 });
    let connects = 0;
    pool.on('connect', () => {
      connects += 1;
    });
    const error = await pool.connect().catch((e: unknown) => e);
    expect(isPatinoxError(error, POOL_TIMEOUT)).toBe(true);
    expect((error as Error).message).toContain('bad news');
    expect(connects).toBe(0);
  });

  it('emits acquire and release every time a client is checked out or returned', async () => {
    const pool = makePool();
    let acquires = 0;
    let releases = 0;
    pool.on('acquire', (client: pg.Client) => {
      expect(client).toBeTruthy();
      acquires += 1;
    });
    pool.on('release', (error: unknown, client: pg.Client) => {
      expect(error).toBeUndefined();
      expect(client).toBeTruthy();
      releases += 1;
    });
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i += 1) {
      work.push(pool.connect().then((client) => client.release()));
      work.push(pool.query('SELECT now()'));
    }
    await Promise.all(work);
    expect(acquires).toBe(20);
    expect(releases).toBe(20);
  });

  it('emits release with the error when a client is released because of one', async () => {
    const pool = makePool();
    const client = await pool.connect();
    const releaseError = new Error('problem');
    const released = once(pool, 'release');
    client.release(releaseError);
    const [error, errorClient] = await released;
    expect(error).toBe(releaseError);
    expect(errorClient).toBe(client);
  });

  it('emits error and the client when an idle client hits an error, and drops that client', async () => {
    const pool = makePool();
    const client = await pool.connect();
    client.release();
    const failed = once(pool, 'error');
    setImmediate(() => client.emit('error', new Error('problem')));
    const [error, errorClient] = await failed;
    expect((error as Error).message).toBe('problem');
    expect(errorClient).toBe(client);
    expect(pool.totalCount).toBe(0);
  });

  it('does not crash when an idle client errors and nobody listens for error', async () => {
    const pool = makePool();
    const client = await pool.connect();
    client.release();
    client.emit('error', new Error('nobody listens'));
    expect(pool.totalCount).toBe(0);
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

describe('createPgPool: queries, callbacks and end (pg-pool index.js, ending.js)', () => {
  it('passes values and query configs through, with promises and callbacks', async () => {
    const pool = makePool();
    expect((await pool.query<{ n: number }>('SELECT $1::int AS n', [7])).rows).toEqual([{ n: 7 }]);
    expect((await pool.query<{ n: number }>({ text: 'SELECT $1::int AS n', values: [8] })).rows).toEqual([{ n: 8 }]);
    const viaCallback = await new Promise<unknown>((resolve, reject) =>
      pool.query('SELECT $1::text AS s', ['cb'], (error, result) => (error ? reject(error) : resolve(result.rows))),
    );
    expect(viaCallback).toEqual([{ s: 'cb' }]);
    const viaConnectCallback = await new Promise<unknown>((resolve, reject) =>
      pool.connect((error, client, done) => {
        if (error !== undefined) return reject(error);
        client!.query('SELECT 1 AS one').then((r) => {
          done();
          resolve(r.rows);
        }, reject);
      }),
    );
    expect(viaConnectCallback).toEqual([{ one: 1 }]);
  });

  it('runs a Submittable and returns its client when it ends', async () => {
    const pool = makePool({ max: 1 });
    const query = new pg.Query('SELECT generate_series(1, 3) AS n');
    const rows: unknown[] = [];
    query.on('row', (row: unknown) => rows.push(row));
    expect(pool.query(query)).toBe(query);
    await once(query, 'end');
    expect(rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await poll(() => pool.idleCount === 1);
  });

  it('tells a Submittable whose checkout failed through handleError, as pg does: a pg.Query callback hears POOL_TIMEOUT', async () => {
    const pool = makePool({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 100 });
    const heard = new Promise<Error | undefined>((resolve) => {
      pool.query(new pg.Query('SELECT 1', [], (error: Error | undefined) => resolve(error)));
    });
    await expect(heard).resolves.toMatchObject({ code: POOL_TIMEOUT });
    // Without a callback, the Query emits the error to its listener.
    const query = new pg.Query('SELECT 1');
    const emitted = once(query, 'error');
    pool.query(query);
    expect((await emitted)[0]).toMatchObject({ code: POOL_TIMEOUT });
    // A callback that throws is reported to the monitor, never thrown out of the pool.
    const monitor = new MemoryMonitor();
    const watched = makePool({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 100, pool: { monitor } });
    watched.query(
      new pg.Query('SELECT 1', [], () => {
        throw new Error('callback bug');
      }),
    );
    await poll(() => monitor.events('pool.listener.error').length === 1);
    expect(monitor.events('pool.listener.error')[0]!.data).toMatchObject({ event: 'error', error: expect.stringContaining('callback bug') });
  });

  it('keeps a client after a SQL error but closes one whose connection failed', async () => {
    const pool = makePool({ max: 1 });
    const pid = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await expect(pool.query('SELECT * FROM no_such_table_patinox')).rejects.toMatchObject({ code: '42P01' });
    expect((await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid).toBe(pid);
  });

  it('rolls back a client returned inside a transaction before lending it again', async () => {
    const pool = makePool({ max: 1 });
    const client = await pool.connect();
    await client.query('BEGIN');
    await client.query('CREATE TEMP TABLE patinox_tx_probe (n int)');
    client.release();
    const next = await pool.connect();
    expect(next).toBe(client);
    expect((next as unknown as { getTransactionStatus(): string }).getTransactionStatus()).toBe('I');
    await expect(next.query('SELECT * FROM patinox_tx_probe')).rejects.toMatchObject({ code: '42P01' });
    next.release();
  });

  it('rolls back a client returned inside a transaction on pg 8.16 to 8.20 too, whose Client has no getTransactionStatus', async () => {
    // The peer range starts at pg 8.16; getTransactionStatus() arrived in 8.21.
    class ClientBefore821 extends pg.Client {}
    Object.defineProperty(ClientBefore821.prototype, 'getTransactionStatus', { value: undefined });
    const pool = makePool({ max: 1, Client: ClientBefore821 });
    const client = await pool.connect();
    await client.query('BEGIN');
    await client.query('CREATE TEMP TABLE patinox_tx_probe_old (n int)');
    client.release();
    const next = await pool.connect();
    expect(next).toBe(client);
    await expect(next.query('SELECT * FROM patinox_tx_probe_old')).rejects.toMatchObject({ code: '42P01' });
    // A failed transaction ('E') is rolled back as well.
    await next.query('BEGIN');
    await expect(next.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
    next.release();
    const third = await pool.connect();
    expect(third).toBe(client);
    expect((await third.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    third.release();
  });

  it('resets session state on release when resetSession is set', async () => {
    const pool = makePool({ max: 1, resetSession: true });
    const client = await pool.connect();
    await client.query("SET application_name = 'patinox_dirty'");
    await client.query('CREATE TEMP TABLE patinox_reset_probe (n int)');
    client.release();
    const next = await pool.connect();
    expect(next).toBe(client);
    expect((await next.query<{ application_name: string }>('SHOW application_name')).rows[0]!.application_name).not.toBe('patinox_dirty');
    await expect(next.query('SELECT * FROM patinox_reset_probe')).rejects.toMatchObject({ code: '42P01' });
    next.release();
  });

  it('rejects with POOL_CLOSED after end, and a second end rejects', async () => {
    const pool = createPgPool({ connectionString });
    await pool.query('SELECT 1');
    const ending = pool.end();
    expect(pool.ending).toBe(true);
    await ending;
    expect(pool.ended).toBe(true);
    await expect(pool.query('SELECT 1')).rejects.toMatchObject({ code: POOL_CLOSED });
    await expect(pool.connect()).rejects.toMatchObject({ code: POOL_CLOSED });
    await expect(pool.end()).rejects.toThrow('Called end on pool more than once');
  });

  it('waits for checked-out clients before end resolves', async () => {
    const pool = createPgPool({ connectionString });
    const client: PgPoolClient = await pool.connect();
    let ended = false;
    const ending = pool.end().then(() => {
      ended = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(ended).toBe(false);
    client.release();
    await ending;
    expect(ended).toBe(true);
  });
});

describe('README example (@patinox/pool/pg)', () => {
  it('runs as written', async () => {
    const env = { DATABASE_URL: connectionString };
    // --- pg example (keep in sync with README.md; process.env becomes env) ---
    const pool = createPgPool({ connectionString: env.DATABASE_URL, max: 20, connectionTimeoutMillis: 2000 });
    const { rows } = await pool.query('SELECT $1::int AS n', [42]);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await pool.end();
    // --- end of pg example ---
    expect(rows).toEqual([{ n: 42 }]);
    expect(pool.ended).toBe(true);
  });
});
