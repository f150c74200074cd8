import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server.js';

/** A local npm registry (Verdaccio) this helper started; stop it by pid with `stop()`. */
export interface RegistryHandle {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** The temp folder holding its config and storage; removed by `stop()`. */
  readonly dir: string;
  /** A token of a user created on start: write `//127.0.0.1:PORT/:_authToken=<token>` to publish. */
  readonly token: string;
  /** SIGTERM, then SIGKILL after 2 s; resolves when the process is gone and its folder removed. */
  stop(): Promise<void>;
}

export interface StartVerdaccioOptions {
  /** Package patterns that may be published and read; nothing else is served, and nothing is proxied. @default ['@patinox/*'] */
  packages?: string[];
  /** How long to wait for the registry to answer. @default 20000 */
  readyTimeoutMs?: number;
}

const require = createRequire(import.meta.url);

function config(dir: string, port: number, packages: string[]): string {
  const rules = packages.map((p) => `  '${p}':\n    access: $all\n    publish: $authenticated\n    unpublish: $authenticated\n`).join('');
  // No uplinks: the registry answers only for what was published to it (a rehearsal must not fetch
  // @patinox/* from anywhere else); scratch projects get third-party packages from their default registry.
  return `storage: ${join(dir, 'storage')}
auth:
  htpasswd:
    file: ${join(dir, 'htpasswd')}
    max_users: 10
uplinks: {}
packages:
${rules}listen: 127.0.0.1:${port}
log: { type: stdout, format: json, level: error }
publish:
  allow_offline: true
`;
}

async function waitReady(url: string, timeoutMs: number, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const early = exited();
    if (early !== undefined) throw new Error(`verdaccio exited before answering: ${early}`);
    try {
      const res = await fetch(`${url}-/ping`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`verdaccio did not answer on ${url} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function createUser(url: string): Promise<string> {
  const name = `rehearsal${process.pid}`;
  const res = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: 'rehearsal-password', email: `${name}@example.invalid`, type: 'user' }),
  });
  const body = (await res.json()) as { token?: string; error?: string };
  if (!res.ok || typeof body.token !== 'string') throw new Error(`verdaccio refused to create a user: ${res.status} ${body.error ?? ''}`);
  return body.token;
}

/**
 * Starts Verdaccio 6.8 (the last line that runs on Node 20) on a free loopback port with its config and
 * storage in a new temp folder, a user to publish with, and no uplinks: a throwaway registry for release
 * rehearsals. Stop it with `stop()` (by pid).
 */
export async function startVerdaccio(options: StartVerdaccioOptions = {}): Promise<RegistryHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'patinox-verdaccio-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const file = join(dir, 'config.yaml');
  writeFileSync(file, config(dir, port, options.packages ?? ['@patinox/*']));
  const bin = join(require.resolve('verdaccio/package.json'), '..', 'bin', 'verdaccio');
  const child = spawn(process.execPath, [bin, '--config', file, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output = `${output}${d.toString()}`.slice(-4000)));
  child.stderr.on('data', (d: Buffer) => (output = `${output}${d.toString()}`.slice(-4000)));
  let exit: string | undefined;
  const gone = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = `code ${code} signal ${signal} ${output}`;
      resolve();
    });
  });
  const pid = child.pid!;
  const stop = async (): Promise<void> => {
    if (exit === undefined) {
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (exit === undefined) process.kill(pid, 'SIGKILL');
      }, 2000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, options.readyTimeoutMs ?? 20_000, () => exit);
    const token = await createUser(url);
    return { url, port, pid, dir, token, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
