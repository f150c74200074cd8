import { describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { Pool, type ConnectionManager } from '../src/index.js';
import { createIoredisConnectionManager } from '../src/ioredis/index.js';
import { createPgConnectionManager, createPgPool } from '../src/pg/index.js';

const manager: ConnectionManager<object> = { create: () => Promise.resolve({}), isValid: () => true, destroy: () => undefined };
const unknown = (bag: string, key: string, hint: string): TypeError => new TypeError(`Expected \`${bag}\` to have only known keys, got unknown key \`${key}\`; ${hint}`);

describe('Unknown option keys', () => {
  it.each([
    ['maxsize', 'maxSize'],
    ['MinSize', 'minSize'],
    ['acquireTimeout', 'acquireTimeoutMs'],
    ['acquireTimeoutMillis', 'acquireTimeoutMs'],
    ['idleTimoutMs', 'idleTimeoutMs'],
    ['valdiateOnBorrow', 'validateOnBorrow'],
    ['maxWaiter', 'maxWaiters'],
  ])('refuses pool option %s, suggesting %s', (key, known) => {
    expect(() => new Pool(manager, { [key]: 5 })).toThrow(unknown('options', key, `did you mean \`${known}\`?`));
  });

  it('names the known keys when none is close, and ignores symbols and inherited keys', async () => {
    expect(() => new Pool(manager, { maxSize: 2, colour: 'red' } as never)).toThrow(/^Expected `options` to have only known keys, got unknown key `colour`; known keys: minSize, maxSize, initialSize, /);
    expect(() => new Pool(manager, { unknownUndefined: undefined } as never)).toThrow(/unknown key `unknownUndefined`/);
    const inherited = Object.assign(Object.create({ inheritedJunk: 1, maxSize: 3 }) as object, { [Symbol('tag')]: 1, minSize: 1 });
    const pool = new Pool(manager, inherited);
    expect(pool.stats().maxSize).toBe(3);
    await pool.close();
  });

  it('refuses unknown keys in acquire, use, ready, drain, close and resize, at once', async () => {
    const pool = new Pool(manager, { maxSize: 1 });
    expect(() => pool.acquire({ timeout: 5 } as never)).toThrow(unknown('options', 'timeout', 'did you mean `timeoutMs`?'));
    expect(() => pool.acquire({ timeoutMs: 5, prio: 1 } as never)).toThrow(unknown('options', 'prio', 'known keys: timeoutMs, signal, priority'));
    expect(() => pool.use(() => 1, { Signal: undefined } as never)).toThrow(unknown('options', 'Signal', 'did you mean `signal`?'));
    expect(() => pool.ready({ timeout: 5 } as never)).toThrow(unknown('options', 'timeout', 'did you mean `timeoutMs`?'));
    expect(() => pool.drain({ signl: undefined } as never)).toThrow(unknown('options', 'signl', 'did you mean `signal`?'));
    expect(() => pool.resize({ maxsize: 4 } as never)).toThrow(unknown('options', 'maxsize', 'did you mean `maxSize`?'));
    expect(() => pool.close({ deadline: 1 } as never)).toThrow(unknown('options', 'deadline', 'did you mean `deadlineMs`?'));
    expect(pool.stats()).toMatchObject({ acquired: 0, maxSize: 1, closed: false });
    await pool.close();
  });

  it('turns a throwing ownKeys trap into a TypeError naming the bag', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('no keys for you');
        },
      },
    );
    let thrown: unknown;
    try {
      new Pool(manager, hostile);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as TypeError).message).toBe('Expected `options` to be readable, but listing its keys threw: no keys for you');
    expect((thrown as TypeError).cause).toEqual(new Error('no keys for you'));
  });

  it('refuses unknown keys of the pg and ioredis managers', () => {
    expect(() => createPgConnectionManager({ Client: pg.Client, connectTimeout: 5 } as never)).toThrow(unknown('options', 'connectTimeout', 'did you mean `connectTimeoutMs`?'));
    expect(() => createPgConnectionManager({ Client: pg.Client, connectionString: 'postgres://x' } as never)).toThrow(/unknown key `connectionString`; known keys: config, Client, /);
    expect(() => createIoredisConnectionManager({ url: 'redis://127.0.0.1' } as never)).toThrow(/unknown key `url`; known keys: redis, Redis, onConnect, connectTimeoutMs/);
    expect(() => createIoredisConnectionManager({ onconnect: () => undefined } as never)).toThrow(unknown('options', 'onconnect', 'did you mean `onConnect`?'));
  });

  it('refuses createPgPool keys close to a known one, and pool options outside `pool`, passing other pg settings through', async () => {
    expect(() => createPgPool({ Max: 3 } as never)).toThrow(unknown('config', 'Max', 'did you mean `max`?'));
    expect(() => createPgPool({ idleTimeoutMs: 5 } as never)).toThrow(unknown('config', 'idleTimeoutMs', 'did you mean `idleTimeoutMillis`?'));
    expect(() => createPgPool({ databse: 'x' } as never)).toThrow(unknown('config', 'databse', 'did you mean `database`?'));
    expect(() => createPgPool({ maxWaiters: 5 } as never)).toThrow(unknown('config', 'maxWaiters', 'did you mean `pool.maxWaiters`?'));
    expect(() => createPgPool({ poolSize: 5 } as never)).toThrow(unknown('config', 'poolSize', 'did you mean `max`?'));
    expect(() => createPgPool({ pool: { maxsize: 5 } } as never)).toThrow(unknown('pool', 'maxsize', 'did you mean `maxSize`?'));
    // pg reads settings the pool does not list (and `options`, `replication`...): they pass to pg.Client.
    const pool = createPgPool({ max: 1, replication: 'database', options: '-c search_path=x', keepAlive: true, pool: { name: 'pg-opts' } } as never);
    expect(pool.pool.name).toBe('pg-opts');
    await pool.end();
  });
});
