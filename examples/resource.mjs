// @patinox/resource: a job that opens a temp file, a file handle and a timer, and releases all of
// them however it ends: `await using` for one resource, a scope for a group (released in reverse
// order), and the registry's shutdown for whatever is still open at exit.
import { mkdtemp, open, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CleanupPriority, ResourceRegistry, ResourceScope } from '@patinox/resource';

const released = [];
const registry = new ResourceRegistry({
  name: 'export-job',
  monitor: { record: (event) => event.type === 'resource.cleaned' && released.push(event.data.name) },
});

// A temp directory for the whole job, removed last (low priority) when the registry shuts down.
const dir = await mkdtemp(join(tmpdir(), 'patinox-example-'));
const tempDir = registry.guard(dir, (path) => rm(path, { recursive: true, force: true }), { name: 'temp dir', priority: CleanupPriority.Low });

// One step: the file handle is closed when the function returns, even if a write throws.
async function writeReport(path, rows) {
  const file = registry.guard(await open(path, 'w'), (handle) => handle.close(), { name: 'report.csv handle' });
  try {
    await file.get().write(rows.map((r) => r.join(',')).join('\n'));
  } finally {
    await file.cleanup();
  }
}
await writeReport(join(dir, 'report.csv'), [['id', 'total'], [1, 9.5], [2, 12]]);
console.log('after writeReport:', released.join(', '));

// A group of resources released together, newest first.
const scope = new ResourceScope({ name: 'upload', registry });
const heartbeat = scope.guard(setInterval(() => {}, 1_000), clearInterval, { name: 'heartbeat timer' });
scope.defer(() => console.log('  upload session closed (registered last, so released first)'), { name: 'upload session' });
console.log(`scope open: heartbeat timer ${heartbeat.state}, registry tracks ${registry.stats().active} resources`);
await scope.cleanup();
console.log('after scope.cleanup():', released.slice(1).join(', ')); // reverse order

// Whatever is left (here the temp dir) goes on shutdown, with a report instead of a throw.
const report = await registry.shutdown({ deadlineMs: 1_000 });
console.log(`shutdown: cleaned ${report.cleaned}, failed ${report.failures.length}, temp dir exists: ${existsSync(dir)}, guard ${tempDir.state}`);
