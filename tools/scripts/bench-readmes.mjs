// Copies the marked figure blocks of BENCHMARKS.md (and BENCHMARKS.ab.md) into every README that quotes them (see
// bench-fragments.mjs). `--check` changes nothing and exits 1 naming each README whose copy differs
// or that quotes a block BENCHMARKS.md does not have. `--root=DIR` works on another checkout.
//   node tools/scripts/bench-readmes.mjs            # after `pnpm bench`
//   node tools/scripts/bench-readmes.mjs --check    # what the repo-checks test runs
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fillFragments, readFragments } from './bench-fragments.mjs';

const args = process.argv.slice(2);
const check = args.includes('--check');
const rootArg = args.find((a) => a.startsWith('--root='));
const root = rootArg ? rootArg.slice('--root='.length) : fileURLToPath(new URL('../../', import.meta.url));

// BENCHMARKS.md (pnpm bench) and BENCHMARKS.ab.md (bench-ab.mjs, same-run A/Bs between two commits).
const source = readFragments(readFileSync(join(root, 'BENCHMARKS.md'), 'utf8'));
const abFile = join(root, 'BENCHMARKS.ab.md');
if (existsSync(abFile)) for (const [id, block] of readFragments(readFileSync(abFile, 'utf8'))) source.set(id, block);
const readmes = [join(root, 'README.md')];
for (const group of ['packages', 'tools']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, 'README.md');
    if (existsSync(file)) readmes.push(file);
  }
}

const problems = [];
let quoted = 0;
for (const file of readmes) {
  if (!existsSync(file)) continue;
  const text = readFileSync(file, 'utf8');
  const { text: filled, missing } = fillFragments(text, source);
  quoted += readFragments(text).size;
  const name = relative(root, file);
  for (const id of missing) problems.push(`${name}: quotes bench:${id}, which BENCHMARKS.md does not have`);
  if (filled === text) continue;
  if (check) problems.push(`${name}: figures differ from BENCHMARKS.md (run node tools/scripts/bench-readmes.mjs)`);
  else writeFileSync(file, filled);
}
for (const p of problems) console.error(p);
console.log(`${quoted} quoted block(s) in ${readmes.length} README(s); ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
