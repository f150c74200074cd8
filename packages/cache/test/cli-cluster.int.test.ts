import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedRedisCluster } from '@patinox/test-servers';
import { RedisBackend } from '../src/backends/redis.js';
import { CLI_EXIT_CODES } from '../src/cli/run.js';
import { TieredCache } from '../src/tiered/index.js';
import { cli, json, runBin } from './cli-harness.js';

// The 3-master cluster the jest globalSetup started for the whole run (or one started for this file).
describe('patinox-cache CLI on a 3-master Redis Cluster', () => {
  const ns = `cli-cluster-${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'patinox-cli-cluster-'));
  const keys = Array.from({ length: 30 }, (_, i) => `item:${i}`);
  let url: string;
  let cache: TieredCache;
  const run = (args: string[], options: Parameters<typeof cli>[1] = {}) => cli(args, { env: { REDIS_URL: url }, ...options });

  beforeAll(async () => {
    const nodes = await sharedRedisCluster();
    // Any node will do as the URL: the CLI detects the cluster and learns the others.
    url = `redis://${nodes[1]!.host}:${nodes[1]!.port}`;
    cache = new TieredCache({ l2: new RedisBackend({ cluster: nodes }), namespace: ns, l1: false });
    await cache.setMany(keys.map((key, i) => ({ key, value: { i } })));
    await Promise.all(keys.slice(0, 10).map((key, i) => cache.set(key, { i }, { tags: ['first-ten'] })));
  });

  afterAll(async () => {
    await cache.clear();
    await cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('detects the cluster and counts the namespace on every master', async () => {
    const status = json(await run(['status', '-n', ns, '--json']));
    expect(status).toMatchObject({ mode: 'cluster', clusterState: 'ok', namespace: { keys: 30 } });
    expect(status.nodes).toHaveLength(3);
    for (const node of status.nodes) expect(node.keys).toBeGreaterThan(0);
    expect(status.nodes.reduce((a: number, n: { keys: number }) => a + n.keys, 0)).toBe(30);
    const stats = json(await run(['stats', '-n', ns, '--json', '--cluster']));
    expect(stats).toMatchObject({ mode: 'cluster', total: { namespaceKeys: 30 } });
    expect(stats.nodes).toHaveLength(3);
    const listed = await run(['keys', '-n', ns]);
    expect(listed.out.sort()).toEqual([...keys].sort());
  });

  it('reads and writes keys on every node, following MOVED', async () => {
    const got = await Promise.all(keys.map((key) => run(['get', key, '-n', ns, '--json'])));
    expect(got.map((r) => r.code)).toEqual(keys.map(() => 0));
    expect(got.map((r) => json(r).value.i as number)).toEqual(keys.map((_, i) => i));
    for (const key of ['a', 'b', 'c', 'd', 'e']) expect((await run(['set', `w:${key}`, `"${key}"`, '-n', ns, '--tags', 'written'])).code).toBe(0);
    expect(await cache.getMany(['w:a', 'w:e'])).toEqual(['a', 'e']);
    expect(json(await run(['delete', 'w:a', 'w:b', '-n', ns]))).toEqual({ deleted: ['w:a', 'w:b'], missing: [] });
    expect(JSON.parse((await run(['invalidate-tag', 'written', '-n', ns])).out[0]!)).toMatchObject({ removed: 3 });
    expect(json(await run(['invalidate-tag', 'first-ten', '-n', ns, '--dry-run']))).toMatchObject({ wouldRemove: 10 });
  });

  it('exports, clears and imports across every master', async () => {
    const file = join(dir, 'cluster.jsonl');
    expect(json(await run(['export', file, '-n', ns]))).toMatchObject({ entries: 30, tags: 1 });
    expect((await run(['clear', '-n', ns])).code).toBe(CLI_EXIT_CODES.notConfirmed);
    expect(json(await run(['clear', '-n', ns, '--yes'])).removed).toBeGreaterThanOrEqual(30);
    expect(json(await run(['status', '-n', ns, '--json'])).namespace.keys).toBe(0);
    expect(json(await run(['import', file, '-n', ns]))).toMatchObject({ entries: 30, tags: 1, overwritten: 0 });
    expect(json(await run(['status', '-n', ns, '--json'])).namespace.keys).toBe(30);
    expect(JSON.parse((await run(['invalidate-tag', 'first-ten', '-n', ns])).out[0]!)).toMatchObject({ removed: 10 });
    await cache.setMany(keys.slice(0, 10).map((key, i) => ({ key, value: { i } })));
  });

  it('runs as a built bin against the cluster', async () => {
    const result = await runBin(['status', '-n', ns], { env: { REDIS_URL: url } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/up {2}cluster \(ok\)/);
    expect(result.stdout).toContain(`namespace ${ns}: 30 keys`);
  }, 60_000);
});
