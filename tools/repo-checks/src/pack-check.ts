import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifests } from './check-deps.js';

/** A temp project with every package installed from its packed tarball, as a user gets it. */
export interface PackedProject {
  dir: string;
  tarballs: Record<string, string>;
}

/**
 * Packs every package under `root/packages` with `pnpm pack` (which rewrites `workspace:` ranges to
 * real versions) and installs all tarballs together into a fresh temp project with npm, so nothing
 * resolves back into the workspace.
 */
export function packAndInstall(root: string, extraDependencies: Record<string, string> = {}): PackedProject {
  const dir = mkdtempSync(join(tmpdir(), 'patinox-consumer-'));
  const packs = join(dir, 'tarballs');
  mkdirSync(packs);
  const tarballs: Record<string, string> = {};
  for (const manifest of readManifests(root)) {
    const short = manifest.name.replace('@patinox/', '');
    const before = new Set(readdirSync(packs));
    execFileSync('pnpm', ['pack', '--pack-destination', packs], { cwd: join(root, 'packages', short), stdio: 'ignore' });
    const created = readdirSync(packs).find((f) => !before.has(f));
    if (created === undefined) throw new Error(`pnpm pack produced no tarball for ${manifest.name}`);
    tarballs[manifest.name] = join(packs, created);
  }
  const dependencies: Record<string, string> = { ...extraDependencies };
  for (const [name, path] of Object.entries(tarballs)) dependencies[name] = `file:${path}`;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }, null, 2));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--foreground-scripts=false'], { cwd: dir, stdio: 'pipe' });
  return { dir, tarballs };
}
