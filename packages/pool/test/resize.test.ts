import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { POOL_CLOSED, Pool } from '../src/index.js';
import { FakeManager, flush } from './helpers.js';

describe('Pool.resize', () => {
  let manager: FakeManager;
  beforeEach(() => {
    jest.useFakeTimers();
    manager = new FakeManager();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('grows maxSize and serves waiters at once', async () => {
    const pool = new Pool(manager, { maxSize: 1 });
    const held = await pool.acquire();
    const waiting = pool.acquire();
    await flush(0);
    pool.resize({ maxSize: 2 });
    const served = await waiting;
    expect(pool.stats()).toMatchObject({ size: 2, maxSize: 2, borrowed: 2 });
    held.release();
    served.release();
    await pool.close();
  });

  it('shrinks by destroying idle connections now and borrowed ones on release', async () => {
    const pool = new Pool(manager, { maxSize: 4 });
    const loans = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()]);
    loans[0].release();
    loans[1].release();
    pool.resize({ maxSize: 1 });
    expect(pool.stats()).toMatchObject({ size: 2, idle: 0, borrowed: 2 });
    loans[2].release();
    expect(pool.stats()).toMatchObject({ size: 1 });
    loans[3].release();
    expect(pool.stats()).toMatchObject({ size: 1, idle: 1 });
    await pool.close();
  });

  it('raises minSize and opens connections without an acquire', async () => {
    const pool = new Pool(manager, { maxSize: 5 });
    pool.resize({ minSize: 3 });
    await flush(0);
    expect(pool.stats()).toMatchObject({ size: 3, idle: 3, minSize: 3 });
    await pool.close();
  });

  it('destroys a connection whose create finishes after a shrink made it surplus', async () => {
    const pool = new Pool(manager, { maxSize: 2 });
    const held = await pool.acquire();
    const pending = pool.acquire({ timeoutMs: 50 }).catch((error: unknown) => error);
    pool.resize({ maxSize: 1 });
    await flush(50);
    expect(await pending).toMatchObject({ code: 'POOL_TIMEOUT' });
    expect(pool.stats()).toMatchObject({ size: 1 });
    held.release();
    await pool.close();
  });

  it('validates its arguments and refuses a closed pool', async () => {
    const pool = new Pool(manager, { maxSize: 2 });
    expect(() => pool.resize({ minSize: 3 })).toThrow('Expected `minSize` to be at most `maxSize` (2), got 3 (number)');
    expect(() => pool.resize({ maxSize: 0 })).toThrow('Expected `maxSize` to be a positive integer, got 0 (number)');
    expect(() => pool.resize(null as never)).toThrow(TypeError);
    await pool.close();
    expect(() => pool.resize({ maxSize: 3 })).toThrow(expect.objectContaining({ code: POOL_CLOSED }));
  });
});
