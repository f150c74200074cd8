import { numberOption } from '../args.js';
import { CLI_EXIT_CODES } from '../exit-codes.js';
import { ObservedBackend } from '../observed-backend.js';
import { Progress } from '../progress.js';
import type { Command } from './command.js';

export const exportCommand: Command = {
  name: 'export',
  usage: '<file>',
  summary: 'write every entry (bytes and remaining TTL) and tag of the namespace to a snapshot file',
  details: [
    'The file is the snapshot format of TieredCache.exportSnapshot (JSON lines), written to a temp file',
    'and renamed, so an interrupted export never leaves a truncated snapshot. Progress goes to stderr.',
  ],
  options: ['namespace', 'progress-interval', 'json'],
  examples: ['patinox-cache export users.snapshot -n users', 'patinox-cache export /backups/users-$(date +%F).jsonl -n users'],
  async run(ctx) {
    const path = ctx.arg(0, 'file');
    ctx.noMoreArgs(1);
    const intervalMs = numberOption('progress-interval', ctx.values['progress-interval'], 1000, { min: 0 });
    const connection = await ctx.connect();
    const progress = new Progress(ctx.io, 'exported', intervalMs);
    const tier = await ctx.tier({ l2: new ObservedBackend(connection.backend, (n) => progress.add(n), () => undefined) });
    const info = await tier.exportSnapshot(path);
    progress.done();
    ctx.printJson(info);
    return CLI_EXIT_CODES.ok;
  },
};
