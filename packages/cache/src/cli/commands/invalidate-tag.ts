import { deadline } from '../connect.js';
import { CLI_EXIT_CODES } from '../exit-codes.js';
import type { Command } from './command.js';

export const invalidateTagCommand: Command = {
  name: 'invalidate-tag',
  usage: '<tag>',
  summary: 'delete every key tagged <tag> and tell every instance',
  options: ['namespace', 'dry-run', 'json', 'channel'],
  examples: ['patinox-cache invalidate-tag team:1 -n users', 'patinox-cache invalidate-tag team:1 -n users --dry-run'],
  async run(ctx) {
    const tag = ctx.arg(0, 'tag');
    ctx.noMoreArgs(1);
    const namespace = ctx.namespace();
    if (ctx.flag('dry-run')) {
      const layout = await ctx.layout();
      const connection = await ctx.connect();
      const members = await deadline(connection.backend.setMembers(layout.tagKey(tag)), connection.settings, 'SMEMBERS');
      const tier = await ctx.tier();
      const existing = (await Promise.all(members.map(async (k) => ((await tier.exists(k)) ? k : undefined)))).filter((k) => k !== undefined).sort();
      ctx.printJson({ dryRun: true, namespace, tag, wouldRemove: existing.length, keys: existing });
      return CLI_EXIT_CODES.ok;
    }
    const tier = await ctx.tier();
    const removed = await tier.invalidateTag(tag);
    ctx.io.stdout(JSON.stringify({ namespace, tag, removed }));
    return CLI_EXIT_CODES.ok;
  },
};
