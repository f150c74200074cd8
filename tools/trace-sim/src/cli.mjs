#!/usr/bin/env node
// trace-sim: replays cache traces through every @patinox/cache policy, lru-cache and mnemonist,
// and prints one markdown hit-ratio table per trace plus a check of the default policy against LRU.
//
//   node src/cli.mjs                          # every trace, default capacities
//   node src/cli.mjs --only=OLTP,loop,gli     # traces whose path contains one of these
//   node src/cli.mjs --impl=lru,tinylfu --caps=500,1000 --only=loop
//   node src/cli.mjs --traces=/path/to/traces # default: $TRACES_DIR or ../../../shared/traces
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTrace, TRACES } from './read-trace.mjs';
import { DEFAULT_EVICTION_POLICY, IMPLEMENTATIONS, simulate } from './simulate.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v = 'true'] = a.replace(/^--/, '').split('=');
    return [k, v];
  }),
);
const list = (v) => (v === undefined ? undefined : v.split(',').filter(Boolean));
const dir = resolve(args.traces ?? process.env.TRACES_DIR ?? join(HERE, '../../../../shared/traces'));
const only = list(args.only);
const impls = list(args.impl) ?? IMPLEMENTATIONS;
const capsOverride = list(args.caps)?.map(Number);

if (!existsSync(dir)) {
  console.error(`trace folder not found: ${dir} (pass --traces=DIR or set TRACES_DIR)`);
  process.exit(2);
}

const pct = (x) => (Number.isNaN(x) ? '–' : (100 * x).toFixed(2));
const checks = [];
console.log(`Hit ratio (%) per trace and capacity; default policy: ${DEFAULT_EVICTION_POLICY}. Traces from ${dir}\n`);
for (const t of TRACES) {
  if (only !== undefined && !only.some((o) => t.file.toLowerCase().includes(o.toLowerCase()))) continue;
  const path = join(dir, t.file);
  if (!existsSync(path)) {
    console.log(`### ${t.file}: missing, skipped\n`);
    continue;
  }
  const started = Date.now();
  const trace = await loadTrace(path, t.format);
  const caps = capsOverride ?? t.caps;
  const unit = t.bySize ? 'capacity (MiB)' : 'capacity';
  console.log(`### ${t.file} (${trace.requests.toLocaleString('en')} requests, ${trace.unique.toLocaleString('en')} keys)\n`);
  console.log(`| ${unit} | ${impls.join(' | ')} |`);
  console.log(`|---:|${impls.map(() => '---:').join('|')}|`);
  for (const cap of caps) {
    const row = {};
    for (const impl of impls) row[impl] = simulate(impl, trace, cap, t.bySize === true);
    const best = Math.max(...Object.values(row).filter((x) => !Number.isNaN(x)));
    const cells = impls.map((i) => (row[i] === best ? `**${pct(row[i])}**` : pct(row[i])));
    console.log(`| ${t.bySize ? cap / 2 ** 20 : cap} | ${cells.join(' | ')} |`);
    if (row[DEFAULT_EVICTION_POLICY] !== undefined && row.lru !== undefined) {
      checks.push({ trace: t.file, cap: t.bySize ? `${cap / 2 ** 20} MiB` : cap, def: row[DEFAULT_EVICTION_POLICY], lru: row.lru });
    }
  }
  console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

if (checks.length > 0) {
  console.log(`### ${DEFAULT_EVICTION_POLICY} (default) against lru\n`);
  console.log('| trace | capacity | default | lru | Δ pp | verdict |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const c of checks) {
    const d = 100 * (c.def - c.lru);
    const verdict = d > 0.005 ? 'beats' : Math.abs(d) <= 0.005 ? 'ties' : 'LOSES';
    console.log(`| ${c.trace} | ${c.cap} | ${pct(c.def)} | ${pct(c.lru)} | ${d >= 0 ? '+' : ''}${d.toFixed(2)} | ${verdict} |`);
  }
}
