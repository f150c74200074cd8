#!/usr/bin/env node
// window-study: how much of the default policy's loss to LRU (sprite at 1,000) an adaptive window could
// win back (see window-study.mjs for the contenders). Replays the tuning traces (LIRS and ARC) at
// trace-sim's capacities and prints each contender's hit ratio minus LRU's, its mean share of Belady's
// optimum, and every point where it trails LRU by more than 0.5 pp.
//
//   node src/window-study-cli.mjs                    # LIRS and ARC traces (~1 min)
//   node src/window-study-cli.mjs --only=sprite,loop
//   node src/window-study-cli.mjs --traces=/path/to/traces
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { list, parseArgs, selected, tracesDir } from './args.mjs';
import { belady, nextUses } from './belady.mjs';
import { loadTrace, TRACES } from './read-trace.mjs';
import { requestKeys, simulate } from './simulate.mjs';
import { CONTENDERS, keyHashes, studyPoint } from './window-study.mjs';

const args = parseArgs();
const dir = tracesDir(args);
const only = list(args.only);

const pct = (x) => (100 * x).toFixed(2);
const contenders = CONTENDERS;
const shares = new Map(contenders.map((c) => [c, []]));
const losses = new Map(contenders.map((c) => [c, []]));
const rows = [];
console.log(`Window study: hit ratio minus LRU's (pp) on the tuning traces, the traces' own keys. Traces from ${dir}\n`);
for (const t of TRACES) {
  if (!t.file.startsWith('lirs/') && !t.file.startsWith('arc/')) continue;
  if (!selected(t.file, only)) continue;
  const path = join(dir, t.file);
  if (!existsSync(path)) {
    console.log(`${t.file}: missing, skipped`);
    continue;
  }
  const trace = await loadTrace(path, t.format);
  const hashes = keyHashes(trace);
  const next = nextUses(trace);
  const keys = requestKeys(trace);
  for (const capacity of t.caps) {
    const lru = simulate('lru', trace, capacity, false, keys);
    const optimum = belady(trace, capacity, false, next);
    const ratios = studyPoint(trace, capacity, hashes);
    const point = `${t.file}@${capacity}`;
    ratios.forEach((r, c) => {
      shares.get(contenders[c]).push(r / optimum);
      if (100 * (r - lru) < -0.5) losses.get(contenders[c]).push(`${point} ${(100 * (r - lru)).toFixed(2)}`);
    });
    rows.push({ point, lru, optimum, ratios });
  }
}

console.log(`| trace @ capacity | lru % | optimum % | ${contenders.join(' | ')} |`);
console.log(`|---|---:|---:|${contenders.map(() => '---:').join('|')}|`);
for (const { point, lru, optimum, ratios } of rows) {
  const cells = ratios.map((r) => {
    const d = 100 * (r - lru);
    return d < -0.5 ? `**${d.toFixed(2)}**` : d.toFixed(2);
  });
  console.log(`| ${point} | ${pct(lru)} | ${pct(optimum)} | ${cells.join(' | ')} |`);
}
console.log('\nPer contender: mean share of the optimum, and every point more than 0.5 pp below LRU (bold above).\n');
console.log('| contender | mean share of optimum | points > 0.5 pp below LRU |');
console.log('|---|---:|---|');
for (const c of contenders) {
  const s = shares.get(c);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  const l = losses.get(c);
  console.log(`| ${c} | ${(100 * mean).toFixed(1)} % | ${l.length === 0 ? 'none' : l.join('; ')} |`);
}
