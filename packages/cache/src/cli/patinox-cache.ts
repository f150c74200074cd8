#!/usr/bin/env node
import { runCli } from './run.js';

const interrupted = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
void runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  interrupted,
}).then((code) => {
  process.exitCode = code;
  // Open handles (SIGINT listener) must not keep a finished command alive.
  process.removeAllListeners('SIGINT');
});
