import { mkdtempSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CleanupPriority } from '@patinox/resource';
import type { Resources } from './resources.js';

/** The demo's temp files, each guarded by the registry so that any ending removes them. */
export interface Workspace {
  dir: string;
  catalogPath: string;
  rulesPath: string;
}

/** Creates a fresh temp directory and registers it and the two files the demo will write in it. */
export function createWorkspace(resources: Resources): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'patinox-demo-'));
  const remove = (path: string): Promise<void> => rm(path, { recursive: true, force: true });
  // Low priority: the mapping and the workers go first, the files they use last.
  resources.guard(dir, remove, { name: `temp dir ${dir}`, priority: CleanupPriority.Low });
  const workspace = { dir, catalogPath: join(dir, 'catalog.bin'), rulesPath: join(dir, 'pricing-rules.json') };
  resources.guard(workspace.catalogPath, remove, { name: 'temp file catalog.bin', priority: CleanupPriority.Low });
  resources.guard(workspace.rulesPath, remove, { name: 'temp file pricing-rules.json', priority: CleanupPriority.Low });
  return workspace;
}

/** Replaces a JSON file in one rename, so a watcher never reads it half-written. */
export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, path);
}
