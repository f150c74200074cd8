// Same-run A/B of one package's benchmark between two commits: what a change costs, measured rather
// than argued (for example, that tracing costs nothing while it is off). Each commit is checked out
// once into a temporary worktree, installed and built; then its bench file runs in a fresh process per
// round, base and head alternating (ABBA order), and the figures of the chosen cases are reported per
// single operation as the median over rounds beside the best round. The result replaces the block
// `ab:<name>` of BENCHMARKS.ab.md, which the READMEs quote like BENCHMARKS.md (bench-readmes.mjs).
//
//   node tools/scripts/bench-ab.mjs --name pool-tracing-off --package pool --bench pool \
//     --base cc73c07^ --head cc73c07 --only 'sequential' --rounds 6 --title 'pool: tracer support, tracing off'
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fragment, readFragments } from './bench-fragments.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values: args } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    title: { type: 'string' },
    package: { type: 'string' },
    bench: { type: 'string' },
    base: { type: 'string' },
    head: { type: 'string', default: 'HEAD' },
    only: { type: 'string', default: '' },
    rounds: { type: 'string', default: '6' },
    note: { type: 'string', default: '' },
    // For benches written before cases declared `opsPerCycle`: the batch size of every case that declares none.
    'ops-per-cycle': { type: 'string', default: '1' },
    // Writes the report again from the samples the last run of this --name saved, without running anything.
    rerender: { type: 'boolean', default: false },
    // In-process mode: a case module (see tools/scripts/ab-cases/) run against both commits' builds in ONE
    // process, rounds interleaved, so a busy machine slows both sides alike. Replaces --bench.
    case: { type: 'string' },
    runner: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
  },
});
if (args.runner) await runInProcess();
if (args.case !== undefined) args.bench ??= '(in-process case)';
for (const required of ['name', 'package', 'bench', 'base']) {
  if (args[required] === undefined) {
    console.error(`bench-ab: --${required} is required (see the comment at the top of ${fileURLToPath(import.meta.url)})`);
    process.exit(2);
  }
}
if (!/^[a-z0-9-]+$/.test(args.name)) {
  console.error(`bench-ab: --name must be lower-case letters, digits and dashes, got ${JSON.stringify(args.name)}`);
  process.exit(2);
}
const rounds = Number(args.rounds);
if (!Number.isInteger(rounds) || rounds < 2 || rounds > 200) {
  console.error(`bench-ab: --rounds must be an integer from 2 to 200, got ${JSON.stringify(args.rounds)}`);
  process.exit(2);
}
const only = new RegExp(args.only, 'i');
const defaultOps = Number(args['ops-per-cycle']);
if (!(Number.isInteger(defaultOps) && defaultOps >= 1)) {
  console.error(`bench-ab: --ops-per-cycle must be a positive integer, got ${JSON.stringify(args['ops-per-cycle'])}`);
  process.exit(2);
}

const git = (...a) => execFileSync('git', ['-C', root, ...a], { encoding: 'utf8' }).trim();
const side = (ref) => {
  const sha = git('rev-parse', '--verify', `${ref}^{commit}`);
  return { ref, sha, short: sha.slice(0, 7), subject: git('log', '-1', '--format=%s', sha), dir: join(tmpdir(), 'patinox-ab', sha) };
};
const sides = [side(args.base), side(args.head)];

function sh(cmd, cmdArgs, cwd) {
  process.stdout.write(`$ (${cwd}) ${cmd} ${cmdArgs.join(' ')}\n`);
  execFileSync(cmd, cmdArgs, { cwd, stdio: 'inherit', env: { ...process.env, CI: '1' } });
}

// One worktree per commit, kept between runs (a marker file says it was built completely).
function prepare({ sha, dir }) {
  const ready = join(dir, '.patinox-ab-ready');
  if (!existsSync(ready)) {
    if (existsSync(dir)) {
      git('worktree', 'remove', '--force', dir);
      rmSync(dir, { recursive: true, force: true });
    }
    git('worktree', 'prune');
    git('worktree', 'add', '--detach', dir, sha);
    sh('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], dir);
    sh('pnpm', ['--filter', `@patinox/${args.package}...`, 'run', 'build'], dir);
    writeFileSync(ready, `${new Date().toISOString()}\n`);
  }
  if (args.case !== undefined) return join(dir, 'packages', args.package);
  // The bench file is compiled as run-bench.mjs compiles it, from that commit's sources.
  const benchDir = join(dir, 'packages', args.package, 'bench');
  const tsconfig = join(benchDir, '.tsconfig.ab.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: '../../../tsconfig.base.json',
      compilerOptions: { rootDir: '.', outDir: '.out-ab', declaration: false, declarationMap: false, sourceMap: false, inlineSources: false, noEmit: false },
      include: [`./${args.bench}.bench.ts`],
    }),
  );
  try {
    sh(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], benchDir);
  } finally {
    rmSync(tsconfig, { force: true });
  }
  return join(benchDir, '.out-ab', `${args.bench}.bench.js`);
}

/** ns per single operation of each chosen case in one process run of one side. */
function runOnce(s, compiled) {
  const results = join(tmpdir(), `patinox-ab-${process.pid}-${s.short}.json`);
  const hook = new URL('./bench-hook.mjs', import.meta.url).href;
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', hook, compiled], {
    cwd: join(s.dir, 'packages', args.package),
    env: { ...process.env, PATINOX_BENCH_RESULTS: results, ...(args.only === '' ? {} : { PATINOX_BENCH_ONLY: args.only }) },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`bench of ${s.short} exited ${child.status}:\n${child.stdout}${child.stderr}`);
  const { suites } = JSON.parse(readFileSync(results, 'utf8'));
  rmSync(results, { force: true });
  const out = new Map();
  for (const suite of suites) {
    for (const c of suite.cases) {
      const label = suite.suite ? `${suite.suite} › ${c.name}` : c.name;
      if (!only.test(label) || c.error !== undefined || !(c.hz > 0)) continue;
      out.set(label, 1e9 / (c.hz * (c.opsPerCycle === 1 ? defaultOps : c.opsPerCycle)));
    }
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (ns) => (ns >= 100 ? Math.round(ns).toLocaleString('en-US') : ns.toFixed(1));

const samplesFile = join(tmpdir(), 'patinox-ab', `${args.name}.samples.json`);
let samples;
let loadBefore;
let loadAfter;
let minutes;
if (args.rerender) {
  const saved = JSON.parse(readFileSync(samplesFile, 'utf8'));
  samples = saved.samples.map((side) => new Map(Object.entries(side).map(([label, ns]) => [label, ns.map((x) => (x * saved.opsPerCycle) / defaultOps)])));
  ({ loadBefore, loadAfter, minutes } = saved);
} else {
  const compiled = sides.map(prepare);
  if (args['dry-run']) {
    console.log(`bench-ab: both sides ready (${compiled.join(', ')})`);
    process.exit(0);
  }
  loadBefore = loadavg()[0];
  const started = Date.now();
  samples = [new Map(), new Map()];
  if (args.case !== undefined) {
    const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--runner', '--case', args.case, '--rounds', String(rounds), ...compiled], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`in-process A/B exited ${child.status}:\n${child.stdout}`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop());
    samples.push(new Map());
    for (let i = 0; i < 3; i += 1) for (const [label, ns] of Object.entries(result[i])) samples[i].set(label, ns);
  }
  for (let r = 0; r < (args.case === undefined ? rounds : 0); r += 1) {
    // ABBA: neither side always runs first (a machine warming up or a neighbour's load favours no one).
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) {
      process.stdout.write(`round ${r + 1}/${rounds}: ${i === 0 ? 'base' : 'head'} ${sides[i].short}\n`);
      for (const [label, ns] of runOnce(sides[i], compiled[i])) {
        if (!samples[i].has(label)) samples[i].set(label, []);
        samples[i].get(label).push(ns);
      }
    }
  }
  loadAfter = loadavg()[0];
  minutes = (Date.now() - started) / 60_000;
  writeFileSync(samplesFile, JSON.stringify({ opsPerCycle: defaultOps, loadBefore, loadAfter, minutes, samples: samples.map((m) => Object.fromEntries(m)) }));
}

const rows = [];
for (const [label, baseNs] of samples[0]) {
  const headNs = samples[1].get(label);
  if (headNs === undefined) continue;
  const [bm, hm, bb, hb] = [median(baseNs), median(headNs), Math.min(...baseNs), Math.min(...headNs)];
  const controlNs = samples[2]?.get(label);
  const control = controlNs === undefined ? '' : ` ${(median(controlNs) / bm).toFixed(3)} | ${(Math.min(...controlNs) / bb).toFixed(3)} |`;
  rows.push(`| ${label} | ${fmt(bm)} (${fmt(bb)}) | ${fmt(hm)} (${fmt(hb)}) | ${(hm / bm).toFixed(3)} | ${(hb / bb).toFixed(3)} |${control}`);
}
if (rows.length === 0) {
  console.error(`bench-ab: no case matched --only ${JSON.stringify(args.only)} on both sides`);
  process.exit(1);
}
const date = new Date().toISOString().slice(0, 10);
const body = [
  `Base \`${sides[0].short}\` (${sides[0].subject}) against head \`${sides[1].short}\` (${sides[1].subject}).`,
  args.case !== undefined
    ? `Case \`${args.case}\` against each commit's build of @patinox/${args.package}, both in one process, ${rounds} rounds interleaved in ABBA order after a warm-up; the A/A control is the base build imported a second time (a separate module instance of the same code), timed alongside: its ratio to the base is what no change at all looks like; load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after; ${minutes.toFixed(1)} min.`
    : `\`packages/${args.package}/bench/${args.bench}.bench.ts\` of each commit, ${rounds} rounds, one process per round and side, ABBA order; load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after; ${minutes.toFixed(1)} min.`,
  args.note === '' ? '' : `${args.note}`,
  '',
  samples.length === 3
    ? '| case | base ns/op median (best) | head ns/op median (best) | head/base median | head/base best | A/A control median | A/A control best |'
    : '| case | base ns/op median (best) | head ns/op median (best) | head/base median | head/base best |',
  samples.length === 3 ? '| --- | ---: | ---: | ---: | ---: | ---: | ---: |' : '| --- | ---: | ---: | ---: | ---: |',
  ...rows,
  '',
  `<sub>\`node tools/scripts/bench-ab.mjs --name ${args.name} --package ${args.package} ${args.case === undefined ? `--bench ${args.bench}` : `--case ${args.case}`} --base ${sides[0].short} --head ${sides[1].short}${args.only ? ` --only '${args.only}'` : ''}${defaultOps === 1 ? '' : ` --ops-per-cycle ${defaultOps}`} --rounds ${rounds}\`, ${date}.</sub>`,
  '',
]
  .filter((line, i, all) => !(line === '' && all[i - 1] === ''))
  .join('\n');

const target = join(root, 'BENCHMARKS.ab.md');
const header = `# Same-run A/B benchmarks

Written by \`node tools/scripts/bench-ab.mjs\`: one package's benchmark at two commits, run alternately in
fresh processes on the same machine in the same window, to measure what one change costs. A ratio near
1.000 within the spread of the rounds means no measurable cost. The READMEs quote these blocks like
BENCHMARKS.md's (\`node tools/scripts/bench-readmes.mjs\`).
`;
const existing = existsSync(target) ? readFileSync(target, 'utf8') : header;
const id = `ab:${args.name}`;
const section = `## ${args.title ?? args.name}\n\n${fragment(id, body)}`;
const blocks = readFragments(existing);
let text;
if (blocks.has(id)) {
  // Replace the whole section (its heading line may carry a new title).
  const start = existing.lastIndexOf('\n## ', existing.indexOf(`<!-- bench:${id} -->`)) + 1;
  const endMarker = `<!-- /bench:${id} -->\n`;
  const end = existing.indexOf(endMarker) + endMarker.length;
  text = `${existing.slice(0, start)}${section}${existing.slice(end)}`;
} else {
  text = `${existing.replace(/\n*$/, '\n')}\n${section}`;
}
writeFileSync(target, text);
console.log(`\n${section}\nwrote ${target}`);

/**
 * The child of the in-process mode: imports the case module, builds one subject per side from that
 * side's package folder, warms both, then times `batch` in ABBA order for every round; prints
 * `[{label: ns[]}, {label: ns[]}]` (ns per single operation) as its last line.
 */
async function runInProcess() {
  const [baseDir, headDir] = process.argv.slice(-2);
  const mod = await import(new URL(args.case, `file://${root}`).href);
  const roundsWanted = Number(args.rounds);
  const results = [{}, {}, {}];
  for (const c of mod.cases) {
    const subjects = [];
    // The third subject is the base build imported again under another URL: a second, separate module
    // instance of the same code, timed like the others, so the table shows what an A/A difference is.
    const entries = [baseDir, headDir, baseDir].map((dir, i) => `${pathToFileURL(join(dir, c.entry ?? 'dist/esm/index.js')).href}${i === 2 ? '?control' : ''}`);
    for (const entry of entries) subjects.push(await c.setup(await import(entry)));
    for (const subject of subjects) await c.batch(subject, c.warmup ?? 200_000);
    const seen = [[], [], []];
    for (let r = 0; r < roundsWanted; r += 1) {
      for (const i of r % 2 === 0 ? [0, 1, 2] : [2, 1, 0]) {
        globalThis.gc?.();
        const t0 = process.hrtime.bigint();
        await c.batch(subjects[i], c.ops);
        seen[i].push(Number(process.hrtime.bigint() - t0) / c.ops);
      }
    }
    for (const subject of subjects) await c.teardown?.(subject);
    for (let i = 0; i < 3; i += 1) results[i][c.name] = seen[i];
  }
  console.log(JSON.stringify(results));
  process.exit(0);
}
