import { CLI_EXIT_CODES } from '../exit-codes.js';
import { Connection, deadline } from '../connect.js';
import { countPerNode, parseInfo, round } from '../node-stats.js';
import type { Command } from './command.js';

export const statusCommand: Command = {
  name: 'status',
  usage: '',
  summary: 'ping Redis; show the server, the topology and the namespace size per node',
  options: ['namespace', 'json'],
  examples: ['patinox-cache status', 'patinox-cache status --url rediss://cache.internal:6380 --cacert ca.pem -n users --json'],
  async run(ctx) {
    ctx.noMoreArgs(0);
    const namespace = ctx.values.namespace ?? ctx.io.env.PATINOX_CACHE_NAMESPACE;
    const connection = await ctx.connect();
    const latencyMs = await deadline(connection.backend.ping(), connection.settings, 'PING');
    const node = connection.masters()[0]!;
    const info = parseInfo(await deadline(node.info('server'), connection.settings, 'INFO server'));
    const out: Record<string, unknown> = {
      target: connection.settings.target,
      status: 'up',
      mode: connection.isCluster ? 'cluster' : 'standalone',
      version: info.redis_version,
      latencyMs: round(latencyMs),
    };
    let clusterState: string | undefined;
    if (connection.isCluster) {
      clusterState = parseInfo(await deadline(node.cluster('INFO'), connection.settings, 'CLUSTER INFO')).cluster_state;
      out.clusterState = clusterState;
    }
    const nodes: { address: string; keys?: number }[] =
      namespace === undefined ? connection.masters().map((n) => ({ address: Connection.address(n) })) : await countPerNode(connection, namespace);
    out.nodes = nodes;
    if (namespace !== undefined) out.namespace = { name: namespace, keys: nodes.reduce((a, n) => a + (n.keys ?? 0), 0) };
    if (ctx.flag('json')) {
      ctx.printJson(out);
      return CLI_EXIT_CODES.ok;
    }
    const head = `${String(out.target)}  up  ${String(out.mode)}${clusterState === undefined ? '' : ` (${clusterState})`}  Redis ${String(out.version)}  ${String(out.latencyMs)} ms`;
    ctx.io.stdout(head);
    if (namespace !== undefined) ctx.io.stdout(`namespace ${namespace}: ${(out.namespace as { keys: number }).keys} keys`);
    for (const n of nodes) ctx.io.stdout(`  ${n.address}${n.keys === undefined ? '' : `  ${n.keys} keys`}`);
    return CLI_EXIT_CODES.ok;
  },
};
