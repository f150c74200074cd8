import pg from 'pg';
import { postgresUrl } from '@patinox/test-servers';
import { createPgPool } from '@patinox/pool/pg';

// createPgPool against node-postgres' pg.Pool on the real PostgreSQL, in one process and one run:
// `SELECT 1` round trips through pool.query at 1, 10 and 200 concurrent callers, both pools with
// max 10 warm connections. Each cell runs for CELL_MS; rounds interleave the two pools (the order
// flips every round) and the first round is a discarded warm-up. Reported: queries/s and the
// caller-seen latency p50/p99 (pool wait + round trip), median over rounds beside the best round.

interface Subject {
  name: string;
  query(): Promise<unknown>;
  end(): Promise<void>;
}

interface Cell {
  qps: number;
  p50: number;
  p99: number;
}

const CONCURRENCY = [1, 10, 200];
const ROUNDS = Number(process.env.PATINOX_PG_BENCH_ROUNDS ?? 7);
const CELL_MS = Number(process.env.PATINOX_PG_BENCH_CELL_MS ?? 1000);
const MAX = 10;
const url = postgresUrl();

function subjects(): Subject[] {
  const ours = createPgPool({ connectionString: url, max: MAX });
  const theirs = new pg.Pool({ connectionString: url, max: MAX });
  return [
    { name: '@patinox/pool/pg', query: () => ours.query('SELECT 1'), end: () => ours.end() },
    { name: 'pg.Pool', query: () => theirs.query('SELECT 1'), end: () => theirs.end() },
  ];
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function cell(subject: Subject, concurrency: number): Promise<Cell> {
  const latencies = new Float64Array(2_000_000);
  let count = 0;
  const stopAt = performance.now() + CELL_MS;
  const started = performance.now();
  const loop = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      const t0 = performance.now();
      await subject.query();
      latencies[count++] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = performance.now() - started;
  const sorted = latencies.subarray(0, count).sort();
  return { qps: (count / elapsed) * 1000, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const list = subjects();
  // Open all MAX connections of both pools before measuring.
  for (const s of list) await Promise.all(Array.from({ length: MAX * 3 }, () => s.query()));
  const results = new Map<string, Cell[]>();
  for (let round = 0; round <= ROUNDS; round += 1) {
    const order = round % 2 === 0 ? list : [...list].reverse();
    for (const concurrency of CONCURRENCY) {
      for (const s of order) {
        const r = await cell(s, concurrency);
        if (round === 0) continue;
        const key = `${s.name}@${concurrency}`;
        results.set(key, [...(results.get(key) ?? []), r]);
      }
    }
  }
  for (const s of list) await s.end();

  console.log(`node ${process.version}, ${process.platform}/${process.arch}; PostgreSQL on ${new URL(url).host}; max ${MAX} connections`);
  console.log(`SELECT 1 through pool.query; ${ROUNDS} interleaved rounds of ${CELL_MS} ms per cell; median (best)`);
  console.log(`${'callers'.padEnd(8)} ${'pool'.padEnd(18)} ${'queries/s'.padStart(22)} ${'p50 ms'.padStart(16)} ${'p99 ms'.padStart(16)}`);
  const summary: Record<string, unknown> = {};
  for (const concurrency of CONCURRENCY) {
    const row: Record<string, { qps: number; p50: number; p99: number }> = {};
    for (const s of list) {
      const cells = results.get(`${s.name}@${concurrency}`)!;
      const qps = median(cells.map((c) => c.qps));
      const p50 = median(cells.map((c) => c.p50));
      const p99 = median(cells.map((c) => c.p99));
      row[s.name] = { qps, p50, p99 };
      console.log(
        `${String(concurrency).padEnd(8)} ${s.name.padEnd(18)} ${`${fmt(qps)} (${fmt(Math.max(...cells.map((c) => c.qps)))})`.padStart(22)} ${`${fmt(p50, 3)} (${fmt(Math.min(...cells.map((c) => c.p50)), 3)})`.padStart(16)} ${`${fmt(p99, 3)} (${fmt(Math.min(...cells.map((c) => c.p99)), 3)})`.padStart(16)}`,
      );
    }
    const ours = row['@patinox/pool/pg']!;
    const theirs = row['pg.Pool']!;
    console.log(
      `${''.padEnd(8)} ratio: ${(ours.qps / theirs.qps).toFixed(2)}x throughput, p50 ${(ours.p50 / theirs.p50).toFixed(2)}x, p99 ${(ours.p99 / theirs.p99).toFixed(2)}x (target ≥ 1x throughput, p99 ≤ 1x)`,
    );
    summary[String(concurrency)] = row;
  }
  if (process.env.PATINOX_BENCH_RESULTS !== undefined) {
    const { writeFileSync } = await import('node:fs');
    process.once('exit', () => writeFileSync(process.env.PATINOX_BENCH_RESULTS!, JSON.stringify({ suites: [], pg: summary }, null, 2)));
  }
}

await main();
