import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryMonitor } from '@patinox/monitor';
import { deferred } from '@patinox/test-servers';
import fc from 'fast-check';
import { RESOURCE_CLEANUP_FAILED, CleanupPriority, ResourceRegistry, guard, type AsyncResourceGuard } from '../src/index.js';
import { collectGarbage, collectUntil } from './helpers.js';

const DAY_MS = 86_400_000;

const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// Guards created in a helper frame, so the test's frame keeps no reference to the dropped ones.
function createMany(registry: ResourceRegistry, count: number, cleaned: number[], keepEvery: number): AsyncResourceGuard<number>[] {
  const kept: AsyncResourceGuard<number>[] = [];
  for (let i = 0; i < count; i += 1) {
    const g = guard(i, (n) => void cleaned.push(n), { registry });
    if (i % keepEvery === 0) kept.push(g);
  }
  return kept;
}

describe('resource slots', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('never runs a queued cleanup on a resource that reused the slot of one its owner already cleaned', async () => {
    const registry = new ResourceRegistry({ concurrency: 1 });
    const cleaned: string[] = [];
    const gate = deferred();
    const blocker = guard('blocker', async (name) => {
      await gate.promise;
      cleaned.push(name);
    }, { registry, priority: CleanupPriority.Critical });
    const first = guard('first', (name) => void cleaned.push(name), { registry });
    await nextMacrotask();
    const report = registry.forceCleanupAll();
    // The queue is stuck on the blocker; meanwhile the owner cleans `first` and its slot goes to `second`.
    await first.cleanup();
    const second = guard('second', (name) => void cleaned.push(name), { registry });
    expect(second.id).not.toBe(first.id);
    gate.resolve();
    expect(await report).toMatchObject({ cleaned: 2, complete: true });
    expect(cleaned).toEqual(['first', 'blocker']);
    expect(second.state).toBe('active');
    expect(registry.list().map((r) => r.id)).toEqual([second.id]);
    await second.cleanup();
    expect(cleaned).toEqual(['first', 'blocker', 'second']);
    expect(blocker.state).toBe('cleaned');
  });

  it('keeps reporting the id and error of a failed guard after its slot was reused', async () => {
    const registry = new ResourceRegistry();
    const failing = guard(1, () => {
      throw new Error('boom');
    }, { registry });
    const id = failing.id;
    await expect(failing.cleanup()).rejects.toMatchObject({ code: RESOURCE_CLEANUP_FAILED });
    const next = guard(2, () => undefined, { registry });
    expect(failing.id).toBe(id);
    expect(failing.state).toBe('failed');
    expect(next.id).toBe(id + 1);
    await expect(failing.cleanup()).rejects.toMatchObject({ code: RESOURCE_CLEANUP_FAILED, context: { id } });
  });

  it('lists exactly the live resources, oldest first, however creations and cleanups interleave across pages', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.integer({ min: 1, max: 700 }).map((n) => ({ create: n })), fc.double({ min: 0, max: 1, noNaN: true }).map((share) => ({ share }))), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (ops, seed) => {
          const registry = new ResourceRegistry({ trackLeaks: false });
          const cleanups = new Map<number, number>();
          const live: AsyncResourceGuard<number>[] = [];
          let next = 0;
          let state = seed;
          const random = (): number => {
            state = (state * 1103515245 + 12345) % 2 ** 31;
            return state / 2 ** 31;
          };
          for (const op of ops) {
            if ('create' in op) {
              for (let k = 0; k < op.create; k += 1) live.push(guard(next++, (n) => void cleanups.set(n, (cleanups.get(n) ?? 0) + 1), { registry }));
            } else {
              for (let k = live.length - 1; k >= 0; k -= 1) {
                if (random() < op.share) {
                  await live[k]!.cleanup();
                  live.splice(k, 1);
                }
              }
            }
            const ids = live.map((g) => g.id).sort((a, b) => a - b);
            expect(registry.list().map((r) => r.id)).toEqual(ids);
            expect(registry.stats().active).toBe(live.length);
          }
          const report = await registry.forceCleanupAll();
          expect(report).toMatchObject({ cleaned: live.length, complete: true });
          expect(cleanups.size).toBe(next);
          expect([...cleanups.values()].every((count) => count === 1)).toBe(true);
          expect(registry.list()).toEqual([]);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('fills free slots of older pages once the newest is full, and reuses emptied pages', async () => {
    const registry = new ResourceRegistry({ trackLeaks: false });
    const cleanups: number[] = [];
    const make = (n: number): AsyncResourceGuard<number> => guard(n, (v) => void cleanups.push(v), { registry });
    const first = Array.from({ length: 1300 }, (_, n) => make(n));
    // Empties the oldest pages completely and leaves holes in the newest.
    for (const g of first.slice(0, 1100)) await g.cleanup();
    const second = Array.from({ length: 1500 }, (_, n) => make(1300 + n));
    const live = [...first.slice(1100), ...second];
    expect(registry.list().map((r) => r.id)).toEqual(live.map((g) => g.id));
    for (const g of second.filter((_, k) => k % 3 === 0)) await g.cleanup();
    const third = Array.from({ length: 700 }, (_, n) => make(2800 + n));
    expect(registry.stats().active).toBe(200 + 1000 + 700);
    expect(await registry.forceCleanupAll()).toMatchObject({ cleaned: 1900, complete: true });
    expect(cleanups.sort((a, b) => a - b)).toEqual(Array.from({ length: 3500 }, (_, n) => n));
    expect(third.every((g) => g.isCleanedUp)).toBe(true);
  });

  it('reports creation times from before the package loaded and from months later', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
    const start = Date.now();
    const registry = new ResourceRegistry({ trackLeaks: false });
    const early = guard(1, () => undefined, { registry });
    await nextMacrotask();
    const late = 60 * DAY_MS + start;
    jest.setSystemTime(late);
    const after = guard(2, () => undefined, { registry });
    expect(registry.list().map((r) => r.createdAt)).toEqual([start, late]);

    const past = new ResourceRegistry({ trackLeaks: false });
    jest.setSystemTime(start - DAY_MS);
    guard(3, () => undefined, { registry: past });
    expect(past.list()[0]!.createdAt).toBe(start - DAY_MS);
    await early.cleanup();
    await after.cleanup();
  });

  it('cleans every leaked guard across several bounded sweep steps, and never one that is still held', async () => {
    const monitor = new MemoryMonitor();
    const registry = new ResourceRegistry({ monitor, resourceEvents: false });
    const cleaned: number[] = [];
    const kept = createMany(registry, 3000, cleaned, 10);
    await nextMacrotask();
    expect(await collectUntil(() => cleaned.length === 2700)).toBe(true);
    await collectGarbage(2);
    expect(cleaned).toHaveLength(2700);
    expect(cleaned.some((n) => n % 10 === 0)).toBe(false);
    expect(registry.stats()).toMatchObject({ active: 300, leaked: 2700 });
    expect(kept.every((g) => g.state === 'active')).toBe(true);
    expect(await registry.shutdown()).toMatchObject({ cleaned: 300, complete: true });
    expect(monitor.events('resource.leaked')[0]?.data).toMatchObject({ name: 'number' });
  });

  it('cleans guards dropped before shutdown exactly once, whether shutdown or the leak sweep gets to them first', async () => {
    const registry = new ResourceRegistry();
    const cleaned: number[] = [];
    createMany(registry, 2000, cleaned, 2000);
    await nextMacrotask();
    const report = await registry.shutdown();
    expect(report.cleaned).toBe(2000);
    await collectGarbage(2);
    expect(cleaned).toHaveLength(2000);
    expect(new Set(cleaned).size).toBe(2000);
  });
});
