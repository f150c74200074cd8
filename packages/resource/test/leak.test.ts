import { describe, expect, it } from '@jest/globals';
import { MemoryMonitor } from '@patinox/monitor';
import { CleanupPriority, ResourceRegistry, guard, type AsyncResourceGuard } from '../src/index.js';
import { collectGarbage, collectUntil } from './helpers.js';

// Creating guards in a separate function keeps no reference to them in the test's frame.
function dropGuard(registry: ResourceRegistry, resource: object, cleanup: (r: object) => unknown, name?: string): void {
  guard(resource, cleanup, { registry, name, priority: CleanupPriority.High });
}

describe('leak detection', () => {
  it('cleans a guard that was collected without cleanup, and reports it as leaked with its creation stack', async () => {
    const monitor = new MemoryMonitor();
    const registry = new ResourceRegistry({ monitor, trackStacks: true, name: 'leaky' });
    const cleaned: string[] = [];
    dropGuard(registry, { path: '/tmp/x' }, (r) => void cleaned.push((r as { path: string }).path), 'temp-file');
    expect(registry.stats().active).toBe(1);
    expect(await collectUntil(() => cleaned.length === 1)).toBe(true);
    expect(cleaned).toEqual(['/tmp/x']);
    const leaked = monitor.events('resource.leaked');
    expect(leaked).toHaveLength(1);
    expect(leaked[0]).toMatchObject({ source: 'leaky', data: { name: 'temp-file' } });
    expect(leaked[0]!.data.stack).toMatch(/dropGuard/);
    expect(registry.stats()).toMatchObject({ active: 0, leaked: 1, cleaned: 1 });
  });

  it('does not keep the guard alive through the cleanup state it holds', async () => {
    const registry = new ResourceRegistry();
    // Observed with a FinalizationRegistry of our own: WeakRef.deref() would keep the guard alive for the job.
    let collected = false;
    const observer = new FinalizationRegistry<string>(() => (collected = true));
    (() => {
      const g = guard({ big: new Uint8Array(1024) }, () => undefined, { registry });
      observer.register(g, 'guard');
    })();
    expect(await collectUntil(() => collected)).toBe(true);
    expect(await collectUntil(() => registry.stats().cleaned === 1)).toBe(true);
  });

  it('never reports a guard that was cleaned up or handed back', async () => {
    const monitor = new MemoryMonitor();
    const registry = new ResourceRegistry({ monitor });
    await (async () => {
      await guard({}, () => undefined, { registry }).cleanup();
      guard({}, () => undefined, { registry }).intoInner();
    })();
    await collectGarbage();
    expect(monitor.events('resource.leaked')).toEqual([]);
    expect(registry.stats()).toMatchObject({ leaked: 0, cleaned: 1, handedBack: 1 });
  });

  it('never reports a guard cleaned up or handed back after it outlived its macrotask, once collected', async () => {
    const monitor = new MemoryMonitor();
    const registry = new ResourceRegistry({ monitor });
    const cleaned: string[] = [];
    let guards: AsyncResourceGuard<string>[] = ['a', 'b', 'c'].map((name) => guard(name, (n) => void cleaned.push(n), { registry }));
    // Past this macrotask the registry holds the guards only through WeakRefs.
    await new Promise((resolve) => setImmediate(resolve));
    await guards[0]!.cleanup();
    expect(guards[1]!.intoInner()).toBe('b');
    let collected = 0;
    const observer = new FinalizationRegistry<string>(() => (collected += 1));
    observer.register(guards[0]!, 'a');
    observer.register(guards[1]!, 'b');
    guards = guards.slice(2);
    expect(await collectUntil(() => collected === 2)).toBe(true);
    await collectGarbage();
    expect(monitor.events('resource.leaked')).toEqual([]);
    expect(cleaned).toEqual(['a']);
    expect(registry.stats()).toMatchObject({ active: 1, leaked: 0, cleaned: 1, handedBack: 1 });
    expect(guards[0]!.state).toBe('active');
    await guards[0]!.cleanup();
    expect(cleaned).toEqual(['a', 'c']);
  });

  it('reports a failing leaked cleanup to the monitor instead of an unhandled rejection', async () => {
    const monitor = new MemoryMonitor();
    const registry = new ResourceRegistry({ monitor });
    dropGuard(registry, {}, () => Promise.reject(new Error('disk gone')), 'doomed');
    expect(await collectUntil(() => registry.stats().failed === 1)).toBe(true);
    expect(monitor.events('resource.failed')[0]?.data).toMatchObject({ name: 'doomed', code: 'RESOURCE_CLEANUP_FAILED' });
  });

  it('detects nothing when trackLeaks is off; the resource stays listed until shutdown', async () => {
    const registry = new ResourceRegistry({ trackLeaks: false });
    const cleaned: number[] = [];
    dropGuard(registry, {}, () => void cleaned.push(1));
    await collectGarbage();
    expect(cleaned).toEqual([]);
    expect(registry.list()).toHaveLength(1);
    expect(await registry.shutdown()).toMatchObject({ cleaned: 1, complete: true });
    expect(cleaned).toEqual([1]);
  });
});
