// `pnpm bench`: runs every package's benchmarks one after another (each against its peers, in the
// same process), then the trace-sim hit-ratio tables (when TRACES_DIR or ../shared/traces exists), and
// writes BENCHMARKS.md with the machine, Node version and date, then copies its marked tables into the
// READMEs that quote them (bench-readmes.mjs). It reports; it never gates CI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fragment } from './bench-fragments.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
// Packages, then the tools whose `bench` measures something the READMEs quote (the demo's two price caches).
const ORDER = ['errors', 'monitor', 'pool', 'resource', 'shared', 'mmap', 'cache', 'demo'];
const dirOf = (p) => (existsSync(join(root, 'packages', p)) ? join(root, 'packages', p) : join(root, 'tools', p));
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
// `--into-main` with one package: its section of BENCHMARKS.md is replaced by this run's (marked as re-run
// on its own), and the READMEs are refreshed from it, so a change to one package needs no full run;
// `trace-sim --into-main` does the same for the hit-ratio section.
const intoMain = process.argv.includes('--into-main');
if (intoMain && only.length !== 1) {
  console.error('bench-report: --into-main needs exactly one package name');
  process.exit(2);
}
// `trace-sim` as the one name runs only the hit-ratio replay (with --into-main: its section alone is replaced).
const traceSimOnly = only.length === 1 && only[0] === 'trace-sim';
const packages = ORDER.filter((p) => existsSync(join(dirOf(p), 'package.json')) && (only.length === 0 || only.includes(p)));
const resultsDir = mkdtempSync(join(tmpdir(), 'patinox-bench-'));

function run(cmd, args, cwd, env = {}) {
  process.stdout.write(`\n$ (${cwd.replace(root, '')}) ${cmd} ${args.join(' ')}\n`);
  const started = Date.now();
  const child = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${child.stdout ?? ''}${child.stderr ?? ''}`;
  process.stdout.write(output);
  return { output, status: child.status, seconds: (Date.now() - started) / 1000 };
}

const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const fmtNs = (opsPerSec) => (opsPerSec > 0 ? (1e9 / opsPerSec >= 100 ? fmtInt(1e9 / opsPerSec) : (1e9 / opsPerSec).toFixed(1)) : '–');
const isOurs = (c) => c.ours ?? /patinox|\bours\b/i.test(c.name);
const slug = (text) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const date = new Date().toISOString().slice(0, 10);
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const tracesDir = process.env.TRACES_DIR ?? join(root, '..', 'shared', 'traces');

/** Output without this machine's paths: the checkout, temp folders, the home folder, the traces folder. */
function scrub(text) {
  const replacements = [
    [resolve(tracesDir), '$TRACES_DIR'],
    [root, ''],
    [root.replace(/\/$/, ''), '.'],
    [tmpdir(), '$TMPDIR'],
    [homedir(), '~'],
  ];
  let out = text;
  for (const [from, to] of replacements) if (from.length > 1) out = out.replace(new RegExp(escapeRegExp(from), 'g'), to);
  // mkdtemp suffixes change every run.
  return out.replace(/(\$TMPDIR\/[A-Za-z0-9._-]+-)[A-Za-z0-9]{6}\b/g, '$1XXXXXX');
}

/**
 * One table per suite name of a bench file. A suite run in several rounds (same name, or a name that
 * ends in `round N…`) keeps each case's best round. Figures are per single operation: cycles/s × the case's declared opsPerCycle.
 */
function mergeSuites(suites) {
  const merged = new Map();
  for (const raw of suites) {
    // `…, round 2 (reversed)`, `…, round 1 of 3`: rounds of one suite.
    const suite = { ...raw, suite: raw.suite.replace(/,? round \d+\b.*$/i, '') };
    const entry = merged.get(suite.suite) ?? { suite: suite.suite, rounds: 0, cases: new Map() };
    entry.rounds += 1;
    for (const c of suite.cases) {
      if (!(c.hz > 0)) continue;
      const ops = c.hz * (c.opsPerCycle ?? 1);
      const seen = entry.cases.get(c.name);
      if (seen === undefined || ops > seen.ops) entry.cases.set(c.name, { name: c.name, ours: c.ours, ops, rme: c.rme, opsPerCycle: c.opsPerCycle ?? 1 });
    }
    merged.set(suite.suite, entry);
  }
  return [...merged.values()].filter((e) => e.cases.size > 0);
}

function suiteTable(entry) {
  const cases = [...entry.cases.values()];
  // Each peer row is compared with the nearest of our rows above it (suites list ours, then the
  // peers it competes with); rows before any of ours compare with our first row.
  const firstOurs = cases.find(isOurs);
  const lines = [`| case | ns/op | ops/s | ± | ${firstOurs === undefined ? 'first ÷ this' : 'ours ÷ this'} |`, '| --- | ---: | ---: | ---: | ---: |'];
  let reference = firstOurs ?? cases[0];
  for (const c of cases) {
    if (isOurs(c)) reference = c;
    const ratio = c === reference ? '–' : `${(reference.ops / c.ops).toFixed(2)}× (vs ${reference.name})`;
    const name = isOurs(c) ? `**${c.name}**` : c.name;
    const batch = c.opsPerCycle === 1 ? '' : ` <sub>(${fmtInt(c.opsPerCycle)} per call)</sub>`;
    lines.push(`| ${name}${batch} | ${fmtNs(c.ops)} | ${fmtInt(c.ops)} | ${c.rme.toFixed(1)} % | ${ratio} |`);
  }
  const rounds = entry.rounds > 1 ? `, best of ${entry.rounds} rounds per case` : '';
  return `${lines.join('\n')}\n\n<sub>\`pnpm bench\`, ${date}: ns per single operation; ratios within the same run${rounds}.</sub>\n`;
}

const sections = [];
for (const pkg of packages) {
  const result = run('pnpm', ['run', 'bench'], dirOf(pkg), { PATINOX_BENCH_RESULTS_DIR: resultsDir });
  if (intoMain && result.status !== 0) {
    // A failed run would replace the last good section with an empty one and break the READMEs' quotes.
    console.error(`bench-report: the ${pkg} benchmarks exited with status ${result.status}; BENCHMARKS.md is left as it was`);
    process.exit(1);
  }
  const files = readdirSync(resultsDir).filter((f) => f.startsWith(`${pkg}__`)).sort();
  const tables = [];
  const ids = new Set();
  for (const file of files) {
    const { suites } = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
    const benchName = file.replace(`${pkg}__`, '').replace(/\.json$/, '');
    for (const entry of mergeSuites(suites)) {
      let id = `${pkg}:${slug(entry.suite || benchName)}`;
      if (ids.has(id)) id = `${pkg}:${benchName}:${slug(entry.suite)}`;
      ids.add(id);
      tables.push(`#### ${benchName}.bench.ts${entry.suite ? ` — ${entry.suite}` : ''}\n\n${fragment(id, suiteTable(entry))}`);
    }
  }
  // Each bench file's printed output (latency percentiles, memory, figures outside benchmark.js) is a
  // quotable block too, so READMEs take those from the same run.
  const outputs = [];
  const parts = scrub(result.output).split(/^## (\S+)\.bench\.ts$/m);
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const text = parts[i + 1].replace(/^\$ .*$/gm, '').trim();
    if (text !== '') outputs.push(`#### ${parts[i]}.bench.ts — printed output\n\n${fragment(`${pkg}:${parts[i]}:output`, `\`\`\`text\n${text}\n\`\`\`\n\n<sub>\`pnpm bench\`, ${date}.</sub>\n`)}`);
  }
  const status = result.status === 0 ? '' : `\n> The benchmark run exited with status ${result.status}; see the output below.\n`;
  const body = [...tables, ...outputs].join('\n') || '_No benchmarks._\n';
  sections.push(
    `## @patinox/${pkg}\n${status}\nCommand: \`pnpm --filter @patinox/${pkg} bench\` (${result.seconds.toFixed(0)} s). In the benchmark.js tables every figure is per single operation (a case that runs a batch per call declares its size, shown beside its name); **bold** rows are ours, and the last column is how many times faster our case (named) is than that row, in the same run. Each bench file's own printed output follows its tables.\n\n${body}`,
  );
}

const traceSim = join(root, 'tools', 'trace-sim');
if ((only.length === 0 || traceSimOnly) && existsSync(join(traceSim, 'package.json'))) {
  if (existsSync(tracesDir)) {
    const result = run(process.execPath, ['src/cli.mjs', `--traces=${tracesDir}`], traceSim);
    const study = run(process.execPath, ['src/window-study-cli.mjs', `--traces=${tracesDir}`], traceSim);
    const printed = (r) => `${scrub(r.output.trim()).split('\n').filter((l) => !l.startsWith('$') && !l.startsWith('>')).join('\n')}\n`;
    sections.push(
      `## Hit ratios (trace-sim)\n\nCommand: \`TRACES_DIR=… node tools/trace-sim/src/cli.mjs\` (${result.seconds.toFixed(0)} s; the traces are not in the repository, see tools/trace-sim/README.md). Policies were tuned on the LIRS and ARC traces only; the others are reported as they come.\n\n${fragment('trace-sim:hit-ratios', printed(result))}\n### Window study\n\nCommand: \`TRACES_DIR=… node tools/trace-sim/src/window-study-cli.mjs\` (${study.seconds.toFixed(0)} s): the default policy with its window fixed, adaptive, and steered by full-information followers, on the tuning traces.\n\n${fragment('trace-sim:window-study', printed(study))}`,
    );
  } else {
    sections.push('## Hit ratios (trace-sim)\n\nNot run: the traces are not in the repository and none were found (set `TRACES_DIR`; tools/trace-sim/README.md says where to get them).\n');
  }
}

const cpu = cpus();
const header = `# Benchmarks

Generated by \`pnpm bench\` on ${date}: Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${process.platform}/${process.arch}.
Every package is measured against the peers a user would pick instead, in the same process and the same run.
These figures come from one run on a small shared machine; benchmark.js reports each figure's margin
of error (±), and runs on 2 cores typically vary by 5 to 20 %. Compare ratios, not absolute numbers.
The READMEs quote these tables (between \`<!-- bench:… -->\` markers, copied by \`node tools/scripts/bench-readmes.mjs\`).
`;
const target = join(root, only.length === 0 ? 'BENCHMARKS.md' : `BENCHMARKS.${only.join('-')}.md`);
writeFileSync(target, `${header}\n${sections.join('\n')}`);
rmSync(resultsDir, { recursive: true, force: true });
console.log(`\nwrote ${target}`);
if (intoMain) {
  const mainFile = join(root, 'BENCHMARKS.md');
  const text = readFileSync(mainFile, 'utf8');
  const heading = traceSimOnly ? '## Hit ratios (trace-sim)\n' : `## @patinox/${only[0]}\n`;
  const time = new Date().toISOString().slice(11, 16);
  const section = sections[0].replace(heading, `${heading}\n_This section was re-run on its own (\`node tools/scripts/bench-report.mjs ${only[0]} --into-main\`, ${date} ${time} UTC); the others are from the last full run._\n`);
  let start = text.indexOf(heading);
  let end;
  let next;
  if (start === -1 && traceSimOnly) {
    console.error(`bench-report: BENCHMARKS.md has no section ${heading.trim()}; run pnpm bench`);
    process.exit(1);
  } else if (start === -1) {
    // A section the last full run did not have yet: it goes where a full run puts it, after the
    // sections of the names before it in ORDER (before the trace-sim hit ratios).
    const later = ORDER.slice(ORDER.indexOf(only[0]) + 1).map((p) => text.indexOf(`## @patinox/${p}\n`)).filter((i) => i !== -1);
    const traceSimAt = text.indexOf('## Hit ratios (trace-sim)');
    start = Math.min(...later, traceSimAt === -1 ? text.length : traceSimAt);
    end = start;
    next = start === text.length ? -1 : start;
  } else {
    next = text.indexOf('\n## ', start + heading.length);
    end = next === -1 ? text.length : next + 1;
  }
  writeFileSync(mainFile, `${text.slice(0, start)}${section.replace(/\n*$/, '\n')}${next === -1 ? '' : '\n'}${text.slice(end)}`);
  console.log(`replaced the ${only[0]} section of ${mainFile}`);
}
// A partial run writes its own file; only a full run (or --into-main) is quoted by the READMEs.
if (only.length === 0 || intoMain) spawnSync(process.execPath, [join(root, 'tools', 'scripts', 'bench-readmes.mjs')], { stdio: 'inherit' });
