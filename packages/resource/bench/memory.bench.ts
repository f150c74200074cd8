// Bytes per tracked resource beyond the resource itself: resources (and the array that holds the guards)
// are allocated before the baseline, so the delta is the guard, its registry slot (including the
// registry's partly filled last page) and the leak-tracking WeakRef. The registry keeps ids and creation
// times in typed arrays whose backing stores live outside the JS heap, so the measure is heapUsed plus
// arrayBuffers: nothing the registry allocates escapes it.
import { CleanupPriority, ResourceRegistry, guard } from '@patinox/resource';

const N = 100_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc (pnpm bench does)');

// Yields a macrotask first: objects that WeakRef.deref() or new WeakRef() touched stay alive until the
// microtask queue drains, and would otherwise be counted in one reading and not the other.
async function heap(): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve));
  gc!();
  gc!();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

async function measure(label: string, registry: ResourceRegistry, withOptions: boolean): Promise<void> {
  const resources = Array.from({ length: N }, (_, i) => ({ i }));
  const holder: unknown[] = new Array<unknown>(N).fill(null);
  const cleanup = (): void => undefined;
  const shared = { name: 'conn', priority: CleanupPriority.High, sizeBytes: 64, registry };
  const before = await heap();
  for (let i = 0; i < N; i += 1) {
    holder[i] = withOptions ? guard(resources[i], cleanup, { ...shared }) : guard(resources[i], cleanup, { registry });
  }
  // Guards are handed to leak tracking (a WeakRef each) at the end of the macrotask that created them.
  await new Promise((resolve) => setImmediate(resolve));
  const after = await heap();
  const perResource = (after - before) / N;
  console.log(`${label.padEnd(60)} ${perResource.toFixed(1).padStart(7)} bytes/resource  (active ${registry.stats().active})`);
  await registry.forceCleanupAll();
  holder.fill(null);
  void resources;
}

// One-time costs (compiled code, inline caches, the first pages of the monitor-less default shapes) are
// not per resource: a throwaway registry runs the same paths first, so the first row measures what the
// others do. Each measured row still starts from a fresh registry, whose own growth is counted.
async function warmUp(): Promise<void> {
  const registry = new ResourceRegistry();
  const shared = { name: 'conn', priority: CleanupPriority.High, sizeBytes: 64, registry };
  const held = [];
  for (let i = 0; i < 5000; i += 1) held.push(guard({ i }, () => undefined, i % 2 === 0 ? { registry } : { ...shared }));
  await new Promise((resolve) => setImmediate(resolve));
  await registry.forceCleanupAll();
}

async function main(): Promise<void> {
  await warmUp();
  await measure('guard, leak tracking on (default)', new ResourceRegistry(), false);
  await measure('guard, leak tracking off', new ResourceRegistry({ trackLeaks: false }), false);
  await measure('guard with per-call options {name, priority, sizeBytes}', new ResourceRegistry(), true);
  console.log('target: at most 120 bytes beyond the resource');
}

void main();
