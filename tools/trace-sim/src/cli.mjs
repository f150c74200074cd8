#!/usr/bin/env node
// trace-sim: replays cache traces through every @patinox/cache policy, lru-cache and mnemonist, beside
// Belady's offline optimum, prints one markdown hit-ratio table per trace plus checks of the default
// policy against LRU and against the optimum, and writes one SVG chart per trace.
//
//   node src/cli.mjs                          # every trace, default capacities, the traces' own keys
//   node src/cli.mjs --only=OLTP,loop,gli     # traces whose path contains one of these
//   node src/cli.mjs --impl=lru,tinylfu --caps=500,1000 --only=loop
//   node src/cli.mjs --keys=dense             # ids 0…unique−1 instead of the traces' keys
//   node src/cli.mjs --check=lru              # the policy the summaries check (default: the default policy)
//   node src/cli.mjs --svg=DIR                # where charts go (default packages/cache/docs/hit-ratio; --svg=none: none)
//   node src/cli.mjs --traces=/path/to/traces # default: $TRACES_DIR or ../../../shared/traces
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nextUses } from './belady.mjs';
import { chartFileName, renderChart } from './chart.mjs';
import { list, parseArgs, selected, tracesDir } from './args.mjs';
import { loadTrace, TRACES } from './read-trace.mjs';
import { DEFAULT_EVICTION_POLICY, IMPLEMENTATIONS, OPTIMUM, requestKeys, simulate } from './simulate.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = parseArgs();
const dir = tracesDir(args);
const only = list(args.only);
const impls = list(args.impl) ?? IMPLEMENTATIONS;
const capsOverride = list(args.caps)?.map(Number);
const keyMode = args.keys ?? 'real';
// The policy the summaries check (default: the package's default policy).
const checked = args.check ?? DEFAULT_EVICTION_POLICY;
const svgDir = args.svg === 'none' ? undefined : resolve(args.svg ?? join(HERE, '../../../packages/cache/docs/hit-ratio'));

if (keyMode !== 'real' && keyMode !== 'dense') {
  console.error(`--keys must be real or dense, got ${keyMode}`);
  process.exit(2);
}

const pct = (x) => (Number.isNaN(x) ? '–' : (100 * x).toFixed(2));
const checks = [];
/** Per implementation, its hit ratio as a share of the optimum's at every point (BEST: the best online policy at each point). */
const shares = new Map();
const BEST = 'best of all at each point';
const keyNote = keyMode === 'real' ? "the traces' own keys as strings" : 'dense ids 0…unique−1 as numbers';
console.log(`Hit ratio (%) per trace and capacity; default policy: ${DEFAULT_EVICTION_POLICY}; keys: ${keyNote}. Traces from ${dir}\n`);
if (svgDir !== undefined) mkdirSync(svgDir, { recursive: true });
for (const t of TRACES) {
  if (!selected(t.file, only)) continue;
  const path = join(dir, t.file);
  if (!existsSync(path)) {
    console.log(`### ${t.file}: missing, skipped\n`);
    continue;
  }
  const started = Date.now();
  const trace = await loadTrace(path, t.format);
  if (impls.includes(OPTIMUM)) trace.next = nextUses(trace);
  const keys = requestKeys(trace, keyMode);
  const caps = capsOverride ?? t.caps;
  const unit = t.bySize ? 'capacity (MiB)' : 'capacity';
  console.log(`### ${t.file} (${trace.requests.toLocaleString('en')} requests, ${trace.unique.toLocaleString('en')} keys)\n`);
  console.log(`| ${unit} | ${impls.join(' | ')} |`);
  console.log(`|---:|${impls.map(() => '---:').join('|')}|`);
  const rows = [];
  for (const cap of caps) {
    const row = {};
    for (const impl of impls) row[impl] = simulate(impl, trace, cap, t.bySize === true, keys);
    const best = Math.max(...impls.filter((i) => i !== OPTIMUM).map((i) => row[i]).filter((x) => !Number.isNaN(x)));
    const cells = impls.map((i) => (row[i] === best && i !== OPTIMUM ? `**${pct(row[i])}**` : pct(row[i])));
    const label = t.bySize ? `${cap / 2 ** 20}` : `${cap}`;
    console.log(`| ${label} | ${cells.join(' | ')} |`);
    rows.push({ label: t.bySize ? `${label} MiB` : cap.toLocaleString('en'), values: row });
    if (row[OPTIMUM] > 0) {
      const online = impls.filter((i) => i !== OPTIMUM && Number.isFinite(row[i]));
      for (const i of online) shares.set(i, [...(shares.get(i) ?? []), row[i] / row[OPTIMUM]]);
      shares.set(BEST, [...(shares.get(BEST) ?? []), Math.max(...online.map((i) => row[i])) / row[OPTIMUM]]);
    }
    if (row[checked] !== undefined) {
      checks.push({ trace: t.file, cap: t.bySize ? `${cap / 2 ** 20} MiB` : cap, def: row[checked], lru: row.lru, opt: row[OPTIMUM] });
    }
  }
  console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  if (svgDir !== undefined) {
    // One line per policy, lru-cache and the optimum (mnemonist is the same LRU as lru-cache).
    const charted = impls.filter((i) => i !== 'mnemonist');
    const svg = renderChart({
      title: `${t.file}: hit ratio (${trace.requests.toLocaleString('en')} requests, ${trace.unique.toLocaleString('en')} keys)`,
      xLabel: t.bySize ? 'capacity (bytes)' : 'capacity (entries)',
      impls: charted,
      rows,
      highlight: checked,
      styles: { [OPTIMUM]: { color: '#000000', dash: '6 4' }, 'lru-cache': { color: '#7f7f7f', dash: '2 3' } },
    });
    writeFileSync(join(svgDir, chartFileName(t.file)), svg);
  }
}

const withLru = checks.filter((c) => c.lru !== undefined);
if (withLru.length > 0) {
  console.log(`### ${checked}${checked === DEFAULT_EVICTION_POLICY ? ' (default)' : ''} against lru\n`);
  console.log('| trace | capacity | default | lru | Δ pp | verdict |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const c of withLru) {
    const d = 100 * (c.def - c.lru);
    const verdict = d > 0.005 ? 'beats' : Math.abs(d) <= 0.005 ? 'ties' : d >= -0.5 ? 'within 0.5 pp' : 'LOSES > 0.5 pp';
    console.log(`| ${c.trace} | ${c.cap} | ${pct(c.def)} | ${pct(c.lru)} | ${d >= 0 ? '+' : ''}${d.toFixed(2)} | ${verdict} |`);
  }
  const worst = Math.min(...withLru.map((c) => 100 * (c.def - c.lru)));
  console.log(`\nWorst point against lru: ${worst >= 0 ? '+' : ''}${worst.toFixed(2)} pp (target: no point below −0.50)\n`);
}

const withOpt = checks.filter((c) => c.opt !== undefined && c.opt > 0);
if (withOpt.length > 0) {
  console.log(`### ${checked}${checked === DEFAULT_EVICTION_POLICY ? ' (default)' : ''} against the optimum (Belady)\n`);
  console.log('| trace | capacity | default | optimum | default ÷ optimum |');
  console.log('|---|---:|---:|---:|---:|');
  let sum = 0;
  for (const c of withOpt) {
    sum += c.def / c.opt;
    console.log(`| ${c.trace} | ${c.cap} | ${pct(c.def)} | ${pct(c.opt)} | ${((100 * c.def) / c.opt).toFixed(1)} % |`);
  }
  console.log(`\nMean default ÷ optimum over ${withOpt.length} points: ${((100 * sum) / withOpt.length).toFixed(1)} % (target: ≥ 90 %)\n`);
}

if (shares.size > 0) {
  console.log('### Every implementation against the optimum\n');
  console.log('| implementation | points | mean ÷ optimum | lowest |');
  console.log('|---|---:|---:|---:|');
  for (const [impl, xs] of shares) {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`| ${impl} | ${xs.length} | ${(100 * mean).toFixed(1)} % | ${(100 * Math.min(...xs)).toFixed(1)} % |`);
  }
  console.log('');
}
