import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { tempDir } from './helpers.js';

// The built package (dist/esm and dist/cjs) loaded by name from a directory outside the package, as a
// consumer would, through both `import` and `require`.
const tmp = tempDir();
afterAll(() => tmp.cleanup());

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(tmp.dir, 'node_modules', '@patinox'), { recursive: true });
symlinkSync(packageDir, join(tmp.dir, 'node_modules', '@patinox', 'mmap'), 'dir');
writeFileSync(join(tmp.dir, 'data.bin'), Buffer.from(new Uint32Array([7, 8, 9]).buffer));

const body = `
  const file = await MappedFile.open('data.bin', { type: 'u32', mode: 'readwrite' });
  const mapped = [file.asSlice()[2], file.asMappedSlice().get(0), file.isFallback];
  file.close();
  const failing = () => { throw new Error('addon missing'); };
  const unavailable = await MappedFile.open('data.bin', { type: 'u32', loadBinding: failing }).catch((e) => e.code);
  const fallback = await MappedFile.open('data.bin', { type: 'u32', loadBinding: failing, fallback: 'read' });
  const read = [fallback.asMappedSlice().get(1), fallback.isFallback];
  fallback.close();
  console.log(JSON.stringify({ mapped, unavailable, read }));
`;
writeFileSync(join(tmp.dir, 'consumer.mjs'), `import { MappedFile } from '@patinox/mmap';\n${body}`);
writeFileSync(join(tmp.dir, 'consumer.cjs'), `const { MappedFile } = require('@patinox/mmap');\n(async () => {${body}})();`);

function run(script: string): unknown {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const out = spawnSync(process.execPath, [script], { cwd: tmp.dir, env, encoding: 'utf8', timeout: 15_000 });
  expect(out.stderr).toBe('');
  expect(out.status).toBe(0);
  return JSON.parse(out.stdout.trim());
}

const expected = { mapped: [9, 7, false], unavailable: 'MMAP_UNAVAILABLE', read: [8, true] };

describe('the built package', () => {
  it('maps a file when imported (ESM) from outside the package', () => {
    expect(run('consumer.mjs')).toEqual(expected);
  });

  it('maps a file when required (CJS) from outside the package', () => {
    expect(run('consumer.cjs')).toEqual(expected);
  });
});
