import type { HistogramSummary } from '@patinox/monitor';
import type { CleanupReport } from '@patinox/resource';
import { count, megabytes, ms, percent, seconds } from './format.js';
import type { TierStats } from './price-cache.js';
import type { Pricer } from './pricer.js';

/** A two-column table: `title`, then one `label  value` line per row, labels aligned. */
export function formatTable(title: string, rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  const rule = '─'.repeat(Math.max(title.length, ...lines.map((l) => l.length)));
  return [title, rule, ...lines, rule].join('\n');
}

/** A table with a header row and right-aligned numeric columns after the first. */
export function formatColumns(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `  ${cells.map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The lines that say what a shutdown released: one per kind (`pricing worker ×2`), then any failure. */
export function cleanupLines(report: CleanupReport, cleanedNames: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const name of cleanedNames) {
    const kind = name.replace(/ #\d+$/, '');
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [
    `Cleaned up ${report.cleaned} resources in ${ms(report.durationMs)}, ${report.failures.length} failed:`,
    ...[...counts].map(([kind, n]) => `  ✓ ${kind}${n > 1 ? ` ×${n}` : ''}`),
    ...report.failures.map((f) => `  ✗ ${f.name}: ${f.code} ${f.reason}`),
  ];
}

/** The facts the final summary reports. */
export interface RunFacts {
  requests: number;
  failures: number;
  loads: number;
  hitRate: number;
  durationMs: number;
  latency: HistogramSummary;
  tiers: readonly TierStats[];
  pricer: Pricer;
  rules: { from: number; to: number; editedAfter: number };
  catalog: { records: number; bytes: number };
}

/** The summary table, and the per-worker table when workers priced. */
export function summaryLines(f: RunFacts): string[] {
  const { pricer } = f;
  const size = pricer.pool.stats().maxSize;
  const done = f.requests + f.failures;
  const onTarget = pricer.workers.filter((w) => w.rulesVersion === f.rules.to).length;
  const lines = [
    formatTable('Summary', [
      ['requests', `${count(f.requests)} in ${seconds(f.durationMs)} (${count((done / f.durationMs) * 1000)}/s), ${count(f.failures)} failed`],
      ['hit rate', `${percent(f.hitRate)} (${count(f.loads)} prices computed)`],
      ...f.tiers.map(({ name, hits, misses }) => [`  ${name}`, misses === undefined ? `${count(hits)} hits` : `${count(hits)} hits, ${count(misses)} misses`] as const),
      ['latency', `p50 ${ms(f.latency.p50)}   p99 ${ms(f.latency.p99)}   max ${ms(f.latency.max)}`],
      ['pricing', `${size} ${pricer.connection}s, ${percent(pricer.busyMs() / (size * f.durationMs))} busy`],
      ['pool wait', `p99 ${ms(pricer.pool.acquireWaitHistogram.percentile(0.99))} to borrow a ${pricer.connection}`],
      [
        'rules',
        `v${f.rules.from} → v${f.rules.to} after ${count(f.rules.editedAfter)} requests; ` +
          (pricer.workers.length > 0 ? `seen by ${onTarget}/${pricer.workers.length} workers` : 'applied by the PostgreSQL loader'),
      ],
      ['catalog', `${count(f.catalog.records)} products, ${megabytes(f.catalog.bytes)} mapped`],
    ]),
  ];
  if (pricer.workers.length > 0) {
    const rows = pricer.workers.map((w) => [`#${w.id}`, count(w.quotes), w.rulesVersions.map((v) => `v${v}`).join(' → ')]);
    lines.push(formatColumns(['worker', 'quotes', 'rules versions seen'], rows));
  }
  return lines;
}
