import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDependencyShape, readManifests } from '../src/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../dist/esm/cli.js', import.meta.url));

function runCli(dir: string): { code: number; output: string } {
  try {
    const output = execFileSync(process.execPath, [cli, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, output };
  } catch (err) {
    const e = err as { status: number; stderr: string; stdout: string };
    return { code: e.status, output: `${e.stdout}${e.stderr}` };
  }
}

function copyManifests(): string {
  const dir = mkdtempSync(join(tmpdir(), 'patinox-shape-'));
  for (const manifest of readManifests(root)) {
    const short = manifest.name.replace('@patinox/', '');
    cpSync(join(root, 'packages', short, 'package.json'), join(dir, 'packages', short, 'package.json'), { recursive: true });
  }
  return dir;
}

describe('dependency shape check', () => {
  it('holds for the repository as it is', () => {
    const manifests = readManifests(root);
    expect(manifests.map((m) => m.name).sort()).toEqual(
      ['@patinox/cache', '@patinox/errors', '@patinox/mmap', '@patinox/monitor', '@patinox/pool', '@patinox/resource', '@patinox/shared'].sort(),
    );
    expect(checkDependencyShape(manifests)).toEqual([]);
    expect(runCli(root)).toMatchObject({ code: 0 });
  });

  it('fails when a leaf package adds another leaf as a dependency', () => {
    const dir = copyManifests();
    try {
      const path = join(dir, 'packages', 'pool', 'package.json');
      const manifest = JSON.parse(readFileSync(path, 'utf8')) as { dependencies: Record<string, string> };
      manifest.dependencies['@patinox/cache'] = 'workspace:^';
      writeFileSync(path, JSON.stringify(manifest));
      const result = runCli(dir);
      expect(result.code).toBe(1);
      expect(result.output).toContain('@patinox/pool must not depend on @patinox/cache (in dependencies)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails when errors depends on anything of ours, or monitor on a leaf, in any dependency field', () => {
    const violations = checkDependencyShape([
      { name: '@patinox/errors', peerDependencies: { '@patinox/monitor': '*' } },
      { name: '@patinox/monitor', devDependencies: { '@patinox/pool': '*' } },
      { name: '@patinox/shared', optionalDependencies: { '@patinox/mmap': '*' } },
      { name: '@patinox/resource', dependencies: { '@patinox/errors': '*', '@patinox/monitor': '*', 'p-queue': '*' }, devDependencies: { '@patinox/test-servers': '*' } },
    ]);
    expect(violations.map((v) => `${v.packageName}->${v.dependency}`)).toEqual([
      '@patinox/errors->@patinox/monitor',
      '@patinox/monitor->@patinox/pool',
      '@patinox/shared->@patinox/mmap',
    ]);
  });

  it('fails for a public package it does not know, and ignores private tools', () => {
    const violations = checkDependencyShape([
      { name: '@patinox/new-thing', dependencies: {} },
      { name: '@patinox/demo', private: true, dependencies: { '@patinox/pool': '*', '@patinox/cache': '*' } },
    ]);
    expect(violations).toHaveLength(1);
    expect(violations[0]!.message).toContain('@patinox/new-thing is a public package missing from the dependency shape');
  });

  it('reads no manifests from a folder without packages/', () => {
    expect(readManifests(tmpdir())).toEqual([]);
  });
});
