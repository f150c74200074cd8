import { numberOption } from '../args.js';
import { CLI_EXIT_CODES } from '../exit-codes.js';
import { ObservedBackend } from '../observed-backend.js';
import { Progress } from '../progress.js';
import { readSnapshotKeys } from '../snapshot-file.js';
import type { Command } from './command.js';

export const importCommand: Command = {
  name: 'import',
  usage: '<file>',
  summary: 'load a snapshot file into the namespace, then tell every instance to drop its L1',
  details: [
    'Entries keep the TTL they had left when exported. Keys that already exist are overwritten (asked',
    'first, refused without a terminal unless --yes), or kept with --keep-existing. --dry-run counts the',
    'entries and tags of the file and how many existing keys it would overwrite.',
  ],
  options: ['namespace', 'yes', 'dry-run', 'keep-existing', 'progress-interval', 'json', 'channel'],
  examples: ['patinox-cache import users.snapshot -n users --dry-run', 'patinox-cache import users.snapshot -n users --yes', 'patinox-cache import users.snapshot -n users-copy --keep-existing'],
  async run(ctx) {
    const path = ctx.arg(0, 'file');
    ctx.noMoreArgs(1);
    const intervalMs = numberOption('progress-interval', ctx.values['progress-interval'], 1000, { min: 0 });
    const namespace = ctx.namespace();
    const keep = ctx.flag('keep-existing');
    const tier = await ctx.tier();
    // Overwrites are only possible when the namespace holds something: skip the EXISTS pass otherwise.
    let occupied = false;
    for await (const _ of tier.scan('*', { batchSize: 100 })) {
      occupied = true;
      break;
    }
    let existing = 0;
    const summary = await readSnapshotKeys(path, async (keys) => {
      if (!occupied) return;
      const found = await Promise.all(keys.map((k) => tier.exists(k)));
      existing += found.filter(Boolean).length;
    });
    const plan = { namespace, file: path, from: summary.namespace, entries: summary.entries, tags: summary.tags, existing, overwrite: keep ? 0 : existing };
    if (ctx.flag('dry-run')) {
      ctx.printJson({ dryRun: true, ...plan });
      return CLI_EXIT_CODES.ok;
    }
    if (existing > 0 && !keep) {
      await ctx.confirm(`Overwrite ${existing} existing keys of namespace ${namespace} at ${ctx.settings.target} with ${path}?`);
    }
    const connection = await ctx.connect();
    const progress = new Progress(ctx.io, 'imported', intervalMs, summary.entries);
    const observed = await ctx.tier({ l2: new ObservedBackend(connection.backend, () => undefined, (n) => progress.add(n)) });
    const info = await observed.importSnapshot(path, { overwrite: !keep });
    progress.done();
    ctx.printJson({ ...info, overwritten: keep ? 0 : existing });
    return CLI_EXIT_CODES.ok;
  },
};
