import { describe, expect, it } from '@jest/globals';
import { MAX_POOL_SIZE, Pool, type ConnectionManager } from '../src/index.js';
import { createPgPool } from '../src/pg/index.js';

/** A manager whose creates resolve at once, counting them. */
function countingManager(): ConnectionManager<object> & { creates: number } {
  const manager = {
    creates: 0,
    create: () => {
      manager.creates += 1;
      return Promise.resolve({});
    },
    isValid: () => true,
    destroy: () => undefined,
  };
  return manager;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Lets every queued promise callback run, without leaving the current event-loop turn. */
async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < 50; i += 1) await Promise.resolve();
}

describe('Pool size limits', () => {
  it('refuses sizes above MAX_POOL_SIZE with a RangeError naming the option', async () => {
    expect(MAX_POOL_SIZE).toBe(65_536);
    const manager = countingManager();
    expect(() => new Pool(manager, { minSize: 1e6 })).toThrow(new RangeError('Expected `minSize` to be a non-negative integer at most 65536, got 1000000 (number)'));
    expect(() => new Pool(manager, { maxSize: 65_537 })).toThrow(new RangeError('Expected `maxSize` to be a positive integer at most 65536, got 65537 (number)'));
    expect(() => new Pool(manager, { initialSize: 1e9, maxSize: 10 })).toThrow(RangeError);
    expect(manager.creates).toBe(0);
    const pool = new Pool(manager, { maxSize: MAX_POOL_SIZE });
    expect(() => pool.resize({ minSize: 1e6 })).toThrow(new RangeError('Expected `minSize` to be a non-negative integer at most 65536, got 1000000 (number)'));
    expect(() => pool.resize({ maxSize: 2 ** 20 })).toThrow(new RangeError('Expected `maxSize` to be a positive integer at most 65536, got 1048576 (number)'));
    expect(pool.stats()).toMatchObject({ minSize: 0, maxSize: MAX_POOL_SIZE, size: 0 });
    await pool.close();
  });

  it('refuses createPgPool max and min above MAX_POOL_SIZE under their pg names', () => {
    expect(() => createPgPool({ max: 1e6 })).toThrow(new RangeError('Expected `max` to be a positive integer at most 65536, got 1000000 (number)'));
    expect(() => createPgPool({ min: 1e6, pool: { maxSize: 10 } })).toThrow(new RangeError('Expected `min` to be a non-negative integer at most 65536, got 1000000 (number)'));
  });

  it('opens minSize connections a bounded batch per event-loop turn, never in one synchronous burst', async () => {
    const manager = countingManager();
    const pool = new Pool(manager, { minSize: 1000, maxSize: 1000 });
    const first = manager.creates;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(128);
    // Creates that settle at once do not start the next batch from their callbacks, in the same turn.
    await drainMicrotasks();
    expect(manager.creates).toBe(first);
    expect(pool.stats().created).toBe(first);
    await nextTurn();
    expect(manager.creates).toBeGreaterThan(first);
    expect(manager.creates).toBeLessThanOrEqual(2 * 128);
    await pool.ready();
    expect(pool.stats()).toMatchObject({ size: 1000, idle: 1000, created: 1000 });
    expect(manager.creates).toBe(1000);
    await pool.close();
  });

  it('opens connections for a burst of callers a batch per turn too, and serves every one', async () => {
    const manager = countingManager();
    const pool = new Pool(manager, { maxSize: 600 });
    const loans = Array.from({ length: 600 }, () => pool.acquire());
    expect(manager.creates).toBeLessThanOrEqual(128);
    const served = await Promise.all(loans);
    expect(manager.creates).toBe(600);
    for (const loan of served) loan.release();
    expect(pool.stats()).toMatchObject({ size: 600, idle: 600, borrowed: 0, waiting: 0 });
    await pool.close();
  });

  it('starts no create and leaves no immediate after a close during the warm-up', async () => {
    const manager = countingManager();
    const pool = new Pool(manager, { minSize: 1000, maxSize: 1000 });
    const started = manager.creates;
    await pool.close();
    await nextTurn();
    await nextTurn();
    expect(manager.creates).toBe(started);
    expect(process.getActiveResourcesInfo()).not.toContain('Immediate');
  });
});
