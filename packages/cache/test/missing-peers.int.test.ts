import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bareProject, redisUrl, type BareProject } from '@patinox/test-servers';
import { RedisBackend } from '../src/backends/redis.js';
import { TieredCache } from '../src/tiered/index.js';

// A project where @patinox/cache, @patinox/monitor and @patinox/errors are installed (copies of their
// built packages, so nothing resolves back into the workspace) and the optional peers are not: what a
// user has after `npm install @patinox/cache` alone. Each subpath loads, and using it fails with
// ERRORS_PEER_DEPENDENCY_MISSING naming the package to install, from ESM and from CJS.
const packages = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let project: BareProject;

const USES: [feature: string, peer: string, code: string][] = [
  ['@patinox/cache/redis', 'ioredis', "new m.RedisBackend({ url: 'redis://127.0.0.1:1' })"],
  ['@patinox/cache/postgres', 'pg', "new m.PostgresStore({ connectionString: 'postgres://127.0.0.1:1/x' })"],
  ['@patinox/cache/msgpack', 'msgpackr', 'm.createMsgpackCodec()'],
  ['@patinox/cache/lz4', 'lz4-napi', 'm.createLz4Compressor()'],
  ['@patinox/monitor/prometheus', 'prom-client', "new m.PrometheusExporter(new (require('@patinox/monitor').MetricsRegistry)())"],
];

// A user's shell: without NODE_PATH (pnpm sets it to the workspace's node_modules) and jest's NODE_OPTIONS.
const { NODE_PATH: _path, NODE_OPTIONS: _options, ...userEnv } = process.env;

beforeAll(() => {
  project = bareProject('patinox-no-peers-');
  for (const name of ['cache', 'monitor', 'errors']) project.install(name, join(packages, name));
  // The premise: none of the peers resolves from the project.
  expect(project.resolvable(USES.map(([, peer]) => peer))).toEqual([]);
}, 60_000);

afterAll(() => project?.dispose());

describe('a missing optional peer behind a subpath', () => {
  it.each(USES)('%s without %s: imports, then fails with ERRORS_PEER_DEPENDENCY_MISSING naming it (ESM and CJS)', (feature, peer, use) => {
    const report = `try { ${use}; console.log('no error'); } catch (e) { console.log(JSON.stringify({ code: e.code, peer: e.peer, message: e.message })); }`;
    const esm = project.run('use.mjs', `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nconst m = await import('${feature}');\n${report}\n`);
    const cjs = project.run('use.cjs', `const m = require('${feature}');\n${report}\n`);
    for (const result of [esm, cjs]) {
      expect({ feature, status: result.status }).toEqual({ feature, status: 0 });
      const line = JSON.parse(result.out.trim().split('\n').pop()!) as { code: string; peer: string; message: string };
      expect(line.code).toBe('ERRORS_PEER_DEPENDENCY_MISSING');
      expect(line.peer).toBe(peer);
      expect(line.message).toContain(`npm install ${peer}`);
    }
  });
});

describe('patinox-cache get without lz4-napi', () => {
  const ns = `nopeers-${randomUUID().slice(0, 8)}`;

  it('prints its help without ioredis, and names ioredis when a command needs it', () => {
    const bin = join(project.dir, 'node_modules', '@patinox', 'cache', 'dist', 'esm', 'cli', 'patinox-cache.js');
    const env = { ...userEnv, REDIS_URL: redisUrl() };
    const help = spawnSync(process.execPath, [bin, 'help', 'get'], { cwd: project.dir, encoding: 'utf8', env });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: patinox-cache get <key>');
    const status = spawnSync(process.execPath, [bin, 'status'], { cwd: project.dir, encoding: 'utf8', env });
    expect(status.status).toBe(4);
    expect(status.stderr).toContain('npm install ioredis');
  }, 30_000);

  it('prints a value that was never compressed, and names lz4-napi for a compressed one', async () => {
    project.linkPeer('ioredis', join(packages, 'cache'));
    project.linkPeer('msgpackr', join(packages, 'cache'));
    const plain = new TieredCache<unknown>({ l2: new RedisBackend({ url: redisUrl() }), namespace: ns, l1: false });
    const packed = new TieredCache<unknown>({ l2: new RedisBackend({ url: redisUrl() }), namespace: `${ns}-lz4`, l1: false, compression: 'lz4', compressionThresholdBytes: 16 });
    try {
      await plain.set('user:1', { name: 'Ada' });
      await packed.set('big', { text: 'x'.repeat(4096) });
      const bin = join(project.dir, 'node_modules', '@patinox', 'cache', 'dist', 'esm', 'cli', 'patinox-cache.js');
      const env = { ...userEnv, REDIS_URL: redisUrl() };
      const got = JSON.parse(execFileSync(process.execPath, [bin, 'get', 'user:1', '-n', ns], { cwd: project.dir, encoding: 'utf8', env })) as { value: unknown };
      expect(got.value).toEqual({ name: 'Ada' });
      const compressed = spawnSync(process.execPath, [bin, 'get', 'big', '-n', `${ns}-lz4`], { cwd: project.dir, encoding: 'utf8', env });
      // Exit code 4 (CLI_EXIT_CODES.failed), with the package to install and the way around it.
      expect(compressed.status).toBe(4);
      expect(compressed.stderr).toContain('LZ4-compressed: install the lz4-napi package');
      expect(compressed.stderr).toContain('--raw');
    } finally {
      await plain.delete('user:1');
      await packed.delete('big');
      await plain.close();
      await packed.close();
    }
  }, 30_000);
});
