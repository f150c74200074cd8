import type { Redis } from 'ioredis';
import { RedisBackend } from '../backends/redis-backend.js';
import { jsonCodec } from '../serialization/codec.js';
import { Serializer } from '../serialization/serializer.js';
import { TieredCache } from '../tiered/tiered-cache.js';
import { Connection, deadline } from './connect.js';

/** Figures of one Redis server (a cluster master, or the standalone server). */
export interface NodeStats {
  address: string;
  version: string;
  keyspaceHits: number;
  keyspaceMisses: number;
  /** hits / (hits + misses), 0 before any read. */
  hitRate: number;
  evictedKeys: number;
  expiredKeys: number;
  usedMemoryBytes: number;
  opsPerSec: number;
  connectedClients: number;
  /** Keys of the namespace on this node, when a namespace was given. */
  namespaceKeys?: number;
}

/** INFO of every master, with the namespace's key count per node. */
export async function collectNodeStats(connection: Connection, namespace: string | undefined): Promise<NodeStats[]> {
  const masters = connection.masters();
  return Promise.all(
    masters.map(async (node) => {
      const info = parseInfo(await deadline(node.info(), connection.settings, `INFO on ${Connection.address(node)}`));
      const num = (name: string): number => Number(info[name] ?? 0);
      const hits = num('keyspace_hits');
      const misses = num('keyspace_misses');
      const stats: NodeStats = {
        address: Connection.address(node),
        version: info.redis_version ?? 'unknown',
        keyspaceHits: hits,
        keyspaceMisses: misses,
        hitRate: hits + misses === 0 ? 0 : round(hits / (hits + misses)),
        evictedKeys: num('evicted_keys'),
        expiredKeys: num('expired_keys'),
        usedMemoryBytes: num('used_memory'),
        opsPerSec: num('instantaneous_ops_per_sec'),
        connectedClients: num('connected_clients'),
      };
      if (namespace !== undefined) stats.namespaceKeys = await countOnNode(node, namespace, connection.settings.timeoutMs);
      return stats;
    }),
  );
}

/** Keys of the namespace on every master, e.g. `[{ address: '10.0.0.5:6379', keys: 12 }]`. */
export async function countPerNode(connection: Connection, namespace: string): Promise<{ address: string; keys: number }[]> {
  return Promise.all(connection.masters().map(async (node) => ({ address: Connection.address(node), keys: await countOnNode(node, namespace, connection.settings.timeoutMs) })));
}

/** Sums of the per-node figures; the hit rate is recomputed from the sums. */
export function totals(nodes: readonly NodeStats[]): Omit<NodeStats, 'address' | 'version'> {
  const sum = (pick: (n: NodeStats) => number | undefined): number => nodes.reduce((a, n) => a + (pick(n) ?? 0), 0);
  const hits = sum((n) => n.keyspaceHits);
  const misses = sum((n) => n.keyspaceMisses);
  const out: Omit<NodeStats, 'address' | 'version'> = {
    keyspaceHits: hits,
    keyspaceMisses: misses,
    hitRate: hits + misses === 0 ? 0 : round(hits / (hits + misses)),
    evictedKeys: sum((n) => n.evictedKeys),
    expiredKeys: sum((n) => n.expiredKeys),
    usedMemoryBytes: sum((n) => n.usedMemoryBytes),
    opsPerSec: sum((n) => n.opsPerSec),
    connectedClients: sum((n) => n.connectedClients),
  };
  if (nodes.some((n) => n.namespaceKeys !== undefined)) out.namespaceKeys = sum((n) => n.namespaceKeys);
  return out;
}

// The tier's own scan, on a backend bound to one node: counts exactly what the tier calls entries,
// whatever its key layout, without hard-coding a prefix here.
async function countOnNode(node: Redis, namespace: string, timeoutMs: number): Promise<number> {
  const tier = new TieredCache({
    l2: new RedisBackend({ client: node }),
    namespace,
    l1: false,
    bus: false,
    circuitBreaker: false,
    operationTimeoutMs: timeoutMs,
    serializer: new Serializer({ codec: jsonCodec }),
  });
  try {
    let n = 0;
    for await (const _ of tier.scan('*')) n += 1;
    return n;
  } finally {
    await tier.close();
  }
}

/** `INFO` text as a record of its `name:value` lines. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
