import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { Cache, MemoryBackend, MemoryBus, TieredCache } from '@patinox/cache';
import { MetricsRegistry } from '@patinox/monitor';
import { PrometheusExporter } from '@patinox/monitor/prometheus';
import { Pool } from '@patinox/pool';

// The Grafana dashboard shipped in @patinox/monitor (dashboards/patinox.json) against a real scrape.
// It lives here, not in packages/monitor: monitor may not depend on pool or cache (they depend on it).
const DASHBOARD = join(dirname(fileURLToPath(import.meta.url)), '../../../packages/monitor/dashboards/patinox.json');

interface Target {
  expr: string;
  refId: string;
}
interface Panel {
  type: string;
  title: string;
  targets?: Target[];
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: Panel[]; templating: { list: { name: string }[] } };
const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
/** Metric names an expression reads (the packages emit `pool_*` and `patinox_*`, exported without prefix). */
const metricsOf = (expr: string): string[] => expr.match(/\b(?:pool|patinox)_[a-z0-9_]+\b/g) ?? [];

/** Live components with traffic, scraped once through prom-client. */
async function scrape(): Promise<string> {
  const metrics = new MetricsRegistry();
  let next = 0;
  const pool = new Pool({ create: async () => ({ id: next++ }), isValid: () => true, destroy: () => undefined }, { name: 'db', maxSize: 2 });
  const cache = new Cache<string, string>({ name: 'users', maxEntries: 2 });
  const bus = new MemoryBus();
  const l2 = new MemoryBackend();
  const tiered = new TieredCache<string>({ l2, bus, namespace: 'dash' });
  const peer = new TieredCache<string>({ l2, bus, namespace: 'dash' });
  metrics.addCollector(() => pool.collectMetrics());
  metrics.addCollector(() => cache.collectMetrics());
  metrics.addCollector(() => tiered.collectMetrics());
  try {
    await Promise.all([pool.use(async () => undefined), pool.use(async () => undefined), pool.use(async () => undefined)]);
    for (const key of ['a', 'b', 'c']) cache.set(key, key); // the third evicts
    cache.get('c');
    cache.get('a');
    await tiered.set('k', 'v1');
    await peer.get('k'); // the peer's L1 now holds k
    await tiered.get('k');
    await tiered.set('k', 'v2'); // invalidates the peer's L1, measured as bus lag there and here
    await peer.set('k', 'v3');
    await new Promise((r) => setTimeout(r, 10));
    return await new PrometheusExporter(metrics).metrics();
  } finally {
    await pool.close();
    await tiered.close();
    await peer.close();
    await bus.close();
  }
}

describe('Grafana dashboard', () => {
  it('is a Grafana dashboard whose panels all query Prometheus through the datasource variable', () => {
    expect(dashboard.uid).toBe('patinox');
    expect(dashboard.templating.list.map((v) => v.name)).toContain('datasource');
    const graphs = dashboard.panels.filter((p) => p.type !== 'row');
    expect(graphs.length).toBeGreaterThanOrEqual(8);
    for (const panel of graphs) expect(panel.targets?.length).toBeGreaterThan(0);
    for (const expr of exprs) expect(metricsOf(expr).length).toBeGreaterThan(0);
  });

  it('covers pool waits and sizes, cache hit rate and evictions, L2 latency and invalidation lag', () => {
    const queried = new Set(exprs.flatMap(metricsOf));
    for (const name of [
      'pool_acquire_wait_ms_bucket',
      'pool_size',
      'pool_waiting',
      'patinox_cache_hits_total',
      'patinox_cache_misses_total',
      'patinox_cache_removals_total',
      'patinox_cache_l2_get_ms_bucket',
      'patinox_cache_l2_set_ms_bucket',
      'patinox_cache_bus_lag_ms_bucket',
    ]) {
      expect(queried).toContain(name);
    }
  });

  it('queries only metrics (and labels) that a live Pool, Cache and TieredCache export', async () => {
    const text = await scrape();
    const samples = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    const sampleNames = new Set(samples.map((line) => line.split(/[{ ]/, 1)[0]!));
    const queried = [...new Set(exprs.flatMap(metricsOf))];
    expect(queried.filter((name) => !sampleNames.has(name))).toEqual([]);
    // Each `by (...)` label of an expression appears on the samples of the metrics it reads.
    for (const expr of exprs) {
      const labels = [...expr.matchAll(/by \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim()));
      for (const name of metricsOf(expr)) {
        const lines = samples.filter((line) => line.startsWith(`${name}{`));
        for (const label of labels) expect({ name, label, found: lines.some((line) => line.includes(`${label}="`)) }).toEqual({ name, label, found: true });
      }
    }
    // The traffic above shows in the scrape: an eviction, pool loans, a measured invalidation lag.
    expect(text).toMatch(/patinox_cache_removals_total\{cache="users",reason="evicted"\} 1/);
    expect(text).toMatch(/pool_acquired_total\{pool="db"\} 3/);
    expect(text).toMatch(/patinox_cache_bus_lag_ms_count\{namespace="dash"\} [1-9]/);
  });
});
