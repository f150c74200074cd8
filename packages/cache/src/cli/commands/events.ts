import { RedisBus } from '../../backends/redis-bus.js';
import { numberOption } from '../args.js';
import { deadline } from '../connect.js';
import { CLI_EXIT_CODES, UsageError } from '../exit-codes.js';
import type { Command } from './command.js';

export const eventsCommand: Command = {
  name: 'events',
  usage: 'tail',
  summary: 'print invalidation events as JSON lines until Ctrl-C (or --count events)',
  options: ['namespace', 'channel', 'count'],
  examples: ['patinox-cache events tail -n users', 'patinox-cache events tail --count 10 > events.jsonl'],
  async run(ctx) {
    if (ctx.args[0] !== 'tail') throw new UsageError(`unknown events subcommand ${JSON.stringify(ctx.args[0] ?? '')}; try "events tail"`, 'events');
    ctx.noMoreArgs(1);
    const count = numberOption('count', ctx.values.count, Infinity, { min: 1, integer: true });
    const namespace = ctx.values.namespace ?? ctx.io.env.PATINOX_CACHE_NAMESPACE;
    const connection = await ctx.connect();
    const bus = new RedisBus({ client: connection.client, channel: ctx.values.channel });
    try {
      await deadline(bus.ready, connection.settings, `SUBSCRIBE ${bus.channel}`);
      ctx.io.stderr(`patinox-cache: listening on ${bus.channel}${namespace === undefined ? '' : ` for namespace ${namespace}`}; Ctrl-C to stop`);
      let seen = 0;
      await new Promise<void>((resolve) => {
        const signal = ctx.io.signal;
        if (signal?.aborted === true) return resolve();
        signal?.addEventListener('abort', () => resolve(), { once: true });
        bus.subscribe({
          onMessage: (message) => {
            if (seen >= count || (namespace !== undefined && message.namespace !== namespace)) return;
            ctx.io.stdout(JSON.stringify({ ...message, receivedAt: Date.now() }));
            seen += 1;
            if (seen >= count) resolve();
          },
          onStateChange: (state) => ctx.io.stderr(`patinox-cache: bus ${state}`),
        });
      });
    } finally {
      await bus.close();
    }
    return CLI_EXIT_CODES.ok;
  },
};
