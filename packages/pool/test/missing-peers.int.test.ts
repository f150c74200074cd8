import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bareProject, type BareProject } from '@patinox/test-servers';

// A project where @patinox/pool, @patinox/monitor and @patinox/errors are installed (copies of their
// built packages, so nothing resolves back into the workspace) and neither pg nor ioredis is: what a
// user has after `npm install @patinox/pool` alone. Each subpath imports, and creating a manager fails
// with ERRORS_PEER_DEPENDENCY_MISSING naming the package to install, from ESM and from CJS.
const packages = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let project: BareProject;

const USES: [feature: string, peer: string, code: string][] = [
  ['@patinox/pool/pg', 'pg', "m.createPgConnectionManager({ config: 'postgres://127.0.0.1:1/x' })"],
  ['@patinox/pool/pg', 'pg', 'm.createPgPool({ max: 1 })'],
  ['@patinox/pool/ioredis', 'ioredis', "m.createIoredisConnectionManager({ redis: 'redis://127.0.0.1:1' })"],
];

beforeAll(() => {
  project = bareProject('patinox-pool-no-peers-');
  for (const name of ['pool', 'monitor', 'errors']) project.install(name, join(packages, name));
  // The premise: neither peer resolves from the project.
  expect(project.resolvable(['pg', 'ioredis'])).toEqual([]);
}, 60_000);

afterAll(() => project?.dispose());

describe('a missing optional peer behind a pool subpath', () => {
  it.each(USES)('%s without %s: imports, then %s fails with ERRORS_PEER_DEPENDENCY_MISSING naming it (ESM and CJS)', (feature, peer, use) => {
    const report = `try { ${use}; console.log('no error'); } catch (e) { console.log(JSON.stringify({ code: e.code, peer: e.peer, message: e.message })); }`;
    const esm = project.run('use.mjs', `const m = await import('${feature}');\n${report}\n`);
    const cjs = project.run('use.cjs', `const m = require('${feature}');\n${report}\n`);
    for (const result of [esm, cjs]) {
      expect({ feature, status: result.status, out: result.out }).toMatchObject({ feature, status: 0 });
      const line = JSON.parse(result.out.trim().split('\n').pop()!) as { code: string; peer: string; message: string };
      expect(line.code).toBe('ERRORS_PEER_DEPENDENCY_MISSING');
      expect(line.peer).toBe(peer);
      expect(line.message).toContain(`npm install ${peer}`);
    }
  });
});
