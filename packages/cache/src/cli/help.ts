import { CONNECTION_OPTIONS, optionHelp, optionUsage, type OptionName } from './args.js';
import type { Command } from './commands/command.js';
import { CLI_EXIT_CODES } from './exit-codes.js';

const EXIT_CODE_HELP: Record<keyof typeof CLI_EXIT_CODES, string> = {
  ok: 'ok',
  notFound: 'not found (get, keys, delete)',
  usage: 'usage error',
  unavailable: 'Redis unreachable (refused, timeout, closed)',
  failed: 'failed (undecodable value, missing optional package, bad snapshot)',
  authFailed: 'authentication failed (WRONGPASS, NOAUTH)',
  tlsFailed: 'TLS handshake failed (certificate not trusted, client certificate missing or refused)',
  noPermission: 'ACL permission denied (NOPERM)',
  notConfirmed: 'dangerous command not confirmed',
};

function optionLines(names: readonly OptionName[]): string[] {
  const width = Math.max(...names.map((n) => optionUsage(n).length));
  return names.map((n) => `  ${optionUsage(n).padEnd(width)}  ${optionHelp(n)}`);
}

function exitCodeLines(): string[] {
  return Object.entries(CLI_EXIT_CODES).map(([name, code]) => `  ${String(code).padStart(2)}  ${EXIT_CODE_HELP[name as keyof typeof CLI_EXIT_CODES]}`);
}

/** The overview: every command, the connection options, the exit codes. */
export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => `${c.name} ${c.usage}`.trim().length));
  return [
    'Usage: patinox-cache <command> [options]',
    '       patinox-cache help <command>',
    '',
    'Inspect and operate the Redis tier of @patinox/cache: standalone Redis or Redis Cluster, TLS, ACL users.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${`${c.name} ${c.usage}`.trim().padEnd(width)}  ${c.summary}`),
    '',
    'Connection options (every command):',
    ...optionLines(CONNECTION_OPTIONS),
    '',
    'Exit codes:',
    ...exitCodeLines(),
    '',
    'Example:',
    '  PATINOX_REDIS_PASSWORD=... patinox-cache stats --url rediss://ops@cache:6380 --cacert ca.pem -n users',
  ].join('\n');
}

/** The help of one command, with its options and examples. */
export function commandHelp(command: Command): string {
  return [
    `Usage: patinox-cache ${`${command.name} ${command.usage}`.trim()} [options]`,
    '',
    `${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.`,
    ...(command.details === undefined ? [] : ['', ...command.details]),
    '',
    'Options:',
    ...optionLines(command.options),
    '',
    'Connection options:',
    ...optionLines(CONNECTION_OPTIONS),
    '',
    'Examples:',
    ...command.examples.map((e) => `  ${e}`),
  ].join('\n');
}
