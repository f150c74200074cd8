import { toError } from '@patinox/errors';
import { numberOption } from '../args.js';
import type { CommandContext } from '../context.js';
import { deadline } from '../connect.js';
import { hasMsgpack, readHeader, writerFor } from '../decode.js';
import { CLI_EXIT_CODES, UsageError } from '../exit-codes.js';
import type { Command } from './command.js';

export const setCommand: Command = {
  name: 'set',
  usage: '<key> [json]',
  summary: 'store a value (JSON argument, or JSON on stdin) and tell every instance to drop its copy',
  details: [
    '--codec auto writes with the codec of the value already under the key, else of another key of the',
    'namespace, else MessagePack when msgpackr is installed (the TieredCache default), else JSON, so the',
    "application can read what the CLI wrote. Values are never compressed. --string stores the text as is.",
  ],
  options: ['namespace', 'ttl', 'tags', 'codec', 'string', 'dry-run', 'json'],
  examples: [
    `patinox-cache set user:1 '{"name":"Ada"}' --ttl 60000 --tags team:1 -n users`,
    'curl -s https://api/users/1 | patinox-cache set user:1 -n users',
    'patinox-cache set greeting hello --string -n users',
  ],
  async run(ctx) {
    const key = ctx.arg(0, 'key');
    ctx.noMoreArgs(2);
    const ttlMs = numberOption('ttl', ctx.values.ttl, 0, { min: 0 });
    const tags = (ctx.values.tags ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter((t) => t.length > 0);
    const codecFlag = ctx.values.codec ?? 'auto';
    if (codecFlag !== 'auto' && codecFlag !== 'json' && codecFlag !== 'msgpack') throw new UsageError(`--codec must be auto, json or msgpack, got ${JSON.stringify(codecFlag)}`, 'set');
    const value = await readValue(ctx);
    const codec = codecFlag === 'auto' ? await detectCodec(ctx, key) : codecFlag;
    const summary = { key, codec, ttlMs: ttlMs > 0 ? ttlMs : null, tags };
    if (ctx.flag('dry-run')) {
      ctx.printJson({ dryRun: true, ...summary, value });
      return CLI_EXIT_CODES.ok;
    }
    const tier = await ctx.tier({ serializer: await writerFor(codec) });
    await tier.set(key, value, { ttlMs, tags });
    ctx.printJson(summary);
    return CLI_EXIT_CODES.ok;
  },
};

async function readValue(ctx: CommandContext): Promise<unknown> {
  let text = ctx.args[1];
  if (text === undefined) {
    text = await ctx.io.readStdin?.();
    if (text === undefined) throw new UsageError('set needs the value: give it as an argument, or pipe it on stdin', 'set');
    // A trailing newline from echo or a file is not part of the value.
    text = text.replace(/\r?\n$/, '');
  }
  if (ctx.flag('string')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`the value is not JSON (${toError(err).message}); quote a string as '"text"' or pass --string`, 'set');
  }
}

async function detectCodec(ctx: CommandContext, key: string): Promise<'json' | 'msgpack'> {
  const layout = await ctx.layout();
  const connection = await ctx.connect();
  const known = (bytes: Buffer | null): 'json' | 'msgpack' | undefined => {
    const codec = bytes === null ? undefined : readHeader(bytes)?.codec;
    return codec === 'json' || codec === 'msgpack' ? codec : undefined;
  };
  const own = known(await deadline(connection.backend.get(layout.entryKey(key)), connection.settings, 'GET'));
  if (own !== undefined) return own;
  const tier = await ctx.tier();
  let looked = 0;
  for await (const other of tier.scan('*', { batchSize: 100 })) {
    const codec = known(await deadline(connection.backend.get(layout.entryKey(other)), connection.settings, 'GET'));
    if (codec !== undefined) return codec;
    // Counters carry no codec; a few samples are enough to find a value that does.
    if ((looked += 1) >= 20) break;
  }
  return (await hasMsgpack()) ? 'msgpack' : 'json';
}
