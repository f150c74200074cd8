import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packAndInstall, readManifests, type PackedProject } from '../src/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);

function runTool(command: string, args: string[], cwd: string): { status: number; output: string } {
  try {
    return { status: 0, output: execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { status: e.status, output: `${e.stdout}${e.stderr}` };
  }
}

// What a user does first with each package: its main export, used for real.
const USAGE: Record<string, { symbol: string; code: string }> = {
  '@patinox/errors': {
    symbol: 'PatinoxError',
    code: `const e = new m.PatinoxError('x', { code: 'X', recovery: 'retry' }); if (!m.isPatinoxError(e, 'X')) throw new Error('brand');`,
  },
  '@patinox/monitor': {
    symbol: 'MetricsRegistry',
    code: `const r = new m.MetricsRegistry(); r.histogram('h').record(3); if (r.collect().length !== 1) throw new Error('collect');`,
  },
  '@patinox/pool': {
    symbol: 'Pool',
    code: `const pool = new m.Pool({ create: async () => ({ id: 7 }), isValid: () => true, destroy: () => {} }, { maxSize: 2 });
      if ((await pool.use((c) => c.id)) !== 7) throw new Error('use'); await pool.close();`,
  },
  '@patinox/resource': {
    symbol: 'ResourceRegistry',
    code: `const r = new m.ResourceRegistry(); let cleaned = 0; const g = r.guard({}, () => { cleaned += 1; }, { name: 'x' });
      await g.cleanup(); await g.cleanup(); if (cleaned !== 1) throw new Error('cleanup');`,
  },
  '@patinox/shared': {
    symbol: 'SharedData',
    code: `const d = new m.SharedData({ a: 1 }); const old = d.cloneRef(); d.update((o) => { o.a = 2; });
      if (d.get().a !== 2 || old.get().a !== 1) throw new Error('cow');`,
  },
  '@patinox/mmap': {
    symbol: 'MappedFile',
    code: `const fs = await import('node:fs'); const os = await import('node:os'); const path = await import('node:path');
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mm-')), 'a.u32'); fs.writeFileSync(file, Buffer.alloc(4096, 1));
      const f = await m.MappedFile.open(file, { type: 'u32', mode: 'read' }); const s = f.asMappedSlice();
      if (s.length !== 1024 || s.get(0) !== 0x01010101) throw new Error('map'); f.close();`,
  },
  '@patinox/cache': {
    symbol: 'Cache',
    code: `const c = new m.Cache({ maxEntries: 10 }); c.set('a', 1); if (c.get('a') !== 1) throw new Error('get');
      if ((await c.getOrLoad('b', async () => 2)) !== 2) throw new Error('load'); c.close?.();`,
  },
};

// The optional peers whose types the published declarations of a subpath import (`@patinox/pool/pg` needs
// pg's), at the ranges the manifests declare: a user of that subpath has them installed.
const DECLARATION_PEERS: Record<string, string> = {
  ioredis: '^5.8.0',
  pg: '^8.16.0',
  '@types/pg': '^8.15.0',
  'prom-client': '^15.1.0',
  '@opentelemetry/api': '^1.9.0',
};

/** Every specifier a user can import: each package and each of its declared subpaths. */
function specifiers(): string[] {
  return readManifests(root).flatMap((m) =>
    Object.keys((m as unknown as { exports: Record<string, unknown> }).exports)
      .filter((sub) => sub !== './package.json')
      .map((sub) => (sub === '.' ? m.name : `${m.name}/${sub.slice(2)}`)),
  );
}

describe('packages as users install them from their tarballs', () => {
  let project: PackedProject;
  const names = readManifests(root).map((m) => m.name);

  beforeAll(() => {
    project = packAndInstall(root, { typescript: '~5.9.3', '@types/node': '^20.19.0', ...DECLARATION_PEERS });
  }, 240_000);

  afterAll(() => {
    if (project !== undefined) rmSync(project.dir, { recursive: true, force: true });
  });

  it('packs every package with only dist, package.json, README, the root LICENSE (and monitor its Grafana dashboard)', () => {
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(license).toContain('MIT License');
    expect(license).toContain('Patinox contributors');
    for (const name of names) {
      const listing = execFileSync('tar', ['-tzf', project.tarballs[name]!], { encoding: 'utf8' }).split('\n').filter(Boolean);
      expect(listing).toContain('package/package.json');
      expect(listing).toContain('package/LICENSE');
      expect({ name, license: execFileSync('tar', ['-xzOf', project.tarballs[name]!, 'package/LICENSE'], { encoding: 'utf8' }) }).toEqual({ name, license });
      const manifest = JSON.parse(execFileSync('tar', ['-xzOf', project.tarballs[name]!, 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;
      expect({ name, license: manifest.license, hasRepository: typeof manifest.repository === 'object', hasHomepage: typeof manifest.homepage === 'string', keywords: Array.isArray(manifest.keywords) && manifest.keywords.length > 0 }).toEqual({
        name,
        license: 'MIT',
        hasRepository: true,
        hasHomepage: true,
        keywords: true,
      });
      expect(listing.some((f) => f.startsWith('package/dist/esm/'))).toBe(true);
      expect(listing.some((f) => f.startsWith('package/dist/cjs/'))).toBe(true);
      expect(listing.filter((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toEqual([]);
      // src/ is not shipped, so each source map carries its sources (a stack trace or debugger has nothing else to show).
      for (const map of ['package/dist/esm/index.js.map', 'package/dist/cjs/index.js.map']) {
        const { sources, sourcesContent } = JSON.parse(execFileSync('tar', ['-xzOf', project.tarballs[name]!, map], { encoding: 'utf8' })) as { sources: string[]; sourcesContent?: (string | null)[] };
        expect({ name, map, inline: sources.length > 0 && sourcesContent?.length === sources.length && sourcesContent.every((c) => typeof c === 'string' && c.length > 0) }).toEqual({ name, map, inline: true });
      }
      if (name === '@patinox/monitor') expect(listing).toContain('package/dashboards/patinox.json');
    }
  });

  it('imports (ESM) and requires (CJS) every package and uses its main export', () => {
    for (const name of names) {
      const usage = USAGE[name];
      expect({ name, hasUsage: usage !== undefined }).toEqual({ name, hasUsage: true });
      const esm = `import * as m from '${name}';\nif (typeof m.${usage!.symbol} !== 'function') throw new Error('missing ${usage!.symbol}');\n${usage!.code}\nconsole.log('ok');\n`;
      const cjs = `const m = require('${name}');\n(async () => {\n${usage!.code}\n})().then(() => console.log('ok'), (e) => { console.error(e); process.exit(1); });\n`;
      writeFileSync(join(project.dir, 'check.mjs'), esm);
      writeFileSync(join(project.dir, 'check.cjs'), cjs);
      expect({ name, out: execFileSync(process.execPath, ['check.mjs'], { cwd: project.dir, encoding: 'utf8' }).trim() }).toEqual({ name, out: 'ok' });
      expect({ name, out: execFileSync(process.execPath, ['check.cjs'], { cwd: project.dir, encoding: 'utf8' }).trim() }).toEqual({ name, out: 'ok' });
    }
  });

  it('type-checks a consumer file against the published types, from ESM and from CJS', () => {
    const imports = names.map((name, i) => `import * as p${i} from '${name}';\nexport const t${i}: object = p${i};`).join('\n');
    const used = Object.entries(USAGE)
      .filter(([name]) => names.includes(name))
      .map(([name, u]) => `import { ${u.symbol} as S_${u.symbol} } from '${name}';\nexport type T_${u.symbol} = InstanceType<typeof S_${u.symbol}>;`)
      .join('\n');
    writeFileSync(join(project.dir, 'consumer.mts'), `${imports}\n${used}\n`);
    writeFileSync(join(project.dir, 'consumer.cts'), `${imports}\n`);
    writeFileSync(
      join(project.dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, lib: ['es2023', 'esnext.disposable'], types: ['node'] },
        files: ['consumer.mts', 'consumer.cts'],
      }),
    );
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project.dir, encoding: 'utf8' });
  });

  it('type-checks every subpath export, declarations included, under moduleResolution node16, nodenext, bundler and node10', async () => {
    const imports = specifiers()
      .map((spec, i) => `import * as s${i} from '${spec}';\nexport const u${i}: object = s${i};`)
      .join('\n');
    const modes = [
      { name: 'node16', module: 'node16', files: ['mts', 'cts'] },
      { name: 'nodenext', module: 'nodenext', files: ['mts', 'cts'] },
      { name: 'bundler', module: 'esnext', files: ['ts'] },
      // node10 (TypeScript's old `node`): subpaths through typesVersions, CommonJS, no esModuleInterop.
      { name: 'node10', module: 'commonjs', files: ['ts'] },
    ];
    const runs: Promise<{ mode: string; status: number; output: string }>[] = [];
    for (const mode of modes) {
      const dir = join(project.dir, `types-${mode.name}`);
      mkdirSync(dir, { recursive: true });
      for (const ext of mode.files) writeFileSync(join(dir, `subpaths.${ext}`), `${imports}\n`);
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          // No skipLibCheck: the published .d.ts files themselves are what is checked.
          compilerOptions: { module: mode.module, moduleResolution: mode.name, target: 'es2022', strict: true, noEmit: true, lib: ['es2023', 'esnext.disposable'], types: ['node'] },
          files: mode.files.map((ext) => `subpaths.${ext}`),
        }),
      );
      // In parallel: four tsc runs one after the other would cost this suite about 12 s.
      runs.push(
        new Promise((resolve) => {
          execFile(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' }, (error, stdout, stderr) => {
            resolve({ mode: mode.name, status: error === null ? 0 : 1, output: `${stdout}${stderr}` });
          });
        }),
      );
    }
    expect((await Promise.all(runs)).filter((r) => r.status !== 0)).toEqual([]);
  }, 60_000);

  it('publint reports nothing for any package', () => {
    for (const name of names) {
      const result = runTool(bin('publint'), [join(root, 'packages', name.replace('@patinox/', ''))], root);
      expect({ name, status: result.status, allGood: result.output.includes('All good!') }).toEqual({ name, status: 0, allGood: true });
    }
  }, 120_000);

  it('arethetypeswrong finds no problem in any tarball', () => {
    for (const name of names) {
      const result = runTool(bin('attw'), [project.tarballs[name]!, '--format', 'ascii'], root);
      expect({ name, status: result.status, output: result.status === 0 ? '' : result.output }).toEqual({ name, status: 0, output: '' });
    }
  }, 240_000);
});
