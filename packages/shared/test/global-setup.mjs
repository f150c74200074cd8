// Worker fixtures import the built package by name, so dist must be current before any test runs.
// CI builds first (this is then a no-op); a local `pnpm test` after editing src rebuilds here.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export default function globalSetup() {
  const outputs = ['dist/esm/index.js', 'dist/cjs/index.js'].map((p) => join(root, p));
  const built = outputs.every((p) => existsSync(p)) ? Math.min(...outputs.map((p) => statSync(p).mtimeMs)) : 0;
  if (built < newest(join(root, 'src'))) {
    execFileSync(process.execPath, [join(root, '../../tools/scripts/build-package.mjs')], { cwd: root, stdio: 'inherit' });
  }
}
