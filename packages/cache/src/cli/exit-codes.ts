/**
 * Exit codes of `patinox-cache`; stable, for scripts. Each failure an operator fixes differently has its
 * own code: a wrong password is not a dead server, and an untrusted certificate is neither.
 */
export const CLI_EXIT_CODES = Object.freeze({
  ok: 0,
  /** `get` of a missing key, `keys` that matched nothing. */
  notFound: 1,
  /** Unknown command, missing argument, bad option or option value, unreadable certificate file. */
  usage: 2,
  /** Redis did not answer: connection refused, timeout, closed, no cluster master reachable. */
  unavailable: 3,
  /** Anything else: an undecodable value, a missing optional package, an unreadable snapshot. */
  failed: 4,
  /** Redis refused the credentials (WRONGPASS, NOAUTH). */
  authFailed: 5,
  /** The TLS handshake failed: untrusted or mismatched certificate, client certificate missing or refused. */
  tlsFailed: 6,
  /** The ACL user may not run the command or touch the key (NOPERM). */
  noPermission: 7,
  /** A dangerous command was not confirmed: answered no, or no terminal to ask and no `--yes`. */
  notConfirmed: 8,
});

/** One of {@link CLI_EXIT_CODES}. */
export type CliExitCode = (typeof CLI_EXIT_CODES)[keyof typeof CLI_EXIT_CODES];

/** A failure the CLI reports with its own exit code and a message that says what to do. */
export class CliFailure extends Error {
  override readonly name: string = 'CliFailure';
  constructor(
    message: string,
    readonly exitCode: CliExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A mistake in the command line; reported with the command's help and exit code 2. */
export class UsageError extends CliFailure {
  override readonly name: string = 'UsageError';
  constructor(
    message: string,
    /** The command whose help to print, when known. */
    readonly command?: string,
  ) {
    super(message, CLI_EXIT_CODES.usage);
  }
}
