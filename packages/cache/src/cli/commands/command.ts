import type { OptionName } from '../args.js';
import type { CommandContext } from '../context.js';

/** One `patinox-cache` command: its help, the options it takes beyond the connection ones, and its run. */
export interface Command {
  readonly name: string;
  /** Arguments after the name, e.g. `<key> [json]`. */
  readonly usage: string;
  readonly summary: string;
  /** More help lines: what it does exactly, what it changes. */
  readonly details?: readonly string[];
  readonly options: readonly OptionName[];
  readonly examples: readonly string[];
  /** Resolves the exit code; throws CliFailure / UsageError (or any error, classified by the caller). */
  run(ctx: CommandContext): Promise<number>;
}
