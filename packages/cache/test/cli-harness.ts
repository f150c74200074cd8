import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliIo, type ConfirmAnswer } from '../src/cli/run.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The built bin, as npm links it. */
export const bin = join(here, '..', 'dist', 'esm', 'cli', 'patinox-cache.js');

export interface CliResult {
  code: number;
  out: string[];
  err: string[];
  bytes: Buffer[];
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  confirm?: ConfirmAnswer;
  stdin?: string;
  signal?: AbortSignal;
  onStderr?: (line: string) => void;
  onStdout?: (line: string) => void;
  tty?: boolean;
  now?: () => number;
}

/** Runs the CLI in this process with captured IO. */
export async function cli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const bytes: Buffer[] = [];
  const io: CliIo = {
    stdout: (l) => {
      out.push(l);
      options.onStdout?.(l);
    },
    stdoutBytes: (b) => bytes.push(Buffer.from(b)),
    stdoutRaw: (t) => out.push(t),
    stderr: (l) => {
      err.push(l);
      options.onStderr?.(l);
    },
    stderrRaw: (t) => err.push(t),
    env: options.env ?? {},
    signal: options.signal,
    isStdoutTty: options.tty,
    isStderrTty: options.tty,
    confirm: options.confirm === undefined ? undefined : async () => options.confirm!,
    readStdin: async () => options.stdin,
    now: options.now,
  };
  const code = await runCli(args, io);
  return { code, out, err, bytes };
}

/** Parses the JSON a command printed on stdout; its shape is what the test asserts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function json(result: CliResult): any {
  return JSON.parse(result.out.join('\n'));
}

export interface BinResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawns the built bin; `onStdout` sees output as it comes (and may signal the child). */
export function runBin(
  args: string[],
  options: { env?: Record<string, string | undefined>; stdin?: string; nodeArgs?: string[]; onStdout?: (text: string, child: ReturnType<typeof spawn>) => void } = {},
): Promise<BinResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], { env: { PATH: process.env.PATH, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}
