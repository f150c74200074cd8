import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { checkHealth, type HealthCheck } from '../src/index.js';

describe('checkHealth', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('runs checks in parallel and reports the worst status', async () => {
    const checks: HealthCheck[] = [
      { name: 'a', check: () => ({ status: 'up' }) },
      { name: 'b', check: async () => ({ status: 'degraded', details: { lagMs: 30 } }) },
    ];
    const report = await checkHealth(checks);
    expect(report.status).toBe('degraded');
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['a', 'up'],
      ['b', 'degraded'],
    ]);
    expect(report.checks[1]!.details).toEqual({ lagMs: 30 });
  });

  it('reports a check that overruns as down at the deadline, aborting its signal, and leaves no timer', async () => {
    let aborted = false;
    const hanging: HealthCheck = {
      name: 'redis',
      check: (signal) =>
        new Promise(() => {
          signal.addEventListener('abort', () => {
            aborted = true;
          });
        }),
    };
    const promise = checkHealth([hanging, { name: 'ok', check: () => ({ status: 'up' }) }], { timeoutMs: 100 });
    await jest.advanceTimersByTimeAsync(100);
    const report = await promise;
    expect(report.status).toBe('down');
    expect(report.checks[0]).toMatchObject({ name: 'redis', status: 'down', details: { reason: 'timed out after 100 ms' } });
    expect(aborted).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('reports throwing, rejecting and garbage-returning checks as down', async () => {
    const report = await checkHealth([
      {
        name: 'sync-throw',
        check: () => {
          throw new Error('boom');
        },
      },
      { name: 'reject', check: () => Promise.reject(new Error('nope')) },
      { name: 'garbage', check: () => ({ status: 'sideways' }) as never },
      { name: 'null', check: () => null as never },
    ]);
    expect(report.checks.map((c) => c.status)).toEqual(['down', 'down', 'down', 'down']);
    expect(report.checks[0]!.details).toEqual({ reason: 'boom' });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('is up with no checks, and validates timeoutMs', async () => {
    await expect(checkHealth([])).resolves.toEqual({ status: 'up', checks: [] });
    await expect(checkHealth([], { timeoutMs: -1 })).rejects.toThrow('Expected `timeoutMs` to be a non-negative number of ms at most 2147483647, got -1 (number)');
    await expect(checkHealth([], { timeoutMs: 2 ** 31 })).rejects.toThrow(RangeError);
  });
});
