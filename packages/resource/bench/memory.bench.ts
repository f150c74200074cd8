// Heap bytes per tracked resource beyond the resource itself: resources (and the array that holds the
// guards) are allocated before the baseline, so the delta is the guard, its registry entry, the list
// links and the FinalizationRegistry cell.
import { CleanupPriority, ResourceRegistry, guard } from '@patinox/resource';

const N = 100_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc (pnpm bench does)');

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

async function measure(label: string, registry: ResourceRegistry, withOptions: boolean): Promise<void> {
  const resources = Array.from({ length: N }, (_, i) => ({ i }));
  const holder: unknown[] = new Array<unknown>(N).fill(null);
  const cleanup = (): void => undefined;
  const shared = { name: 'conn', priority: CleanupPriority.High, sizeBytes: 64, registry };
  const before = heap();
  for (let i = 0; i < N; i += 1) {
    holder[i] = withOptions ? guard(resources[i], cleanup, { ...shared }) : guard(resources[i], cleanup, { registry });
  }
  // Guards are registered with the FinalizationRegistry at the end of the macrotask that created them.
  await new Promise((resolve) => setImmediate(resolve));
  const after = heap();
  const perResource = (after - before) / N;
  console.log(`${label.padEnd(60)} ${perResource.toFixed(1).padStart(7)} bytes/resource  (active ${registry.stats().active})`);
  await registry.forceCleanupAll();
  holder.fill(null);
  void resources;
}

async function main(): Promise<void> {
  await measure('guard, leak tracking on (default)', new ResourceRegistry(), false);
  await measure('guard, leak tracking off', new ResourceRegistry({ trackLeaks: false }), false);
  await measure('guard with per-call options {name, priority, sizeBytes}', new ResourceRegistry(), true);
  console.log('target: at most 120 bytes beyond the resource');
}

void main();
