import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bareProject, type BareProject } from '@patinox/test-servers';
import { readManifests } from '../src/index.js';

// Optional peers as a user meets them: every subpath of a package loads without any of its optional peers
// installed (a feature that needs one fails on first use with ERRORS_PEER_DEPENDENCY_MISSING, tested in each
// package's missing-peers.int.test.ts), the README's install section names each optional peer, and an
// ioredis peer range admits the current major (6) as well as 5, with the package's jest config running its
// Redis tests against both.
const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Manifest {
  name: string;
  exports: Record<string, unknown>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const manifests = readManifests(root) as unknown as Manifest[];
const short = (name: string): string => name.replace('@patinox/', '');
const optionalPeers = (m: Manifest): string[] => Object.keys(m.peerDependenciesMeta ?? {}).filter((p) => m.peerDependenciesMeta![p]!.optional === true);
const withPeers = manifests.filter((m) => optionalPeers(m).length > 0);
const subpaths = withPeers.flatMap((m) =>
  Object.keys(m.exports)
    .filter((s) => s !== './package.json')
    .map((s) => [s === '.' ? m.name : `${m.name}/${s.slice(2)}`, m] as const),
);

/** The `## Install` section of a package README, up to the next `## ` heading. */
function installSection(pkg: string): string {
  const text = readFileSync(join(root, 'packages', pkg, 'README.md'), 'utf8');
  const start = text.indexOf('\n## Install');
  if (start < 0) return '';
  const end = text.indexOf('\n## ', start + 5);
  return text.slice(start, end < 0 ? undefined : end);
}

describe('optional peer dependencies', () => {
  let project: BareProject;

  beforeAll(() => {
    project = bareProject('patinox-optional-peers-');
    // Packages with optional peers depend on nothing but @patinox/errors and @patinox/monitor.
    for (const name of new Set(['errors', 'monitor', ...withPeers.map((m) => short(m.name))])) project.install(name, join(root, 'packages', name));
    expect(project.resolvable(withPeers.flatMap(optionalPeers))).toEqual([]);
  }, 60_000);

  afterAll(() => project?.dispose());

  it('has packages with optional peers to check', () => {
    expect(withPeers.map((m) => m.name).sort()).toEqual(expect.arrayContaining(['@patinox/cache', '@patinox/monitor', '@patinox/pool']));
  });

  it.each(subpaths)('%s loads from ESM and CJS with none of its optional peers installed', (specifier) => {
    const esm = project.run('load.mjs', `const m = await import('${specifier}');\nconsole.log(Object.keys(m).length);\n`);
    const cjs = project.run('load.cjs', `const m = require('${specifier}');\nconsole.log(Object.keys(m).length);\n`);
    expect({ specifier, esm, cjs }).toEqual({
      specifier,
      esm: { status: 0, out: expect.stringMatching(/^[1-9]\d*\n$/) as unknown as string },
      cjs: { status: 0, out: expect.stringMatching(/^[1-9]\d*\n$/) as unknown as string },
    });
  });

  it.each(withPeers.map((m) => [m.name, m] as const))('%s: the README install section names every optional peer', (name, m) => {
    const section = installSection(short(name));
    expect({ name, missing: optionalPeers(m).filter((peer) => !section.includes(`\`${peer}\``) && !section.includes(`install ${peer}`) && !section.includes(` ${peer} `)) }).toEqual({ name, missing: [] });
  });

  const ioredisUsers = manifests.filter((m) => m.peerDependencies?.ioredis !== undefined);

  it.each(ioredisUsers.map((m) => [m.name, m] as const))('%s: the ioredis peer range admits ioredis 5 and 6, and jest runs the Redis tests on both', (name, m) => {
    const alternatives = m.peerDependencies!.ioredis!.split('||').map((r) => r.trim());
    expect({ name, five: alternatives.some((r) => /^\^5\.\d+\.\d+$/.test(r)), six: alternatives.some((r) => /^\^6\.\d+\.\d+$/.test(r)) }).toEqual({ name, five: true, six: true });
    // The package's jest config as jest loads it (from the package folder): a project that maps ioredis to the ioredis6 alias.
    const dir = join(root, 'packages', short(name));
    const probe = `const c = (await import(${JSON.stringify(join(dir, 'jest.config.mjs'))})).default;
      console.log(JSON.stringify((c.projects ?? []).map((p) => [p.displayName, p.moduleNameMapper?.['^ioredis(/.*)?$'] ?? null, (p.testMatch ?? []).length])));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: dir, encoding: 'utf8' });
    const projects = JSON.parse(child.stdout || '[]') as [string, string | null, number][];
    const six = projects.find(([displayName]) => displayName === 'ioredis 6');
    expect({ name, six }).toEqual({ name, six: ['ioredis 6', 'ioredis6$1', expect.any(Number) as unknown as number] });
    expect({ name, ioredis6Tests: six![2] > 0 }).toEqual({ name, ioredis6Tests: true });
  });
});
