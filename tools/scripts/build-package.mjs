// Builds the package in the current directory to dist/esm and dist/cjs with tsc.
// Each branch gets its own declarations so `import` and `require` consumers see matching types.
// The build goes to a temp folder that replaces dist/ in one rename, so a test running against
// dist/ in parallel never sees it half-written.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const cwd = process.cwd();
const esmOnly = process.argv.includes('--esm-only');
const tmp = join(cwd, `.dist-tmp-${process.pid}`);

rmSync(tmp, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.esm.json', '--outDir', join(tmp, 'esm')], { stdio: 'inherit' });
  if (!esmOnly && existsSync(join(cwd, 'tsconfig.cjs.json'))) {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.cjs.json', '--outDir', join(tmp, 'cjs')], { stdio: 'inherit' });
    mkdirSync(join(tmp, 'cjs'), { recursive: true });
    writeFileSync(join(tmp, 'cjs/package.json'), '{\n  "type": "commonjs"\n}\n');
    // A source that needs its own location (a package's peer-dependency `require`) writes
    // `import.meta.url`, which the CommonJS build cannot parse: give it the same URL from __filename.
    for (const entry of readdirSync(join(tmp, 'cjs'), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
      const file = join(entry.parentPath ?? entry.path, entry.name);
      const text = readFileSync(file, 'utf8');
      if (text.includes('import.meta.url')) writeFileSync(file, text.replaceAll('import.meta.url', "require('node:url').pathToFileURL(__filename).href"));
    }
  }
  const old = join(cwd, `.dist-old-${process.pid}`);
  if (existsSync(join(cwd, 'dist'))) renameSync(join(cwd, 'dist'), old);
  renameSync(tmp, join(cwd, 'dist'));
  rmSync(old, { recursive: true, force: true });
} catch (err) {
  rmSync(tmp, { recursive: true, force: true });
  throw err;
}
