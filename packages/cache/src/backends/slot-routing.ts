import type { Cluster, Redis } from 'ioredis';
import { CacheBackendError, TieredCacheError } from '../errors.js';
import { clusterSlot } from '../internal/cluster-slot.js';

// RedisBackend's RedisClient, spelled out so the two files do not import each other.
type RedisClient = Redis | Cluster;

/** Most keys one standalone MGET or UNLINK carries. */
const CHUNK = 1000;

/**
 * How `RedisBackend`'s commands reach the data: on a Redis Cluster, multi-key commands, pipelines and
 * MULTIs are split per hash slot (a cluster refuses multi-key commands across slots, and a pipeline
 * must stay on one node) and SCAN runs on every master; on a standalone server they go out together,
 * long key lists in chunks.
 */
export class SlotRouting {
  readonly isCluster: boolean;

  constructor(isCluster: boolean) {
    this.isCluster = isCluster;
  }

  /** `items` in groups that may share one multi-key command, pipeline or MULTI: one group per hash slot on a cluster, else one. */
  groups<T>(items: readonly T[], keyOf: (item: T) => string): (readonly T[])[] {
    return this.isCluster ? [...groupBySlot(items, keyOf).values()] : [items];
  }

  /** `keys` in groups one command may carry: per hash slot on a cluster, else in chunks. */
  keyGroups(keys: readonly string[]): string[][] {
    return this.isCluster ? [...groupBySlot(keys, (k) => k).values()] : chunk(keys);
  }

  /** MGET of `keys` in order: one per hash slot on a cluster, all in flight at once; chunked otherwise. */
  async mget(client: RedisClient, keys: readonly string[]): Promise<(Buffer | null)[]> {
    if (this.isCluster) {
      const out = new Array<Buffer | null>(keys.length);
      await Promise.all(
        [...groupBySlot(keys.map((_, i) => i), (i) => keys[i]!).values()].map(async (group) => {
          const values = await client.mgetBuffer(...group.map((i) => keys[i]!));
          for (let j = 0; j < group.length; j += 1) out[group[j]!] = values[j] ?? null;
        }),
      );
      return out;
    }
    if (keys.length <= CHUNK) return client.mgetBuffer(...keys);
    const out: (Buffer | null)[] = [];
    for (let i = 0; i < keys.length; i += CHUNK) out.push(...(await client.mgetBuffer(...keys.slice(i, i + CHUNK))));
    return out;
  }

  /**
   * Throws `CACHE_CROSS_SLOT` when an atomic operation's keys span several hash slots of a cluster.
   *
   * @throws {@link TieredCacheError} (`CACHE_CROSS_SLOT`).
   */
  checkOneSlot(keys: readonly string[]): void {
    if (this.isCluster && new Set(keys.map(clusterSlot)).size > 1) {
      throw new TieredCacheError('An atomic operation spans several cluster slots; give its keys one hash tag such as {order:1}', 'CACHE_CROSS_SLOT', { keys });
    }
  }

  /** Every master of a cluster (SCAN is per node), or the one standalone server. */
  async scanNodes(client: RedisClient): Promise<Redis[]> {
    if (!this.isCluster) return [client as Redis];
    const cluster = client as Cluster;
    // Before its first reply a cluster client knows no nodes: a SCAN then would see an empty keyspace.
    if (cluster.status !== 'ready') await cluster.ping();
    const masters = cluster.nodes('master');
    if (masters.length === 0) throw new CacheBackendError('Redis Cluster has no reachable master to scan', { status: cluster.status });
    return masters;
  }
}

function chunk<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function groupBySlot<T>(items: readonly T[], keyOf: (item: T) => string): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const slot = clusterSlot(keyOf(item));
    const group = groups.get(slot);
    if (group === undefined) groups.set(slot, [item]);
    else group.push(item);
  }
  return groups;
}
