import { CLI_EXIT_CODES } from '../exit-codes.js';
import type { Command } from './command.js';

export const deleteCommand: Command = {
  name: 'delete',
  usage: '<key> [key...]',
  summary: 'delete keys and tell every instance to drop its copy; exit code 1 when none existed',
  options: ['namespace', 'dry-run', 'json'],
  examples: ['patinox-cache delete user:1 user:2 -n users', 'patinox-cache delete user:1 -n users --dry-run'],
  async run(ctx) {
    ctx.arg(0, 'key');
    const tier = await ctx.tier();
    const keys = [...new Set(ctx.args)];
    if (ctx.flag('dry-run')) {
      const existing = (await Promise.all(keys.map(async (k) => ((await tier.exists(k)) ? k : undefined)))).filter((k) => k !== undefined);
      ctx.printJson({ dryRun: true, wouldDelete: existing, missing: keys.filter((k) => !existing.includes(k)) });
      return existing.length === 0 ? CLI_EXIT_CODES.notFound : CLI_EXIT_CODES.ok;
    }
    const results = await Promise.all(keys.map((k) => tier.delete(k)));
    const deleted = keys.filter((_, i) => results[i]);
    ctx.printJson({ deleted, missing: keys.filter((_, i) => !results[i]) });
    return deleted.length === 0 ? CLI_EXIT_CODES.notFound : CLI_EXIT_CODES.ok;
  },
};
