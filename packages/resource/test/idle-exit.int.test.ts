import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';

// Real processes against the built package: whether a process ends by itself is only visible from outside.
const ESM_ENTRY = new URL('../dist/esm/index.js', import.meta.url).href;

/** Runs `code` as an ES module; a child still alive after `watchdogMs` is killed, which the caller sees as its signal. */
function runModule(code: string, watchdogMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    // --single-threaded: no V8 background thread wakes the event loop, so a timer that holds it shows.
    const child = spawn(process.execPath, ['--single-threaded', '--input-type=module', '-e', code], { cwd: tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const watchdog = setTimeout(() => child.kill('SIGKILL'), watchdogMs);
    child.once('error', reject);
    child.once('exit', (exitCode, signal) => {
      clearTimeout(watchdog);
      resolve({ code: exitCode, signal, stdout, stderr });
    });
  });
}

describe('an idle process', () => {
  it('exits once its async cleanups have succeeded, without waiting for their timeout', async () => {
    // The second cleanup settles in the macrotask that started it. The shared 60 s timeout timer must not
    // hold the process once nothing is pending. The watchdog (4 s) is far below that timeout.
    // No output: a write to the stdout pipe would itself wake the event loop and hide a held one.
    const script = `
      const { ResourceRegistry } = await import(${JSON.stringify(ESM_ENTRY)});
      const registry = new ResourceRegistry({ timeoutMs: 60_000 });
      const first = registry.guard('a', () => new Promise((resolve) => setTimeout(resolve, 10)));
      await first.cleanup();
      const second = registry.guard('b', async () => {});
      await second.cleanup();
      process.exitCode = registry.stats().cleaned === 2 ? 0 : 3;
    `;
    const result = await runModule(script, 4000);
    expect(result).toMatchObject({ code: 0, signal: null, stderr: '' });
  });
});
