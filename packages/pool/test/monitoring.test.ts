import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryMonitor, MetricsRegistry } from '@patinox/monitor';
import { Pool } from '../src/index.js';
import { FakeManager, flush } from './helpers.js';

describe('Pool monitoring', () => {
  let manager: FakeManager;
  beforeEach(() => {
    jest.useFakeTimers();
    manager = new FakeManager();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('emits lifecycle events only, never one per acquire', async () => {
    const monitor = new MemoryMonitor();
    const pool = new Pool(manager, { maxSize: 2, name: 'db', monitor });
    for (let i = 0; i < 100; i += 1) (await pool.acquire()).release();
    pool.resize({ maxSize: 3 });
    await pool.close();
    expect(monitor.events().map((e) => e.type)).toEqual(['pool.connection.created', 'pool.resized', 'pool.connection.destroyed', 'pool.closed']);
    expect(monitor.events().every((e) => e.source === 'db')).toBe(true);
  });

  it('keeps working when the monitor throws', async () => {
    const pool = new Pool(manager, {
      monitor: {
        record() {
          throw new Error('monitor down');
        },
      },
    });
    (await pool.acquire()).release();
    await expect(pool.close()).resolves.toMatchObject({ leaked: [] });
  });

  it('reports the acquire-wait histogram, counters and utilization in stats()', async () => {
    const pool = new Pool(manager, { maxSize: 1 });
    const held = await pool.acquire();
    const waiting = pool.acquire();
    await flush(20);
    held.release();
    (await waiting).release();
    const stats = pool.stats();
    expect(stats.acquireWait.count).toBe(2);
    expect(stats.acquireWait.max).toBeCloseTo(20, 0);
    expect(stats.acquireWait.p50).toBe(0);
    expect(stats.acquireWait.p99).toBeCloseTo(20, 0);
    expect(pool.acquireWaitHistogram.count).toBe(2);
    expect(stats).toMatchObject({ acquired: 2, created: 1, utilization: 0 });
    const loan = await pool.acquire();
    expect(pool.stats().utilization).toBe(1);
    loan.release();
    await pool.close();
  });

  it('exposes its metrics to a MetricsRegistry collector', async () => {
    const registry = new MetricsRegistry();
    const pool = new Pool(manager, { name: 'cache-db' });
    registry.addCollector(() => pool.collectMetrics());
    (await pool.acquire()).release();
    const snapshots = registry.collect();
    const byName = new Map(snapshots.map((s) => [s.name, s]));
    expect(byName.get('pool_size')).toMatchObject({ type: 'gauge', value: 1, labels: { pool: 'cache-db' } });
    expect(byName.get('pool_acquired_total')).toMatchObject({ type: 'counter', value: 1 });
    expect(byName.get('pool_acquire_wait_ms')).toMatchObject({ type: 'histogram', summary: { count: 1 } });
    expect(pool.name).toBe('cache-db');
    await pool.close();
  });
});
