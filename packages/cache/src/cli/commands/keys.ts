import { CLI_EXIT_CODES } from '../exit-codes.js';
import type { Command } from './command.js';

export const keysCommand: Command = {
  name: 'keys',
  usage: '[pattern]',
  summary: 'keys of the namespace matching a glob, from SCAN on every master (never KEYS)',
  options: ['namespace'],
  examples: ["patinox-cache keys 'user:*' -n users", 'patinox-cache keys -n users | wc -l'],
  async run(ctx) {
    ctx.noMoreArgs(1);
    const tier = await ctx.tier();
    let found = 0;
    for await (const key of tier.scan(ctx.args[0] ?? '*')) {
      ctx.io.stdout(key);
      found += 1;
    }
    return found === 0 ? CLI_EXIT_CODES.notFound : CLI_EXIT_CODES.ok;
  },
};
