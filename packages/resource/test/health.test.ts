import { describe, expect, it } from '@jest/globals';
import { checkHealth } from '@patinox/monitor';
import { ResourceRegistry, guard } from '../src/index.js';

describe('ResourceRegistry.healthCheck', () => {
  it('is up, degraded while cleanups fail since the last check, down once shut down, and closed after', async () => {
    const registry = new ResourceRegistry({ name: 'files', maxRetries: 0 });
    const check = registry.healthCheck();
    expect(check.name).toBe('resource:files');
    const signal = new AbortController().signal;
    guard({}, () => undefined, { registry });
    expect(await check.check(signal)).toMatchObject({ status: 'up', details: { active: 1, failed: 0 } });
    const failing = guard({}, () => Promise.reject(new Error('EBUSY')), { registry, name: 'failing' });
    await expect(failing.cleanup()).rejects.toMatchObject({ code: 'RESOURCE_CLEANUP_FAILED' });
    expect(await check.check(signal)).toMatchObject({ status: 'degraded', details: { reason: 'cleanups failing', newFailures: 1 } });
    // The failure was reported once; the next check sees no new one.
    expect(await check.check(signal)).toMatchObject({ status: 'up', details: { newFailures: 0, failed: 1 } });
    expect(registry.closed).toBe(false);
    const shutdown = registry.shutdown();
    expect(await check.check(signal)).toMatchObject({ status: 'down', details: { reason: 'shut down' } });
    await shutdown;
    expect(registry.closed).toBe(true);
    expect(await checkHealth([check])).toMatchObject({ status: 'down', checks: [{ name: 'resource:files', status: 'down' }] });
  });

  it('is degraded while more cleanups wait in the queue than it runs at once', async () => {
    const registry = new ResourceRegistry({ concurrency: 1 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    for (let i = 0; i < 3; i += 1) guard({}, () => gate, { registry });
    const cleaning = registry.forceCleanupAll();
    expect(await registry.healthCheck().check(new AbortController().signal)).toMatchObject({ status: 'degraded', details: { reason: 'cleanup backlog', queued: 2 } });
    release();
    await cleaning;
    await registry.shutdown();
  });
});
