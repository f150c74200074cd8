import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readManifests } from '../src/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const changesetBin = join(root, 'node_modules', '@changesets', 'cli', 'bin.js');

interface Bump {
  name: string;
  type: 'major' | 'minor' | 'patch';
}

function pendingBumps(dir: string): Bump[] {
  const bumps: Bump[] = [];
  for (const file of readdirSync(join(dir, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(dir, '.changeset', file), 'utf8'))?.[1] ?? '';
    for (const line of front.split('\n')) {
      const m = /^"?(@patinox\/[a-z-]+)"?:\s*(major|minor|patch)\s*$/.exec(line.trim());
      if (m) bumps.push({ name: m[1]!, type: m[2] as Bump['type'] });
    }
  }
  return bumps;
}

describe('pnpm changeset version, dry run on a temp copy of the repository', () => {
  let copy: string;

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'patinox-changesets-'));
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
    for (const file of files) {
      if (!existsSync(join(root, file))) continue;
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      copyFileSync(join(root, file), join(copy, file));
    }
    execFileSync('git', ['init', '-q'], { cwd: copy });
    execFileSync(process.execPath, [changesetBin, 'version'], { cwd: copy, stdio: 'pipe' });
  }, 60_000);

  afterAll(() => {
    if (copy !== undefined) rmSync(copy, { recursive: true, force: true });
  });

  it('bumps each package with a changeset by its declared type and writes its CHANGELOG', () => {
    const before = new Map(readManifests(root).map((m) => [m.name, (m as { version?: string }).version ?? '0.0.0']));
    const bumps = pendingBumps(root);
    const after = new Map(readManifests(copy).map((m) => [m.name, m as { name: string; version?: string; dependencies?: Record<string, string> }]));
    const rank = { patch: 0, minor: 1, major: 2 } as const;
    for (const [name, version] of before) {
      const own = bumps.filter((b) => b.name === name).map((b) => b.type);
      const manifest = after.get(name)!;
      const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
      const highest = own.sort((a, b) => rank[b] - rank[a])[0];
      // Internal dependants get at least a patch (updateInternalDependencies: patch).
      const expected =
        highest === 'major' ? `${major + 1}.0.0` : highest === 'minor' ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`;
      if (own.length > 0) {
        expect(manifest.version).toBe(expected);
        const changelog = readFileSync(join(copy, 'packages', name.replace('@patinox/', ''), 'CHANGELOG.md'), 'utf8');
        expect(changelog).toContain(`# ${name}`);
        expect(changelog).toContain(`## ${expected}`);
      } else {
        expect(manifest.version).not.toBe(undefined);
      }
      for (const range of Object.values(manifest.dependencies ?? {})) {
        if (range.startsWith('workspace:')) expect(range).toMatch(/^workspace:/);
      }
    }
  });

  it('takes every public package to a first real version (0.1.0 or later, never 0.0.x)', () => {
    for (const manifest of readManifests(copy) as { name: string; version: string }[]) {
      const [major, minor] = manifest.version.split('.').map(Number) as [number, number];
      expect({ name: manifest.name, released: major > 0 || minor > 0 }).toEqual({ name: manifest.name, released: true });
    }
  });

  it('consumes every changeset and leaves private tools unversioned', () => {
    const left = readdirSync(join(copy, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(left).toEqual([]);
    const demo = JSON.parse(readFileSync(join(copy, 'tools', 'repo-checks', 'package.json'), 'utf8')) as { version: string };
    expect(demo.version).toBe('0.0.0');
    expect(existsSync(join(copy, 'tools', 'repo-checks', 'CHANGELOG.md'))).toBe(false);
  });
});
