import { describe, expect, it } from '@jest/globals';
import { MemoryMonitor, MetricsRegistry } from '@patinox/monitor';
import { CleanupPriority, ResourceRegistry, adopt, guard } from '../src/index.js';

class Connection {
  closed = false;
}

describe('ResourceRegistry', () => {
  it('lists every live resource with its info, oldest first', async () => {
    const registry = new ResourceRegistry();
    const a = guard(new Connection(), () => undefined, { registry });
    const b = guard(Buffer.alloc(16), () => undefined, {
      registry,
      name: 'buffer',
      sizeBytes: 16,
      priority: CleanupPriority.High,
      metadata: { owner: 'test' },
    });
    const list = registry.list();
    expect(list).toEqual([
      expect.objectContaining({ id: a.id, name: 'Connection', typeName: 'Connection', sizeBytes: 0, priority: 1, state: 'active', metadata: undefined }),
      expect.objectContaining({ id: b.id, name: 'buffer', typeName: 'Buffer', sizeBytes: 16, priority: 2, metadata: { owner: 'test' } }),
    ]);
    expect(Math.abs(list[0]!.createdAt - Date.now())).toBeLessThan(60_000);
    expect(list[0]!.stack).toBeUndefined();
    expect(registry.stats()).toMatchObject({ active: 2, activeBytes: 16, created: 2 });
    await b.cleanup();
    expect(registry.list().map((r) => r.id)).toEqual([a.id]);
    expect(registry.stats()).toMatchObject({ active: 1, activeBytes: 0, cleaned: 1 });
    await a.cleanup();
    expect(registry.list()).toEqual([]);
  });

  it('names resources by their type', async () => {
    const registry = new ResourceRegistry();
    const guards = [null, 1, 'x', () => undefined, Object.create(null) as object].map((r) => guard(r, () => undefined, { registry }));
    expect(registry.list().map((r) => r.typeName)).toEqual(['null', 'number', 'string', 'Function', 'object']);
    await Promise.all(guards.map((g) => g.cleanup()));
  });

  it('records creation stacks when trackStacks is on', async () => {
    const registry = new ResourceRegistry({ trackStacks: true });
    const g = guard(1, () => undefined, { registry });
    expect(registry.list()[0]!.stack).toMatch(/registry\.test/);
    await g.cleanup();
  });

  it('adopts anything with Symbol.asyncDispose or Symbol.dispose', async () => {
    const registry = new ResourceRegistry();
    const events: string[] = [];
    const asyncOne = { async [Symbol.asyncDispose]() { events.push('async'); } };
    const syncOne = { [Symbol.dispose]() { events.push('sync'); } };
    const a = registry.adopt(asyncOne, { name: 'pooled' });
    const s = adopt(syncOne, { registry });
    expect(a.get()).toBe(asyncOne);
    expect(registry.list().map((r) => r.name)).toEqual(['pooled', 'Object']);
    await s.cleanup();
    await a.cleanup();
    expect(events).toEqual(['sync', 'async']);
    expect(() => registry.adopt({} as never)).toThrow('Expected `disposable` to implement Symbol.asyncDispose or Symbol.dispose, got an object');
    expect(() => registry.adopt(null as never)).toThrow(TypeError);
    expect(() => adopt(syncOne, { registry: 5 as never })).toThrow(/`registry` to be a ResourceRegistry/);
    const d = adopt({ [Symbol.dispose]() {} });
    await d.cleanup();
  });

  it('emits lifecycle events to its monitor', async () => {
    const monitor = new MemoryMonitor();
    const registry = new ResourceRegistry({ name: 'db', monitor });
    const g = registry.guard(1, () => undefined, { name: 'conn' });
    await g.cleanup();
    const bad = registry.guard(2, () => {
      throw new Error('x');
    }, { name: 'bad' });
    await bad.cleanup().catch(() => undefined);
    expect(monitor.events('resource.').map((e) => [e.type, e.source, e.data.name])).toEqual([
      ['resource.created', 'db', 'conn'],
      ['resource.cleaned', 'db', 'conn'],
      ['resource.created', 'db', 'bad'],
      ['resource.failed', 'db', 'bad'],
    ]);
    const quiet = new MemoryMonitor();
    const q = new ResourceRegistry({ monitor: quiet, resourceEvents: false });
    await q.guard(1, () => undefined).cleanup();
    expect(quiet.events()).toEqual([]);
  });

  it('a throwing monitor changes nothing', async () => {
    const registry = new ResourceRegistry({ monitor: { record: () => { throw new Error('monitor down'); } } });
    const g = registry.guard(1, () => undefined);
    await g.cleanup();
    expect(g.isCleanedUp).toBe(true);
  });

  it('exposes metrics a MetricsRegistry can pull', async () => {
    const registry = new ResourceRegistry({ name: 'files' });
    const metrics = new MetricsRegistry();
    metrics.addCollector(() => registry.collectMetrics());
    const g = registry.guard(1, async () => undefined, { sizeBytes: 100 });
    const active = metrics.collect().find((m) => m.name === 'patinox_resource_active_bytes');
    expect(active).toMatchObject({ type: 'gauge', value: 100, labels: { registry: 'files' } });
    await g.cleanup();
    // Durations are sampled: 1 cleanup in 16 is timed.
    for (let i = 0; i < 15; i += 1) await registry.guard(i, async () => undefined).cleanup();
    const snapshot = metrics.collect();
    expect(snapshot.find((m) => m.name === 'patinox_resource_cleaned_total')).toMatchObject({ value: 16 });
    expect(snapshot.find((m) => m.name === 'patinox_resource_cleanup_duration_ms')).toMatchObject({ type: 'histogram', summary: { count: 1 } });
    expect(registry.stats().cleanupDurationMs.count).toBe(1);
  });

  it('validates its options with the house message', () => {
    expect(() => new ResourceRegistry({ concurrency: 0 })).toThrow('Expected `concurrency` to be a positive integer, got 0 (number)');
    expect(() => new ResourceRegistry({ timeoutMs: -1 })).toThrow(RangeError);
    expect(() => new ResourceRegistry({ maxRetries: -1 })).toThrow(RangeError);
    expect(() => new ResourceRegistry({ retryBaseDelayMs: Number.NaN })).toThrow(RangeError);
    expect(() => new ResourceRegistry({ retryMaxDelayMs: -3 })).toThrow(RangeError);
    expect(() => new ResourceRegistry({ trackLeaks: 'yes' as never })).toThrow(TypeError);
    expect(() => new ResourceRegistry({ trackStacks: 1 as never })).toThrow(TypeError);
    expect(() => new ResourceRegistry({ name: 3 as never })).toThrow(TypeError);
    expect(() => new ResourceRegistry({ monitor: {} as never })).toThrow(/`monitor` to be a Monitor/);
    expect(() => new ResourceRegistry(null as never)).toThrow(/`options` to be an object/);
    const registry = new ResourceRegistry();
    expect(() => registry.forceCleanupAll({ deadlineMs: -1 })).toThrow(RangeError);
    expect(() => registry.shutdown({ deadlineMs: 0 })).toThrow(RangeError);
    expect(registry.isShuttingDown).toBe(false);
  });
});
