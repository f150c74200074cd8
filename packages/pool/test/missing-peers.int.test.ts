import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// A project where @patinox/pool, @patinox/monitor and @patinox/errors are installed (copies of their
// built packages, so nothing resolves back into the workspace) and neither pg nor ioredis is: what a
// user has after `npm install @patinox/pool` alone. Each subpath imports, and creating a manager fails
// with PEER_DEPENDENCY_MISSING naming the package to install, from ESM and from CJS.
const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, '..', '..');
let project: string;

function install(name: string): void {
  const from = join(packages, name);
  const to = join(project, 'node_modules', '@patinox', name);
  mkdirSync(to, { recursive: true });
  cpSync(join(from, 'package.json'), join(to, 'package.json'));
  cpSync(join(from, 'dist'), join(to, 'dist'), { recursive: true });
}

const USES: [feature: string, peer: string, code: string][] = [
  ['@patinox/pool/pg', 'pg', "m.createPgConnectionManager({ config: 'postgres://127.0.0.1:1/x' })"],
  ['@patinox/pool/pg', 'pg', 'm.createPgPool({ max: 1 })'],
  ['@patinox/pool/ioredis', 'ioredis', "m.createIoredisConnectionManager({ redis: 'redis://127.0.0.1:1' })"],
];

// Without NODE_PATH (pnpm sets it to the workspace's node_modules) and jest's NODE_OPTIONS: a user's shell.
const { NODE_PATH: _path, NODE_OPTIONS: _options, ...userEnv } = process.env;

function run(file: string, source: string): { status: number | null; out: string } {
  writeFileSync(join(project, file), source);
  const child = spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8', env: userEnv });
  return { status: child.status, out: `${child.stdout}${child.stderr}` };
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'patinox-pool-no-peers-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'no-peers', private: true }));
  for (const name of ['pool', 'monitor', 'errors']) install(name);
  // The premise: neither peer resolves from the project.
  const probe = run('probe.cjs', `console.log(JSON.stringify(['pg', 'ioredis'].filter((p) => { try { require.resolve(p); return true; } catch { return false; } })));`);
  expect(JSON.parse(probe.out)).toEqual([]);
}, 60_000);

afterAll(() => {
  if (project !== undefined) rmSync(project, { recursive: true, force: true });
});

describe('a missing optional peer behind a pool subpath', () => {
  it.each(USES)('%s without %s: imports, then %s fails with PEER_DEPENDENCY_MISSING naming it (ESM and CJS)', (feature, peer, use) => {
    const report = `try { ${use}; console.log('no error'); } catch (e) { console.log(JSON.stringify({ code: e.code, peer: e.peer, message: e.message })); }`;
    const esm = run('use.mjs', `const m = await import('${feature}');\n${report}\n`);
    const cjs = run('use.cjs', `const m = require('${feature}');\n${report}\n`);
    for (const result of [esm, cjs]) {
      expect({ feature, status: result.status, out: result.out }).toMatchObject({ feature, status: 0 });
      const line = JSON.parse(result.out.trim().split('\n').pop()!) as { code: string; peer: string; message: string };
      expect(line.code).toBe('PEER_DEPENDENCY_MISSING');
      expect(line.peer).toBe(peer);
      expect(line.message).toContain(`npm install ${peer}`);
    }
  });
});
