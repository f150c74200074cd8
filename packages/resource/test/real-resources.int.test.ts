import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CleanupPriority, ResourceRegistry, ResourceScope, guard } from '../src/index.js';
import { collectUntil } from './helpers.js';

let dir: string;
let server: Server;
let port: number;
let serverSideClosed = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'patinox-resource-'));
  server = createServer((socket) => {
    socket.on('close', () => (serverSideClosed += 1));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else {
      socket.once('close', () => resolve());
      socket.destroy();
    }
  });
}

async function openSocket(): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

async function tempFile(name: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, 'data');
  return path;
}

const removeFile = (path: string): Promise<void> => rm(path, { force: true });

async function waitForServerCloses(count: number): Promise<void> {
  // Bounded by events, not by wall time: each round yields to the event loop once.
  for (let i = 0; i < 1000 && serverSideClosed < count; i += 1) await new Promise((r) => setImmediate(r));
}

describe('real resources', () => {
  it('removes temp files and closes real sockets when a scope exits', async () => {
    const registry = new ResourceRegistry();
    const before = serverSideClosed;
    const paths: string[] = [];
    let sockets: Socket[] = [];
    {
      await using scope = new ResourceScope({ registry });
      for (let i = 0; i < 3; i += 1) paths.push(scope.guard(await tempFile(`scope-${i}.txt`), removeFile).get());
      const handle = scope.use(await open(join(dir, 'scope-handle.txt'), 'w'));
      await handle.write('x');
      sockets = await Promise.all([openSocket(), openSocket()]);
      for (const s of sockets) scope.guard(s, closeSocket, { priority: CleanupPriority.High });
      expect(paths.every((p) => existsSync(p))).toBe(true);
    }
    expect(paths.some((p) => existsSync(p))).toBe(false);
    expect(sockets.every((s) => s.destroyed)).toBe(true);
    await waitForServerCloses(before + 2);
    expect(serverSideClosed).toBe(before + 2);
    expect(registry.stats()).toMatchObject({ active: 0, cleaned: 6, failed: 0 });
  });

  it('cleans files, sockets and a listening server on shutdown', async () => {
    const registry = new ResourceRegistry({ name: 'service' });
    const own = createServer((s) => s.on('error', () => undefined));
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    const ownPort = (own.address() as { port: number }).port;
    guard(own, (s) => new Promise((resolve) => s.close(resolve)), { registry, name: 'http-server', priority: CleanupPriority.Low });
    const path = await tempFile('shutdown.txt');
    guard(path, removeFile, { registry, name: 'spool-file' });
    const client = await openSocket();
    guard(client, closeSocket, { registry, name: 'upstream', priority: CleanupPriority.Critical });

    const report = await registry.shutdown({ deadlineMs: 5000 });
    expect(report).toMatchObject({ cleaned: 3, complete: true });
    expect(existsSync(path)).toBe(false);
    expect(client.destroyed).toBe(true);
    expect(own.listening).toBe(false);
    const refused = await new Promise<string>((resolve) => {
      const probe = connect(ownPort, '127.0.0.1');
      probe.once('connect', () => {
        probe.destroy();
        resolve('connected');
      });
      probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('cleans a temp file and a socket whose guards were dropped, after GC', async () => {
    const registry = new ResourceRegistry({ name: 'gc' });
    const before = serverSideClosed;
    const path = await tempFile('leaked.txt');
    const socket = await openSocket();
    // The guards are created and dropped in a function of their own: nothing in this frame holds them.
    ((p: string, s: Socket) => {
      guard(p, removeFile, { registry, name: 'leaked-file' });
      guard(s, closeSocket, { registry, name: 'leaked-socket' });
    })(path, socket);
    expect(await collectUntil(() => registry.stats().cleaned === 2)).toBe(true);
    expect(registry.stats().leaked).toBe(2);
    expect(existsSync(path)).toBe(false);
    expect(socket.destroyed).toBe(true);
    await waitForServerCloses(before + 1);
    expect(serverSideClosed).toBe(before + 1);
  });
});
