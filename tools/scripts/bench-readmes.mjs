// Copies the marked figure blocks of BENCHMARKS.md (and BENCHMARKS.ab.md) into every README that quotes them (see
// bench-fragments.mjs). `--check` changes nothing and exits 1 naming each README whose copy differs
// or that quotes a block BENCHMARKS.md does not have, and each speed figure typed outside the quoted blocks
// (a time per operation or a ratio, outside code fences, on a line that does not state a target).
// `--root=DIR` works on another checkout.
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

/**
 * Speed figures typed by hand: `12 ns`, `3.5 µs`, `1.8×`, `2x`, `40,000 ops/s`. Targets are requirements,
 * not measurements: a paragraph that names one (`target`), or a list introduced by such a paragraph
 * ending in a colon, may state them.
 */
const TYPED_FIGURE = /\d[\d,]*(?:\.\d+)?\s?(?:ns|µs|us)\b|\d(?:\.\d+)?[x×](?![\w])|\d[\d,]*(?:\.\d+)?\s?ops?\/s\b/;

function typedFigures(text, name) {
  // Paragraphs of prose (blank-line separated), leaving out quoted blocks and code fences.
  const paragraphs = [];
  let current = [];
  let quotedBlock = false;
  let fence = false;
  const close = () => {
    if (current.length > 0) paragraphs.push(current);
    current = [];
  };
  text.split('\n').forEach((line, i) => {
    if (/<!-- bench:/.test(line)) quotedBlock = true;
    if (/<!-- \/bench:/.test(line)) {
      quotedBlock = false;
      return close();
    }
    if (/^\s*```/.test(line)) {
      fence = !fence;
      return close();
    }
    if (quotedBlock || fence || line.trim() === '') return close();
    current.push([i + 1, line]);
  });
  close();
  const found = [];
  let introducesTargets = false;
  for (const paragraph of paragraphs) {
    const prose = paragraph.map(([, line]) => line).join('\n');
    const exempt = /target/i.test(prose) || (introducesTargets && /^\s*[-*] /.test(paragraph[0][1]));
    introducesTargets = /target/i.test(prose) && /:\s*$/.test(prose);
    if (exempt) continue;
    for (const [n, line] of paragraph) {
      const m = TYPED_FIGURE.exec(line);
      if (m) found.push(`${name}:${n}: speed figure typed outside a quoted block ("${m[0]}"); quote it from BENCHMARKS.md or say it in words`);
    }
  }
  return found;
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
  if (check) problems.push(...typedFigures(text, name));
  if (filled === text) continue;
  if (check) problems.push(`${name}: figures differ from BENCHMARKS.md (run node tools/scripts/bench-readmes.mjs)`);
  else writeFileSync(file, filled);
}
for (const p of problems) console.error(p);
console.log(`${quoted} quoted block(s) in ${readmes.length} README(s); ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
