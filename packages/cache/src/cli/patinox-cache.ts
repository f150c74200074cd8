#!/usr/bin/env node
import { createInterface } from 'node:readline/promises';
import { parseCommandLine } from './args.js';
import { runCli } from './run.js';
import type { ConfirmAnswer } from './io.js';

// The first Ctrl-C asks the running command to stop (watch and tail end cleanly); commands that are
// not watching end at once with 130, and so does a second Ctrl-C.
const controller = new AbortController();
let stoppable = false;
const onSigint = (): void => {
  if (controller.signal.aborted || !stoppable) process.exit(130);
  controller.abort();
};
process.on('SIGINT', onSigint);
const argv = process.argv.slice(2);
try {
  const { command, values } = parseCommandLine(argv);
  stoppable = command === 'events' || (command === 'stats' && values.watch === true);
} catch {
  // runCli reports the usage error.
}

async function confirm(question: string): Promise<ConfirmAnswer> {
  if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) return 'no-tty';
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim()) ? 'yes' : 'no';
  } finally {
    rl.close();
  }
}

async function readStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY === true) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

void runCli(argv, {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stdoutBytes: (bytes) => process.stdout.write(bytes),
  stdoutRaw: (text) => process.stdout.write(text),
  stderr: (line) => process.stderr.write(`${line}\n`),
  stderrRaw: (text) => process.stderr.write(text),
  env: process.env,
  signal: controller.signal,
  isStdoutTty: process.stdout.isTTY === true,
  isStderrTty: process.stderr.isTTY === true,
  confirm,
  readStdin,
}).then((code) => {
  process.exitCode = code;
  // The SIGINT listener must not keep a finished command alive.
  process.off('SIGINT', onSigint);
});
