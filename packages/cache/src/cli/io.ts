/** Answer of {@link CliIo.confirm}: `'no-tty'` when there is no terminal to ask. */
export type ConfirmAnswer = 'yes' | 'no' | 'no-tty';

/** Where the CLI reads and writes; the process by default, swapped in tests. */
export interface CliIo {
  /** One line of output (a newline is added). */
  stdout: (line: string) => void;
  /** Bytes written to stdout as they are (`get --raw`). @default stdout of the bytes as latin1 */
  stdoutBytes?: (bytes: Uint8Array) => void;
  /** One line of diagnostics or progress (a newline is added). */
  stderr: (line: string) => void;
  env: Record<string, string | undefined>;
  /** Aborted when the user interrupts (Ctrl-C); watching commands stop cleanly on it. */
  signal?: AbortSignal;
  /** Whether stdout is a terminal: `stats --watch` redraws the screen only then. @default false */
  isStdoutTty?: boolean;
  /** Whether stderr is a terminal: progress rewrites one line only then. @default false */
  isStderrTty?: boolean;
  /** Asks a yes/no question on the terminal. @default always 'no-tty' */
  confirm?: (question: string) => Promise<ConfirmAnswer>;
  /** All of stdin as text, or undefined when stdin is a terminal. @default undefined */
  readStdin?: () => Promise<string | undefined>;
  /** Writes without a newline (progress on a terminal, screen redraws). @default stderr */
  stderrRaw?: (text: string) => void;
  /** Writes without a newline to stdout (screen redraws). @default stdout */
  stdoutRaw?: (text: string) => void;
  /** Wall clock in ms, for rates and progress throttling. @default Date.now */
  now?: () => number;
}
