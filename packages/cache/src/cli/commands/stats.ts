import { numberOption } from '../args.js';
import type { CommandContext } from '../context.js';
import { CLI_EXIT_CODES } from '../exit-codes.js';
import { collectNodeStats, round, totals, type NodeStats } from '../node-stats.js';
import type { Command } from './command.js';

interface Sample {
  at: number;
  nodes: NodeStats[];
}

export const statsCommand: Command = {
  name: 'stats',
  usage: '',
  summary: 'hits, misses, memory, evictions and namespace keys of every node; --watch refreshes until Ctrl-C',
  details: [
    'With --watch, a terminal shows a table redrawn every --interval ms, with per-second rates; without a',
    'terminal (or with --json) one line per refresh is printed. Ctrl-C stops it cleanly (exit code 0).',
  ],
  options: ['namespace', 'json', 'watch', 'interval', 'count'],
  examples: ['patinox-cache stats -n users', 'patinox-cache stats --watch --interval 1000 -n users', 'patinox-cache stats --json | jq .total.hitRate'],
  async run(ctx) {
    ctx.noMoreArgs(0);
    const namespace = ctx.values.namespace ?? ctx.io.env.PATINOX_CACHE_NAMESPACE;
    const watch = ctx.flag('watch');
    const intervalMs = numberOption('interval', ctx.values.interval, 2000, { min: 10 });
    const count = numberOption('count', ctx.values.count, watch ? Infinity : 1, { min: 1, integer: true });
    const now = ctx.io.now ?? Date.now;
    const connection = await ctx.connect();
    let previous: Sample | undefined;
    for (let round = 0; round < count; round += 1) {
      if (ctx.io.signal?.aborted === true) break;
      const sample: Sample = { at: now(), nodes: await collectNodeStats(connection, namespace) };
      const report = toReport(sample, previous, connection.isCluster, namespace);
      if (ctx.flag('json')) ctx.io.stdout(JSON.stringify(report, null, watch ? undefined : 2));
      else render(ctx, report, watch);
      previous = sample;
      if (round + 1 < count && !(await sleep(intervalMs, ctx.io.signal))) break;
    }
    return CLI_EXIT_CODES.ok;
  },
};

interface Report {
  mode: 'cluster' | 'standalone';
  at: string;
  namespace?: { name: string; keys: number };
  total: ReturnType<typeof totals> & { hitsPerSec?: number; missesPerSec?: number };
  nodes: (NodeStats & { hitsPerSec?: number; missesPerSec?: number })[];
}

function toReport(sample: Sample, previous: Sample | undefined, isCluster: boolean, namespace: string | undefined): Report {
  const seconds = previous === undefined ? 0 : (sample.at - previous.at) / 1000;
  const rates = <T extends { keyspaceHits: number; keyspaceMisses: number }>(now: T, before: T | undefined): T & { hitsPerSec?: number; missesPerSec?: number } =>
    before === undefined || seconds <= 0
      ? now
      : { ...now, hitsPerSec: round(Math.max(0, now.keyspaceHits - before.keyspaceHits) / seconds), missesPerSec: round(Math.max(0, now.keyspaceMisses - before.keyspaceMisses) / seconds) };
  const total = totals(sample.nodes);
  const report: Report = {
    mode: isCluster ? 'cluster' : 'standalone',
    at: new Date(sample.at).toISOString(),
    total: rates(total, previous === undefined ? undefined : totals(previous.nodes)),
    nodes: sample.nodes.map((n) => rates(n, previous?.nodes.find((p) => p.address === n.address))),
  };
  if (namespace !== undefined) report.namespace = { name: namespace, keys: total.namespaceKeys ?? 0 };
  return report;
}

function render(ctx: CommandContext, report: Report, watch: boolean): void {
  const redraw = watch && ctx.io.isStdoutTty === true && ctx.io.stdoutRaw !== undefined;
  if (redraw) ctx.io.stdoutRaw!('\x1b[2J\x1b[H');
  const head = `${report.mode}  ${report.at}${report.namespace === undefined ? '' : `  namespace ${report.namespace.name}: ${report.namespace.keys} keys`}${watch ? '  (Ctrl-C to stop)' : ''}`;
  const columns = ['node', 'keys', 'hits', 'misses', 'hit%', 'hits/s', 'ops/s', 'memory', 'evicted', 'expired'];
  const row = (name: string, s: Report['total']): string[] => [
    name,
    s.namespaceKeys === undefined ? '-' : String(s.namespaceKeys),
    String(s.keyspaceHits),
    String(s.keyspaceMisses),
    (s.hitRate * 100).toFixed(1),
    s.hitsPerSec === undefined ? '-' : String(s.hitsPerSec),
    String(s.opsPerSec),
    bytes(s.usedMemoryBytes),
    String(s.evictedKeys),
    String(s.expiredKeys),
  ];
  const rows = [columns, ...report.nodes.map((n) => row(n.address, n)), ...(report.nodes.length > 1 ? [row('total', report.total)] : [])];
  const widths = columns.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  ctx.io.stdout(head);
  for (const r of rows) ctx.io.stdout(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  if (watch && !redraw) ctx.io.stdout('');
}

function bytes(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)}K`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)}M`;
  return `${(n / 1024 ** 3).toFixed(2)}G`;
}

/** Waits `ms`; resolves false when the signal aborts first (Ctrl-C), without leaving a timer behind. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted === true) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
