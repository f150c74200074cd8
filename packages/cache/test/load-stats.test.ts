import { describe, expect, it } from '@jest/globals';
import { LOAD_WINDOW, LoadStats } from '../src/internal/load-stats.js';

describe('LoadStats', () => {
  it('reports zeros before the first load', () => {
    expect(new LoadStats().snapshot()).toEqual({ loads: 0, loadFailures: 0, loadTimeTotalMs: 0, loadTimeP99Ms: 0, staleServed: 0 });
  });

  it('counts loads, failures and total time, and takes the nearest-rank p99', () => {
    const stats = new LoadStats();
    for (let i = 1; i <= 100; i += 1) stats.record(i, i % 10 !== 0);
    stats.staleServed += 3;
    expect(stats.snapshot()).toEqual({ loads: 100, loadFailures: 10, loadTimeTotalMs: 5050, loadTimeP99Ms: 99, staleServed: 3 });
  });

  it('computes the percentile over the last LOAD_WINDOW loads only', () => {
    const stats = new LoadStats();
    for (let i = 0; i < LOAD_WINDOW; i += 1) stats.record(1000, true);
    for (let i = 0; i < LOAD_WINDOW; i += 1) stats.record(2, true);
    expect(stats.p99()).toBe(2);
    expect(stats.loads).toBe(2 * LOAD_WINDOW);
  });

  it('starts afresh after reset', () => {
    const stats = new LoadStats();
    stats.record(50, false);
    stats.staleServed = 4;
    stats.reset();
    expect(stats.snapshot()).toEqual({ loads: 0, loadFailures: 0, loadTimeTotalMs: 0, loadTimeP99Ms: 0, staleServed: 0 });
    stats.record(7, true);
    expect(stats.p99()).toBe(7);
  });
});
