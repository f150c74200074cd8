import { CONNECTION_OPTIONS, parseCommandLine, type ParsedCommandLine } from './args.js';
import { classifyFailure } from './classify.js';
import { COMMANDS } from './commands/index.js';
import { CommandContext } from './context.js';
import { CLI_EXIT_CODES, CliFailure, UsageError } from './exit-codes.js';
import { commandHelp, mainHelp } from './help.js';
import type { CliIo } from './io.js';

export { CLI_EXIT_CODES } from './exit-codes.js';
export type { CliExitCode } from './exit-codes.js';
export type { CliIo, ConfirmAnswer } from './io.js';

/**
 * Runs the `patinox-cache` command line and resolves its exit code; never throws, never exits the
 * process, and closes every connection it opened.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ParsedCommandLine;
  try {
    parsed = parseCommandLine(argv);
  } catch (err) {
    return usage(io, err as UsageError);
  }
  const { command: name, values } = parsed;
  if (name === 'help' || (name === undefined && values.help === true)) {
    const topic = name === 'help' ? parsed.args[0] : undefined;
    const command = COMMANDS.find((c) => c.name === topic);
    if (topic !== undefined && command === undefined) return usage(io, new UsageError(`unknown command ${JSON.stringify(topic)}`));
    io.stdout(command === undefined ? mainHelp(COMMANDS) : commandHelp(command));
    return CLI_EXIT_CODES.ok;
  }
  if (name === undefined) return usage(io, new UsageError('no command given'));
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) return usage(io, new UsageError(`unknown command ${JSON.stringify(name)}`));
  if (values.help === true) {
    io.stdout(commandHelp(command));
    return CLI_EXIT_CODES.ok;
  }
  const foreign = parsed.given.filter((o) => !CONNECTION_OPTIONS.includes(o) && !command.options.includes(o));
  if (foreign.length > 0) return usage(io, new UsageError(`--${foreign[0]} is not an option of ${command.name}`, command.name));
  const ctx = new CommandContext(command.name, parsed.args, values, io);
  try {
    return await command.run(ctx);
  } catch (err) {
    if (err instanceof UsageError) return usage(io, err);
    let target = '(no connection)';
    let tls = false;
    try {
      target = ctx.settings.target;
      tls = ctx.settings.tls !== undefined;
    } catch {
      // Settings that cannot be resolved were reported as a usage error already.
    }
    const failure: CliFailure = classifyFailure(err, { target, tls, connected: ctx.isConnected, connectionErrors: ctx.connectionErrors });
    io.stderr(`patinox-cache: ${failure.message}`);
    return failure.exitCode;
  } finally {
    await ctx.close().catch(() => undefined);
  }
}

function usage(io: CliIo, err: UsageError): number {
  const command = COMMANDS.find((c) => c.name === err.command);
  const hint =
    command === undefined
      ? `Commands: ${COMMANDS.map((c) => c.name).join(', ')}. Run \`patinox-cache help\` for options and exit codes.`
      : `Usage: patinox-cache ${`${command.name} ${command.usage}`.trim()} [options]. Run \`patinox-cache help ${command.name}\` for options and examples.`;
  io.stderr(`patinox-cache: ${err.message}\n${hint}`);
  return CLI_EXIT_CODES.usage;
}
