// Builds the package in the current directory to dist/esm and dist/cjs with tsc.
// Each branch gets its own declarations so `import` and `require` consumers see matching types.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const cwd = process.cwd();
const esmOnly = process.argv.includes('--esm-only');

rmSync(join(cwd, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.esm.json'], { stdio: 'inherit' });
if (!esmOnly && existsSync(join(cwd, 'tsconfig.cjs.json'))) {
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.cjs.json'], { stdio: 'inherit' });
  mkdirSync(join(cwd, 'dist/cjs'), { recursive: true });
  writeFileSync(join(cwd, 'dist/cjs/package.json'), '{\n  "type": "commonjs"\n}\n');
}
