import { describe, expect, it } from '@jest/globals';
import { MAX_TIMER_MS } from '@patinox/errors';
import { Pool } from '../src/index.js';
import { createIoredisConnectionManager, useRedis } from '../src/ioredis/index.js';
import { createPgConnectionManager, createPgPool } from '../src/pg/index.js';

// Issue 17 on the pg and ioredis subpaths: every option that becomes a Node timer refuses what a timer
// cannot honour (above 2^31-1 ms Node fires after 1 ms), under its own name; PgPool says whether it is
// closed and has the pool's health check. Nothing here connects.
const config = { host: '127.0.0.1', port: 1 };

describe('pg and ioredis subpath timer options', () => {
  it('createPgConnectionManager refuses endTimeoutMs and connectTimeoutMs above MAX_TIMER_MS', () => {
    expect(() => createPgConnectionManager({ config, endTimeoutMs: 2 ** 31 })).toThrow(RangeError);
    expect(() => createPgConnectionManager({ config, endTimeoutMs: 2 ** 31 })).toThrow('Expected `endTimeoutMs`');
    expect(() => createPgConnectionManager({ config, connectTimeoutMs: 2 ** 31 })).toThrow('Expected `connectTimeoutMs`');
    expect(() => createPgConnectionManager({ config, endTimeoutMs: 0, connectTimeoutMs: MAX_TIMER_MS })).not.toThrow();
  });

  it('createIoredisConnectionManager refuses connectTimeoutMs above MAX_TIMER_MS', () => {
    expect(() => createIoredisConnectionManager({ redis: config, connectTimeoutMs: 2 ** 31 })).toThrow(RangeError);
    expect(() => createIoredisConnectionManager({ redis: config, connectTimeoutMs: MAX_TIMER_MS })).not.toThrow();
  });

  it('useRedis refuses an fn that is not a function, naming it, at once, before it borrows a connection', async () => {
    const pool = new Pool(createIoredisConnectionManager({ redis: config }), { maxSize: 1, acquireTimeoutMs: 100 });
    expect(() => useRedis(pool, 5 as never)).toThrow(new TypeError('Expected `fn` to be a function, got 5 (number)'));
    expect(pool.stats()).toMatchObject({ acquired: 0, size: 0, createErrors: 0 });
    await pool.close();
  });

  it('createPgPool refuses idleTimeoutMillis and connectionTimeoutMillis above MAX_TIMER_MS under their pg names', async () => {
    expect(() => createPgPool({ ...config, idleTimeoutMillis: 2 ** 31 })).toThrow('Expected `idleTimeoutMillis`');
    expect(() => createPgPool({ ...config, connectionTimeoutMillis: 2 ** 31 })).toThrow('Expected `connectionTimeoutMillis`');
    await createPgPool({ ...config, idleTimeoutMillis: 0, connectionTimeoutMillis: MAX_TIMER_MS }).end();
  });

  it('createPgPool refuses maxLifetimeSeconds above MAX_TIMER_MS in ms, and min above max, under their pg names', async () => {
    expect(() => createPgPool({ ...config, maxLifetimeSeconds: 2 ** 31 / 1000 })).toThrow(RangeError);
    expect(() => createPgPool({ ...config, maxLifetimeSeconds: 2 ** 31 / 1000 })).toThrow(
      'Expected `maxLifetimeSeconds` to be a non-negative number of seconds at most 2147483.647, got 2147483.648 (number)',
    );
    expect(() => createPgPool({ ...config, min: 5, max: 2 })).toThrow(RangeError);
    expect(() => createPgPool({ ...config, min: 5, max: 2 })).toThrow('Expected `min` to be at most `max` (2), got 5 (number)');
    expect(() => createPgPool({ ...config, min: 11 })).toThrow('Expected `min` to be at most `max` (10), got 11 (number)');
    // A `pool` field wins over the pg-named one it maps to, so a pool bound decides.
    await createPgPool({ ...config, min: 11, pool: { maxSize: 12 } }).end();
    await createPgPool({ ...config, min: 2, max: 2, maxLifetimeSeconds: MAX_TIMER_MS / 1000 }).end();
  });
});

describe('PgPool closed and healthCheck', () => {
  it('is closed once end() is called, and its health check is the pool\'s (down once closed)', async () => {
    const pool = createPgPool({ ...config, min: 0 });
    expect(pool.closed).toBe(false);
    const check = pool.healthCheck();
    expect(check.name).toBe(`pool:${pool.pool.name}`);
    expect(await check.check(new AbortController().signal)).toMatchObject({ status: 'up' });
    const ending = pool.end();
    expect(pool.closed).toBe(true);
    await ending;
    expect(await check.check(new AbortController().signal)).toMatchObject({ status: 'down' });
  });
});
