import { spawn } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { postgresUrl } from '@patinox/test-servers';

// pg.Pool's `allowExitOnIdle`: once every client is idle, the pool holds nothing that keeps the process
// alive. Checked in a child process against the built subpath: only a process of its own can show that
// it exits by itself (inside jest, jest's own handles keep the loop alive).
const DIST = new URL('../dist/esm/pg/index.js', import.meta.url).href;
const CHILD = `
  const { createPgPool } = await import(process.argv[1]);
  const allowExitOnIdle = process.argv[3] === 'true';
  // idleTimeoutMillis far beyond the test: only allowExitOnIdle can let this process end early.
  const pool = createPgPool({ connectionString: process.argv[2], min: 1, max: 2, idleTimeoutMillis: 60000, allowExitOnIdle });
  await pool.query('SELECT 1');
  const client = await pool.connect();
  // A borrowed client keeps the process alive until it is released.
  setTimeout(() => client.release(), 50).unref();
  await client.query('SELECT 2');
  console.log('done');
`;

/** Runs the child; resolves with its exit code, or 'killed' when it was still running after `limitMs`. */
function runChild(allowExitOnIdle: boolean, limitMs: number): Promise<{ exit: number | null | 'killed'; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, DIST, postgresUrl(), String(allowExitOnIdle)], { env });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ exit: killed ? 'killed' : code, stdout, stderr });
    });
  });
}

describe('createPgPool allowExitOnIdle (pg.Pool option)', () => {
  it('lets the process exit by itself once every client is idle, and not while one is borrowed', async () => {
    const result = await runChild(true, 3000);
    expect(result).toEqual({ exit: 0, stdout: 'done\n', stderr: '' });
  });

  it('keeps the process alive while idle clients stay open without it, as pg.Pool does', async () => {
    const result = await runChild(false, 1000);
    expect(result).toMatchObject({ exit: 'killed', stdout: 'done\n' });
  });
});
