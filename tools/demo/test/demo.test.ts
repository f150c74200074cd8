import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '../dist/esm/main.js');
const SMALL = ['--records', '20000', '--requests', '3000'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built demo with `args` and the given extra environment; never rejects. */
function demo(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const childEnv = { ...process.env, REDIS_URL: undefined, DATABASE_URL: undefined, ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: childEnv, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

/** Checks what every successful run must show: counts, hit rate, the rules rollout, a complete cleanup. */
function expectHealthySummary(run: Run, requests: number): void {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(new RegExp(`requests\\s+${requests.toLocaleString('en-US')} in [\\d.]+ s \\([\\d,]+/s\\), 0 failed`));
  const hitRate = Number(/hit rate\s+([\d.]+) %/.exec(run.stdout)?.[1]);
  expect(hitRate).toBeGreaterThan(20);
  expect(hitRate).toBeLessThan(95);
  expect(run.stdout).toMatch(/rules\s+v1 → v2 after 1,500 requests/);
  expect(run.stdout).toMatch(/Cleaned up \d+ resources in [\d.]+ ms, 0 failed/);
  const dir = /temp dir {2}removed: (\S+)/.exec(run.stdout)?.[1];
  expect(dir).toBeDefined();
  expect(existsSync(dir!)).toBe(false);
}

describe('pnpm demo', () => {
  it('prices a Zipf request stream on worker threads, rolls out new rules and cleans everything up', async () => {
    const run = await demo(SMALL);
    expectHealthySummary(run, 3000);
    expect(run.stdout).toMatch(/seen by (\d)\/\1 workers/);
    expect(run.stdout).toMatch(/#1\s+[\d,]+\s+v1 → v2/);
    expect(run.stdout).toMatch(/✓ pricing worker ×\d/);
    expect(run.stdout).toMatch(/✓ mapping of catalog.bin/);
    expect(run.stdout).toMatch(/✓ temp file catalog.bin/);
  });

  it('rejects an unknown flag with exit code 2 and the usage', async () => {
    const run = await demo(['--request', '10']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/patinox demo: Unknown option '--request'/);
    expect(run.stderr).toMatch(/Usage: pnpm demo/);
    expect(run.stdout).toBe('');
  });

  it('rejects a flag value out of range with exit code 2', async () => {
    const run = await demo(['--records', '5']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Expected --records to be an integer from 1000 to/);
  });
});
