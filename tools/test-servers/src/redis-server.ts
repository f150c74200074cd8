import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server process this helper started; stop it by pid with `stop()` or `kill()`. */
export interface RedisServerHandle {
  readonly port: number;
  readonly host: string;
  readonly url: string;
  readonly pid: number;
  readonly dir: string;
  /** SIGTERM, then SIGKILL after 2 s; resolves when the process is gone. */
  stop(): Promise<void>;
  /** SIGKILL at once (a crash); resolves when the process is gone. */
  kill(): Promise<void>;
  /** Starts a new process on the same port and directory (after stop/kill); resolves when it answers PING. */
  restart(): Promise<void>;
  readonly isRunning: boolean;
}

export interface StartRedisOptions {
  /** A fixed port; by default a free loopback port. */
  port?: number;
  /** Extra redis-server arguments, e.g. `['--cluster-enabled', 'yes']`. */
  args?: string[];
  /** How long to wait for PING to answer. @default 10000 */
  readyTimeoutMs?: number;
  /** The redis-server binary. @default 'redis-server' */
  binary?: string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test that fails or forgets stop() must not leave a redis-server behind.
  process.once('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** Finds a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function isCompleteReply(reply: string): boolean {
  const headerEnd = reply.indexOf('\r\n');
  if (headerEnd < 0) return false;
  if (reply.startsWith('$')) {
    const length = Number(reply.slice(1, headerEnd));
    return length < 0 || Buffer.byteLength(reply) >= headerEnd + 2 + length + 2;
  }
  return true;
}

/** Sends one inline command over RESP and resolves with the raw reply, or rejects on error or timeout. */
export async function redisCommand(port: number, command: string, timeoutMs = 1000, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis on ${host}:${port} did not answer ${command} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (isCompleteReply(reply)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(reply.startsWith('$') ? reply.slice(reply.indexOf('\r\n') + 2).trimEnd() : reply.trimEnd());
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}

/** Resolves once PING answers PONG, or rejects after `timeoutMs`. */
export async function waitForRedis(port: number, timeoutMs = 10_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if ((await redisCommand(port, 'PING', 500, host)) === '+PONG') return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server on ${host}:${port} not ready after ${timeoutMs} ms`, { cause: lastError });
}

function waitForExit(child: ChildProcess, killAfterMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Starts an extra redis-server on a loopback port, with no persistence, in a temp directory.
 * The process is killed on process exit even if the test never calls stop().
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServerHandle> {
  installExitHook();
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), `patinox-redis-${port}-`));
  const binary = options.binary ?? 'redis-server';
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  let child: ChildProcess;

  const launch = async (): Promise<void> => {
    child = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', ...(options.args ?? [])],
      { stdio: 'ignore' },
    );
    const spawned = child;
    live.add(spawned);
    spawned.once('exit', () => live.delete(spawned));
    const failed = new Promise<never>((_, reject) => {
      spawned.once('error', reject);
      spawned.once('exit', (code) => reject(new Error(`redis-server on port ${port} exited early with code ${String(code)}`)));
    });
    failed.catch(() => undefined);
    await Promise.race([waitForRedis(port, readyTimeoutMs), failed]);
  };

  await launch();
  const handle: RedisServerHandle = {
    port,
    host: '127.0.0.1',
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid ?? -1;
    },
    dir,
    get isRunning() {
      return child.exitCode === null && child.signalCode === null;
    },
    async stop() {
      child.kill('SIGTERM');
      await waitForExit(child, 2000);
    },
    async kill() {
      child.kill('SIGKILL');
      await waitForExit(child, 2000);
    },
    async restart() {
      if (handle.isRunning) await handle.stop();
      await launch();
    },
  };
  return handle;
}

/** Stops a server and removes its directory. Safe to call twice. */
export async function disposeRedis(handle: RedisServerHandle | undefined): Promise<void> {
  if (handle === undefined) return;
  if (handle.isRunning) await handle.stop();
  rmSync(handle.dir, { recursive: true, force: true });
}

/** A three-master (by default) Redis Cluster on loopback ports, each node its own process. */
export interface RedisClusterHandle {
  readonly nodes: readonly RedisServerHandle[];
  /** `[{ host, port }]` for ioredis' `Cluster` constructor. */
  readonly startupNodes: readonly { host: string; port: number }[];
  stop(): Promise<void>;
}

/** Starts `masters` cluster-enabled nodes and joins them with `redis-cli --cluster create`. */
export async function startRedisCluster(masters = 3): Promise<RedisClusterHandle> {
  const nodes: RedisServerHandle[] = [];
  try {
    // Started side by side: each node waits ~100 ms for its first PING.
    const started = await Promise.allSettled(
      Array.from({ length: masters }, () => startRedis({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'] })),
    );
    for (const result of started) if (result.status === 'fulfilled') nodes.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    await new Promise<void>((resolve, reject) => {
      const cli = spawn('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'ignore' });
      cli.once('error', reject);
      cli.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`redis-cli --cluster create exited with ${String(code)}`))));
    });
    const deadline = Date.now() + 15_000;
    for (const node of nodes) {
      // Every node must know every other and serve all slots, or a client's first commands may bounce.
      const ready = (info: string): boolean => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${masters}\r`) && info.includes('cluster_slots_ok:16384');
      while (!ready(await redisCommand(node.port, 'CLUSTER INFO'))) {
        if (Date.now() > deadline) throw new Error('cluster did not reach cluster_state:ok on every node within 15 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => disposeRedis(n)));
    throw err;
  }
  return {
    nodes,
    startupNodes: nodes.map((n) => ({ host: n.host, port: n.port })),
    async stop() {
      await Promise.all(nodes.map((n) => disposeRedis(n)));
    },
  };
}
