import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVerdaccio, type RegistryHandle } from '@patinox/test-servers';
import { readManifests } from '../src/index.js';

// The release as a user meets it: a throwaway copy of the repository is versioned by `changeset version`,
// every package is packed and published to a local Verdaccio (no uplinks), and scratch projects outside
// the workspace install one package each from it, with npm and with pnpm 12 (given exactly the
// `allowBuilds` lines its README prints), then import it from ESM and CJS and type-check a TS file.
// @patinox/* comes from the local registry, everything else from the default one.

const root = fileURLToPath(new URL('../../../', import.meta.url));
const requireFromRoot = createRequire(join(root, 'package.json'));
const tsc = requireFromRoot.resolve('typescript/bin/tsc');
const changesetBin = join(root, 'node_modules', '@changesets', 'cli', 'bin.js');

// A user's shell: none of the variables pnpm, npm or jest set for the scripts they run.
const userEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_|PNPM_|NODE_PATH$|NODE_OPTIONS$|INIT_CWD$|TURBO_)/i.test(k)),
);

function exec(command: string, args: string[], cwd: string, timeoutMs = 240_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: userEnv, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}

/** The yaml block after `<!-- pnpm:allow-builds -->` in a package README: what the user is told to add. */
function readmeAllowBuilds(pkg: string): string {
  const text = readFileSync(join(root, 'packages', pkg, 'README.md'), 'utf8');
  const m = /<!-- pnpm:allow-builds -->\s*```yaml\n([\s\S]*?)```/.exec(text);
  if (m === null) throw new Error(`packages/${pkg}/README.md has no <!-- pnpm:allow-builds --> yaml block`);
  return m[1]!;
}

interface Checked {
  version: string;
  esm: string;
  cjs: string;
}

interface Scratch {
  name: string;
  manager: 'npm' | 'pnpm';
  install: string[];
  /** README whose allowBuilds lines the pnpm project uses. */
  readme?: string;
  /** Run as ESM (`m` is the package namespace) and as CJS (`m = require(pkg)`), inside an async function. */
  use: string;
  pkg: string;
  symbol: string;
}

const MMAP_USE = `const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mm-')), 'a.u32'); fs.writeFileSync(file, Buffer.alloc(4096, 1));
  const f = await m.MappedFile.open(file, { type: 'u32' }); const s = f.asMappedSlice();
  if (s.length !== 1024 || s.get(0) !== 0x01010101) throw new Error('map'); f.close(); fs.rmSync(path.dirname(file), { recursive: true });`;
const CACHE_USE = `const c = new m.Cache({ maxEntries: 10 }); c.set('a', 1); if (c.get('a') !== 1) throw new Error('get');
  if ((await c.getOrLoad('b', async () => 2)) !== 2) throw new Error('load'); c.close();
  const redis = require('@patinox/cache/redis');
  try { new redis.RedisBackend({ url: 'redis://127.0.0.1:1' }); throw new Error('ioredis should be missing'); }
  catch (e) { if (e.code !== 'ERRORS_PEER_DEPENDENCY_MISSING' || e.peer !== 'ioredis') throw e; }`;
const POOL_USE = `const pool = new m.Pool({ create: async () => ({ id: 7 }), isValid: () => true, destroy: () => {} }, { maxSize: 2 });
  if ((await pool.use((c) => c.id)) !== 7) throw new Error('use'); await pool.close();`;
const CACHE_PEERS_USE = `const { createMsgpackCodec } = require('@patinox/cache/msgpack'); const codec = createMsgpackCodec();
  if (codec.decode(codec.encode({ a: [1, 2n] })).a[1] !== 2n) throw new Error('msgpack');
  if (typeof require('@patinox/cache/redis').RedisBackend !== 'function') throw new Error('redis');
  if (typeof require('ioredis').Redis !== 'function') throw new Error('ioredis');
  const lz4 = require('@patinox/cache/lz4').createLz4Compressor(); const bytes = Buffer.alloc(4096, 7);
  if (!lz4.decompress(lz4.compress(bytes)).equals(bytes)) throw new Error('lz4');
  const store = new (require('@patinox/cache/postgres').PostgresStore)({ connectionString: 'postgres://127.0.0.1:1/x' }); await store.close();`;
const POOL_PEERS_USE = `const { createPgConnectionManager } = require('@patinox/pool/pg'); const { createIoredisConnectionManager } = require('@patinox/pool/ioredis');
  if (typeof createPgConnectionManager({ config: 'postgres://127.0.0.1:1/x' }).create !== 'function') throw new Error('pg');
  if (typeof createIoredisConnectionManager({ redis: 'redis://127.0.0.1:1' }).create !== 'function') throw new Error('ioredis');
  if (Number(require('ioredis/package.json').version.split('.')[0]) < 5) throw new Error('ioredis major');`;

const SCRATCHES: Scratch[] = [
  { name: 'npm-cache', manager: 'npm', install: ['@patinox/cache'], use: CACHE_USE, pkg: '@patinox/cache', symbol: 'Cache' },
  { name: 'npm-pool', manager: 'npm', install: ['@patinox/pool'], use: POOL_USE, pkg: '@patinox/pool', symbol: 'Pool' },
  { name: 'npm-mmap', manager: 'npm', install: ['@patinox/mmap'], use: MMAP_USE, pkg: '@patinox/mmap', symbol: 'MappedFile' },
  { name: 'pnpm-cache', manager: 'pnpm', install: ['@patinox/cache'], readme: 'cache', use: CACHE_USE, pkg: '@patinox/cache', symbol: 'Cache' },
  { name: 'pnpm-pool', manager: 'pnpm', install: ['@patinox/pool'], use: POOL_USE, pkg: '@patinox/pool', symbol: 'Pool' },
  { name: 'pnpm-mmap', manager: 'pnpm', install: ['@patinox/mmap'], readme: 'mmap', use: MMAP_USE, pkg: '@patinox/mmap', symbol: 'MappedFile' },
  // Every optional peer the README's table names, at the version a plain `pnpm add` picks today (ioredis 6),
  // with only the README's allowBuilds lines: pnpm 12 fails the install on any build script not listed.
  {
    name: 'pnpm-cache-every-peer',
    manager: 'pnpm',
    install: ['@patinox/cache', 'ioredis', 'msgpackr', 'lz4-napi', 'pg'],
    readme: 'cache',
    use: CACHE_PEERS_USE,
    pkg: '@patinox/cache',
    symbol: 'Cache',
  },
  { name: 'pnpm-pool-every-peer', manager: 'pnpm', install: ['@patinox/pool', 'pg', 'ioredis'], use: POOL_PEERS_USE, pkg: '@patinox/pool', symbol: 'Pool' },
];

describe('release rehearsal: publish to a local registry, install like a user', () => {
  let registry: RegistryHandle;
  let work: string;
  const published = new Map<string, string>();
  const checked = new Map<string, Promise<Checked>>();
  let typeChecked: Promise<string>;
  let registryStarted: Promise<RegistryHandle> | undefined;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'patinox-rehearsal-'));
    const copy = join(work, 'repo');
    registryStarted = startVerdaccio();

    // A throwaway copy: tracked files plus the built dist/ of every package (CI builds before testing).
    const files = (await exec('git', ['ls-files', '-z'], root)).split('\0').filter(Boolean);
    for (const file of files) {
      if (!existsSync(join(root, file))) continue;
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      copyFileSync(join(root, file), join(copy, file));
    }
    const manifests = readManifests(root);
    for (const m of manifests) {
      const short = m.name.replace('@patinox/', '');
      cpSync(join(root, 'packages', short, 'dist'), join(copy, 'packages', short, 'dist'), { recursive: true });
    }
    await exec('git', ['init', '-q'], copy);
    await exec(process.execPath, [changesetBin, 'version'], copy);

    const packs = join(work, 'tarballs');
    mkdirSync(packs);
    await Promise.all(
      manifests.map((m) => {
        const short = m.name.replace('@patinox/', '');
        mkdirSync(join(packs, short));
        return exec('pnpm', ['pack', '--pack-destination', join(packs, short)], join(copy, 'packages', short));
      }),
    );

    registry = await registryStarted;
    const host = registry.url.replace(/^http:/, '');
    const publishRc = join(work, 'publish.npmrc');
    writeFileSync(publishRc, `registry=${registry.url}\n${host}:_authToken=${registry.token}\n`);
    await Promise.all(
      manifests.map(async (m) => {
        const dir = join(packs, m.name.replace('@patinox/', ''));
        const tarball = join(dir, readdirSync(dir)[0]!);
        await exec('npm', ['publish', tarball, '--userconfig', publishRc, '--registry', registry.url, '--access', 'public', '--provenance=false', '--loglevel=error'], work);
        const version = (JSON.parse(readFileSync(join(copy, 'packages', m.name.replace('@patinox/', ''), 'package.json'), 'utf8')) as { version: string }).version;
        published.set(m.name, version);
      }),
    );

    // Every scratch project installs and runs its checks at once; each test awaits its own result. The
    // README lines are read first, so a README without them fails here before any install starts.
    const allowBuilds = new Map(SCRATCHES.map((s) => [s.name, s.readme === undefined ? '' : readmeAllowBuilds(s.readme)]));
    for (const s of SCRATCHES) {
      const dir = join(work, s.name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: s.name, private: true, version: '0.0.0' }, null, 2));
      writeFileSync(join(dir, '.npmrc'), `@patinox:registry=${registry.url}\n`);
      if (s.manager === 'pnpm') writeFileSync(join(dir, 'pnpm-workspace.yaml'), allowBuilds.get(s.name)!);
      writeFileSync(join(dir, 'check.mjs'), `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nimport * as m from '${s.pkg}';\nif (typeof m.${s.symbol} !== 'function') throw new Error('missing ${s.symbol}');\n${s.use}\nconsole.log('ok');\n`);
      writeFileSync(join(dir, 'check.cjs'), `const m = require('${s.pkg}');\n(async () => {\n${s.use}\n})().then(() => console.log('ok'), (e) => { console.error(e); process.exit(1); });\n`);
      for (const ext of ['mts', 'cts']) writeFileSync(join(dir, `check.${ext}`), `import { ${s.symbol} } from '${s.pkg}';\nexport type T = InstanceType<typeof ${s.symbol}>;\n`);
      const args = s.manager === 'npm' ? ['install', ...s.install, '--no-audit', '--no-fund', '--loglevel=error'] : ['add', ...s.install];
      const run = (async (): Promise<Checked> => {
        await exec(s.manager, args, dir);
        const manifest = JSON.parse(readFileSync(join(dir, 'node_modules', ...s.pkg.split('/'), 'package.json'), 'utf8')) as { version: string };
        const [esm, cjs] = await Promise.all([exec(process.execPath, ['check.mjs'], dir), exec(process.execPath, ['check.cjs'], dir)]);
        return { version: manifest.version, esm: esm.trim(), cjs: cjs.trim() };
      })();
      run.catch(() => undefined);
      checked.set(s.name, run);
    }
    // One tsc run type-checks every project's files: each resolves its imports from its own node_modules.
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          lib: ['es2023', 'esnext.disposable'],
          types: ['node'],
          typeRoots: [join(root, 'node_modules', '@types')],
        },
        files: SCRATCHES.flatMap((s) => [`${s.name}/check.mts`, `${s.name}/check.cts`]),
      }),
    );
    typeChecked = Promise.allSettled([...checked.values()]).then(() => exec(process.execPath, [tsc, '-p', 'tsconfig.json'], work));
    typeChecked.catch(() => undefined);
  }, 240_000);

  afterAll(async () => {
    await Promise.allSettled([...checked.values(), typeChecked]);
    // Stopped by pid even when the setup failed before it was awaited.
    await (await registryStarted?.catch(() => undefined))?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  }, 250_000);

  it('publishes every package at its first real version', () => {
    const names = readManifests(root).map((m) => m.name).sort();
    expect([...published.keys()].sort()).toEqual(names);
    for (const [name, version] of published) expect({ name, version }).toEqual({ name, version: expect.stringMatching(/^(0\.[1-9]\d*|[1-9]\d*\.\d+)\.\d+$/) as unknown as string });
  });

  it.each(SCRATCHES.map((s) => [s.name, s] as const))('%s: installs the published package from the registry, then imports it from ESM and CJS', async (name, s) => {
    // The version just published (the scope resolves only to the local registry), and the usage ran.
    expect(await checked.get(name)!).toEqual({ version: published.get(s.pkg), esm: 'ok', cjs: 'ok' });
  }, 240_000);

  it('type-checks a TS file importing each installed package, as ESM (.mts) and as CJS (.cts)', async () => {
    await expect(typeChecked).resolves.toBe('');
  }, 240_000);
});
