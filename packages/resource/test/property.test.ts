import { describe, expect, it } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import fc from 'fast-check';
import { ALREADY_CLEANED_UP, REGISTRY_SHUTTING_DOWN, RESOURCE_TAKEN, ResourceRegistry, guard, type AsyncResourceGuard } from '../src/index.js';
import { collectGarbage } from './helpers.js';

type Op =
  | { kind: 'create'; async: boolean }
  | { kind: 'cleanup' | 'cleanupNoWait' | 'dispose' | 'intoInner' | 'drop'; slot: number }
  | { kind: 'gc' | 'forceCleanupAll' | 'shutdown' };

const slotOp = (kind: 'cleanup' | 'cleanupNoWait' | 'dispose' | 'intoInner' | 'drop') =>
  fc.nat({ max: 15 }).map((slot): Op => ({ kind, slot }));

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.boolean().map((async): Op => ({ kind: 'create', async })) },
  { weight: 2, arbitrary: slotOp('cleanup') },
  { weight: 2, arbitrary: slotOp('cleanupNoWait') },
  { weight: 2, arbitrary: slotOp('dispose') },
  { weight: 2, arbitrary: slotOp('intoInner') },
  { weight: 2, arbitrary: slotOp('drop') },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'gc' }) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'forceCleanupAll' }) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: 'shutdown' }) },
);

// Guards are created outside the test's async frame so that dropping a slot really drops the guard.
function create(registry: ResourceRegistry, id: number, cleaned: number[], async: boolean): AsyncResourceGuard<{ id: number }> {
  const cleanup = async
    ? (r: { id: number }) => Promise.resolve().then(() => void (cleaned[r.id] = (cleaned[r.id] ?? 0) + 1))
    : (r: { id: number }) => void (cleaned[r.id] = (cleaned[r.id] ?? 0) + 1);
  return guard({ id }, cleanup, { registry, name: `r${id}` });
}

async function run(ops: Op[]): Promise<void> {
  const registry = new ResourceRegistry({ name: 'property' });
  const cleaned: number[] = [];
  const handedBack: number[] = [];
  const owned = new Set<number>();
  const slots: (AsyncResourceGuard<{ id: number }> | undefined)[] = [];
  const inFlight: Promise<void>[] = [];
  let nextId = 0;
  const expectAtMostOnce = (): void => {
    for (const id of owned) expect((cleaned[id] ?? 0) + (handedBack[id] ?? 0)).toBeLessThanOrEqual(1);
  };

  for (const op of ops) {
    const g = 'slot' in op && slots.length > 0 ? slots[op.slot % slots.length] : undefined;
    switch (op.kind) {
      case 'create': {
        const id = nextId++;
        try {
          slots.push(create(registry, id, cleaned, op.async));
          owned.add(id);
        } catch (error) {
          expect(isPatinoxError(error, REGISTRY_SHUTTING_DOWN)).toBe(true);
          expect(registry.isShuttingDown).toBe(true);
        }
        break;
      }
      case 'cleanup':
        await g?.cleanup();
        break;
      case 'cleanupNoWait':
        if (g !== undefined) inFlight.push(g.cleanup());
        break;
      case 'dispose':
        await g?.[Symbol.asyncDispose]();
        break;
      case 'intoInner':
        if (g === undefined) break;
        try {
          const resource = g.intoInner();
          handedBack[resource.id] = (handedBack[resource.id] ?? 0) + 1;
        } catch (error) {
          expect(isPatinoxError(error, ALREADY_CLEANED_UP) || isPatinoxError(error, RESOURCE_TAKEN)).toBe(true);
        }
        break;
      case 'drop':
        if (slots.length > 0) slots[op.slot % slots.length] = undefined;
        break;
      case 'gc':
        await collectGarbage(1);
        break;
      case 'forceCleanupAll':
        expect((await registry.forceCleanupAll()).complete).toBe(true);
        break;
      case 'shutdown':
        expect((await registry.shutdown()).complete).toBe(true);
        break;
    }
    expectAtMostOnce();
  }
  await Promise.all(inFlight);
  expect((await registry.shutdown()).complete).toBe(true);
  for (const id of owned) expect({ id, outcomes: (cleaned[id] ?? 0) + (handedBack[id] ?? 0) }).toEqual({ id, outcomes: 1 });
  for (let id = 0; id < nextId; id += 1) if (!owned.has(id)) expect(cleaned[id] ?? 0).toBe(0);
  expect(registry.stats()).toMatchObject({ active: 0, failed: 0 });
  // Dropped guards collected after the shutdown must not clean anything a second time.
  slots.length = 0;
  await collectGarbage(1);
  for (const id of owned) expect((cleaned[id] ?? 0) + (handedBack[id] ?? 0)).toBe(1);
  leakedTotal += registry.stats().leaked;
}

let leakedTotal = 0;

describe('property: every resource is cleaned exactly once or handed back exactly once', () => {
  it('holds for any interleaving of create, cleanup, dispose, intoInner, drop + GC, forceCleanupAll and shutdown', async () => {
    leakedTotal = 0;
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), run), { numRuns: 40 });
    // The leak path (drop + GC before shutdown) was really exercised, not just the explicit paths.
    expect(leakedTotal).toBeGreaterThan(0);
  });

  it('holds for the interleaving that drops a guard, collects it, and shuts down while its leak cleanup runs', async () => {
    leakedTotal = 0;
    await run([
      { kind: 'create', async: true },
      { kind: 'create', async: false },
      { kind: 'drop', slot: 0 },
      { kind: 'gc' },
      { kind: 'shutdown' },
      { kind: 'create', async: true },
    ]);
    expect(leakedTotal).toBe(1);
  });
});
