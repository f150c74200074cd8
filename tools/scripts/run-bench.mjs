// Compiles bench/*.bench.ts of the current package with tsc (Node 20 cannot run .ts) and runs each
// compiled suite in its own process, one after the other, so suites do not disturb each other.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const cwd = process.cwd();
const benchDir = join(cwd, 'bench');
const files = existsSync(benchDir) ? readdirSync(benchDir).filter((f) => f.endsWith('.bench.ts')) : [];
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
if (files.length === 0) {
  console.log('no benchmarks in', cwd);
  process.exit(0);
}
const outDir = join(benchDir, '.out');
rmSync(outDir, { recursive: true, force: true });
const tsconfig = join(benchDir, '.tsconfig.bench.json');
writeFileSync(
  tsconfig,
  JSON.stringify({
    extends: '../../../tsconfig.base.json',
    compilerOptions: { rootDir: '.', outDir: '.out', declaration: false, declarationMap: false, sourceMap: false, inlineSources: false, noEmit: false },
    include: ['./*.ts'],
  }),
);
try {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { stdio: 'inherit' });
} finally {
  rmSync(tsconfig, { force: true });
}
// Plain-JS helpers (bench/*.mjs, typed by a .d.mts beside them) are shared with bench-ab cases; tsc does
// not emit them, so they are copied next to the compiled suites that import them.
for (const helper of readdirSync(benchDir).filter((f) => f.endsWith('.mjs'))) copyFileSync(join(benchDir, helper), join(outDir, helper));
for (const file of files) {
  const name = file.replace(/\.ts$/, '.js');
  if (only.length > 0 && !only.some((o) => file.includes(o))) continue;
  console.log(`\n## ${file}`);
  // With PATINOX_BENCH_RESULTS_DIR set (by bench-report.mjs), each suite's figures are also saved as JSON.
  const resultsDir = process.env.PATINOX_BENCH_RESULTS_DIR;
  const env = { ...process.env };
  if (resultsDir) env.PATINOX_BENCH_RESULTS = join(resultsDir, `${JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')).name.replace('@patinox/', '')}__${name.replace(/\.bench\.js$/, '')}.json`);
  const hook = new URL('./bench-hook.mjs', import.meta.url).href;
  execFileSync(process.execPath, ['--expose-gc', '--import', hook, join(outDir, name)], { stdio: 'inherit', cwd, env });
}
