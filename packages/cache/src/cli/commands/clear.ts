import { CLI_EXIT_CODES } from '../exit-codes.js';
import { countPerNode } from '../node-stats.js';
import type { Command } from './command.js';

export const clearCommand: Command = {
  name: 'clear',
  usage: '',
  summary: 'delete every key of the namespace (SCAN + UNLINK on every master, never FLUSHDB); asks first',
  details: ['Asks for confirmation on a terminal; without one it refuses unless --yes (exit code 8).'],
  options: ['namespace', 'yes', 'dry-run', 'json', 'channel'],
  examples: ['patinox-cache clear -n users', 'patinox-cache clear -n users --dry-run', 'patinox-cache clear -n users --yes   # in scripts'],
  async run(ctx) {
    ctx.noMoreArgs(0);
    const namespace = ctx.namespace();
    const nodes = await countPerNode(await ctx.connect(), namespace);
    const keys = nodes.reduce((a, n) => a + n.keys, 0);
    if (ctx.flag('dry-run')) {
      ctx.printJson({ dryRun: true, namespace, wouldRemove: keys, nodes });
      return CLI_EXIT_CODES.ok;
    }
    await ctx.confirm(`Delete all ${keys} keys of namespace ${namespace} at ${ctx.settings.target}?`);
    const tier = await ctx.tier();
    const removed = await tier.clear();
    ctx.printJson({ namespace, removed });
    return CLI_EXIT_CODES.ok;
  },
};
