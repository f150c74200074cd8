import { deadline } from '../connect.js';
import { decodeValue, toJson } from '../decode.js';
import { CLI_EXIT_CODES } from '../exit-codes.js';
import type { Command } from './command.js';

export const getCommand: Command = {
  name: 'get',
  usage: '<key>',
  summary: 'the value of a key, decoded with the codec that wrote it, as JSON',
  details: [
    'Prints { key, ttlMs, codec, compressed, value }. BigInt becomes a decimal string, Set an array,',
    'Map an object, bytes { base64 }. msgpackr and lz4-napi are loaded only for values that need them.',
    'With --raw, the stored bytes (header byte included) go to stdout as they are.',
  ],
  options: ['namespace', 'raw', 'json'],
  examples: ['patinox-cache get user:1 -n users', 'patinox-cache get user:1 -n users --raw | xxd | head'],
  async run(ctx) {
    const key = ctx.arg(0, 'key');
    ctx.noMoreArgs(1);
    const layout = await ctx.layout();
    const connection = await ctx.connect();
    const l2Key = layout.entryKey(key);
    const [bytes, ttl] = await deadline(Promise.all([connection.backend.get(l2Key), connection.backend.ttl(l2Key)]), connection.settings, 'GET');
    if (bytes === null) {
      ctx.io.stderr(`patinox-cache: no key ${JSON.stringify(key)} in namespace ${ctx.namespace()}`);
      return CLI_EXIT_CODES.notFound;
    }
    if (ctx.flag('raw')) {
      if (ctx.io.stdoutBytes !== undefined) ctx.io.stdoutBytes(bytes);
      else ctx.io.stdout(bytes.toString('latin1'));
      return CLI_EXIT_CODES.ok;
    }
    const { header, value } = await decodeValue(bytes, key);
    ctx.printJson({ key, ttlMs: ttl !== null && ttl > 0 ? ttl : null, codec: header?.codec ?? null, compressed: header?.compressed ?? false, value: toJson(value) });
    return CLI_EXIT_CODES.ok;
  },
};
