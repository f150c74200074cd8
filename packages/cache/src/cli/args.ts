import { parseArgs } from 'node:util';
import { toError } from '@patinox/errors';
import { UsageError } from './exit-codes.js';

interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** `<value>` name shown in help. */
  value?: string;
  help: string;
}

/** Every option of every command; a command accepts the connection options plus those it lists. */
export const OPTIONS = {
  url: { type: 'string', short: 'u', value: 'url', help: 'redis:// or rediss:// URL; a cluster node will do (env REDIS_URL) [redis://127.0.0.1:6379]' },
  cluster: { type: 'boolean', help: 'treat the URL as a Redis Cluster startup node (detected with INFO cluster otherwise)' },
  tls: { type: 'boolean', help: 'connect with TLS (implied by rediss:// and by --cacert/--cert/--key)' },
  cacert: { type: 'string', value: 'file', help: 'PEM CA bundle that signed the server certificate (env PATINOX_REDIS_CACERT)' },
  cert: { type: 'string', value: 'file', help: 'PEM client certificate, for servers with tls-auth-clients (env PATINOX_REDIS_CERT)' },
  key: { type: 'string', value: 'file', help: 'PEM private key of --cert (env PATINOX_REDIS_KEY)' },
  user: { type: 'string', value: 'name', help: 'ACL user (env PATINOX_REDIS_USER)' },
  password: { type: 'string', value: 'secret', help: 'password; prefer env PATINOX_REDIS_PASSWORD (or REDISCLI_AUTH), kept out of shell history' },
  namespace: { type: 'string', short: 'n', value: 'ns', help: 'cache namespace (env PATINOX_CACHE_NAMESPACE)' },
  timeout: { type: 'string', short: 't', value: 'ms', help: 'deadline of connecting and of each Redis call [2000]' },
  json: { type: 'boolean', help: 'machine-readable JSON output' },
  yes: { type: 'boolean', short: 'y', help: 'do not ask for confirmation (needed without a terminal)' },
  'dry-run': { type: 'boolean', help: 'show what would change, change nothing' },
  help: { type: 'boolean', short: 'h', help: 'help (of the command, when given one)' },
  raw: { type: 'boolean', help: 'write the stored bytes as they are, undecoded' },
  ttl: { type: 'string', value: 'ms', help: 'time to live in ms; 0 or absent for none' },
  tags: { type: 'string', multiple: true, value: 'a,b', help: 'tags for invalidate-tag (comma-separated or repeated)' },
  codec: { type: 'string', value: 'name', help: 'auto, json or msgpack; auto uses the codec the namespace already holds [auto]' },
  string: { type: 'boolean', help: 'store the value as a string instead of parsing it as JSON' },
  watch: { type: 'boolean', short: 'w', help: 'refresh until Ctrl-C' },
  interval: { type: 'string', short: 'i', value: 'ms', help: 'refresh interval of --watch [2000]' },
  count: { type: 'string', value: 'n', help: 'stop after n refreshes / events' },
  'keep-existing': { type: 'boolean', help: 'keep keys that already exist instead of overwriting them' },
  'progress-interval': { type: 'string', value: 'ms', help: 'least time between progress lines on stderr; 0 for every batch [1000]' },
  channel: { type: 'string', short: 'c', value: 'name', help: 'invalidation channel [patinox:cache:invalidation]' },
} satisfies Record<string, OptionSpec>;

/** An option name. */
export type OptionName = keyof typeof OPTIONS;

/** Options every command accepts: where and how to connect, output and safety switches. */
export const CONNECTION_OPTIONS: readonly OptionName[] = ['url', 'cluster', 'tls', 'cacert', 'cert', 'key', 'user', 'password', 'timeout', 'help'];

/** Parsed option values: strings, booleans, and string lists for `multiple` options. */
export type OptionValues = { [K in OptionName]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean };

/** The command line split into command, positionals and options. */
export interface ParsedCommandLine {
  command: string | undefined;
  args: string[];
  values: OptionValues;
  /** The options actually given, in order, for per-command checks. */
  given: OptionName[];
}

/** Parses argv strictly; unknown options and missing values are usage errors naming the option. */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, tokens: true, options: OPTIONS });
  } catch (err) {
    throw new UsageError(toError(err).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const given: OptionName[] = [];
  for (const token of parsed.tokens) if (token.kind === 'option' && !given.includes(token.name)) given.push(token.name);
  const [command, ...args] = parsed.positionals;
  return { command, args, values: parsed.values, given };
}

/** The usage line of an option for help texts, e.g. `-n, --namespace <ns>`. */
export function optionUsage(name: OptionName): string {
  const spec: OptionSpec = OPTIONS[name];
  const flag = `--${name}${spec.value === undefined ? '' : ` <${spec.value}>`}`;
  return spec.short === undefined ? `    ${flag}` : `-${spec.short}, ${flag}`;
}

/** The help text of an option. */
export function optionHelp(name: OptionName): string {
  return (OPTIONS[name] as OptionSpec).help;
}

/** A positive integer or finite number option, or a usage error naming the option and the value. */
export function numberOption(name: OptionName, value: string | undefined, fallback: number, { min = 0, integer = false } = {}): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} of at least ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}
