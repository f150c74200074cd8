import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The demo's two price caches against each other, in one run: today's mode (`--cache cache`, an
// in-process Cache on the main thread) and `--cache shared-map` (a SharedMap the pricing workers fill
// and the main thread reads lock-free). Each mode runs ROUNDS times, alternating A B B A …, so a
// machine that slows down during the run slows both alike; every run is a fresh `node dist/esm/main.js`
// with the same seed, so both modes serve the same request stream. Each figure is the median of the
// mode's runs, and the runs' range follows it. Needs the demo built (`pnpm --filter @patinox/demo build`).

const REQUESTS = Number(process.env.DEMO_BENCH_REQUESTS ?? 200_000);
const ROUNDS = Number(process.env.DEMO_BENCH_ROUNDS ?? 2);
const main = join(process.cwd(), 'dist/esm/main.js');
const modes = ['cache', 'shared-map'] as const;
type Mode = (typeof modes)[number];

interface Figures {
  rps: number;
  hitRate: number;
  p50Ms: number;
  p99Ms: number;
  poolWaitP99Ms: number;
  busy: number;
}

const num = (text: string): number => Number(text.replaceAll(',', ''));

function field(out: string, pattern: RegExp, what: string): number {
  const match = pattern.exec(out);
  if (match?.[1] === undefined) throw new Error(`the demo's summary has no ${what}:\n${out}`);
  return num(match[1]);
}

function runDemo(mode: Mode): Figures {
  const child = spawnSync(process.execPath, [main, '--requests', String(REQUESTS), '--cache', mode], {
    encoding: 'utf8',
    env: { ...process.env, REDIS_URL: undefined, DATABASE_URL: undefined },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`pnpm demo --cache ${mode} exited with ${String(child.status ?? child.signal)}:\n${child.stdout}${child.stderr}`);
  const out = child.stdout;
  return {
    rps: field(out, /requests\s+[\d,]+ in [\d.]+ s \(([\d,]+)\/s\)/, 'requests/s'),
    hitRate: field(out, /hit rate\s+([\d.]+) %/, 'hit rate'),
    p50Ms: field(out, /latency\s+p50 ([\d.]+) ms/, 'p50'),
    p99Ms: field(out, /latency\s+p50 [\d.]+ ms\s+p99 ([\d.]+) ms/, 'p99'),
    poolWaitP99Ms: field(out, /pool wait\s+p99 ([\d.]+) ms/, 'pool wait p99'),
    busy: field(out, /pricing\s+\d+ workers, ([\d.]+) % busy/, 'workers busy'),
  };
}

const runs = new Map<Mode, Figures[]>(modes.map((m) => [m, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  const order = round % 2 === 0 ? modes : [...modes].reverse();
  for (const mode of order) {
    const figures = runDemo(mode);
    runs.get(mode)!.push(figures);
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const show = (values: number[], format: (n: number) => string): string => {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? format(lo) : `${format(median(values))} <sub>(${format(lo)}–${format(hi)})</sub>`;
};
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const msText = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(1)} ms`);
const pct = (n: number): string => `${n.toFixed(1)} %`;
const label: Record<Mode, string> = { cache: '`cache` (in-process `Cache`, today)', 'shared-map': '`shared-map` (`SharedMap` filled by the workers)' };

console.log(`${REQUESTS.toLocaleString('en-US')} requests per run, ${ROUNDS} runs per mode alternating; median (range)`);
console.log('');
console.log('| `--cache` | requests/s | hit rate | p50 | p99 | pool wait p99 | workers busy |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const mode of modes) {
  const r = runs.get(mode)!;
  const col = (pick: (f: Figures) => number, format: (n: number) => string): string => show(r.map(pick), format);
  console.log(
    `| ${label[mode]} | ${col((f) => f.rps, int)} | ${col((f) => f.hitRate, pct)} | ${col((f) => f.p50Ms, msText)} | ${col((f) => f.p99Ms, msText)} | ${col((f) => f.poolWaitP99Ms, msText)} | ${col((f) => f.busy, pct)} |`,
  );
}
const rps = (mode: Mode): number => median(runs.get(mode)!.map((f) => f.rps));
console.log('');
console.log(`shared-map ÷ cache, requests/s (medians): ${(rps('shared-map') / rps('cache')).toFixed(2)}×`);
