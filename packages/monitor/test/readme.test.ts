import { describe, expect, it, jest } from '@jest/globals';
import { MemoryMonitor, MetricsRegistry, checkHealth, createEvent } from '../src/index.js';

describe('README quick start', () => {
  it('runs as written', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const monitor = new MemoryMonitor({ capacity: 100 });
    monitor.record(createEvent('pool.connection.created', 'db', { id: 1 }));

    const metrics = new MetricsRegistry();
    const wait = metrics.histogram('pool_acquire_wait_ms', { help: 'Acquire wait' });
    for (const ms of [0.2, 0.4, 3, 12]) wait.record(ms);
    metrics.counter('cache_hits_total').inc(41);

    const report = await checkHealth([{ name: 'db', check: () => ({ status: 'up' }) }], { timeoutMs: 100 });
    console.log(monitor.events('pool.').length, wait.percentile(0.99), report.status);
    expect(log).toHaveBeenCalledWith(1, 12, 'up');
    log.mockRestore();
  });
});
