import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packAndInstall, readManifests, type PackedProject } from '../src/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');

// What a user does first with each package: its main export, used for real.
const USAGE: Record<string, { symbol: string; esm: string; cjs: string }> = {
  '@patinox/errors': {
    symbol: 'PatinoxError',
    esm: `const e = new m.PatinoxError('x', { code: 'X', recovery: 'retry' }); if (!m.isPatinoxError(e, 'X')) throw new Error('brand');`,
    cjs: `const e = new m.PatinoxError('x', { code: 'X' }); if (e.code !== 'X') throw new Error('code');`,
  },
  '@patinox/monitor': {
    symbol: 'MetricsRegistry',
    esm: `const r = new m.MetricsRegistry(); r.histogram('h').record(3); if (r.collect().length !== 1) throw new Error('collect');`,
    cjs: `const h = new m.Histogram(); h.record(2); if (h.count !== 1) throw new Error('count');`,
  },
};

describe('packages as users install them from their tarballs', () => {
  let project: PackedProject;
  const names = readManifests(root).map((m) => m.name);

  beforeAll(() => {
    project = packAndInstall(root, { typescript: '~5.9.3', '@types/node': '^20.19.0' });
  }, 240_000);

  afterAll(() => {
    if (project !== undefined) rmSync(project.dir, { recursive: true, force: true });
  });

  it('packs every package with only dist, package.json and README', () => {
    for (const name of names) {
      const listing = execFileSync('tar', ['-tzf', project.tarballs[name]!], { encoding: 'utf8' }).split('\n').filter(Boolean);
      expect(listing).toContain('package/package.json');
      expect(listing.some((f) => f.startsWith('package/dist/esm/'))).toBe(true);
      expect(listing.some((f) => f.startsWith('package/dist/cjs/'))).toBe(true);
      expect(listing.filter((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toEqual([]);
    }
  });

  it('imports (ESM) and requires (CJS) every package and uses its main export', () => {
    for (const name of names) {
      const usage = USAGE[name];
      const esm = `import * as m from '${name}';\nif (typeof m.${usage?.symbol ?? 'default'} === 'undefined' && ${usage !== undefined}) throw new Error('missing export');\n${usage?.esm ?? ''}\nconsole.log('ok');\n`;
      const cjs = `const m = require('${name}');\n${usage?.cjs ?? ''}\nconsole.log('ok');\n`;
      writeFileSync(join(project.dir, 'check.mjs'), esm);
      writeFileSync(join(project.dir, 'check.cjs'), cjs);
      expect(execFileSync(process.execPath, ['check.mjs'], { cwd: project.dir, encoding: 'utf8' }).trim()).toBe('ok');
      expect(execFileSync(process.execPath, ['check.cjs'], { cwd: project.dir, encoding: 'utf8' }).trim()).toBe('ok');
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
});
