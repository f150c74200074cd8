import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redisUrl } from '@patinox/test-servers';
import { RedisBackend, RedisBus } from '../src/backends/redis.js';
import { runCli, CLI_EXIT_CODES } from '../src/cli/run.js';
import { TieredCache } from '../src/tiered/index.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'esm', 'cli', 'patinox-cache.js');

async function cli(args: string[], interrupted?: Promise<void>, onStderr?: (line: string) => void): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    stdout: (l: string) => out.push(l),
    stderr: (l: string) => {
      err.push(l);
      onStderr?.(l);
    },
    env: { REDIS_URL: redisUrl() },
    interrupted,
  };
  const code = await runCli(args, io);
  return { code, out, err };
}

function runBin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, REDIS_URL: redisUrl() } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('patinox-cache CLI', () => {
  const ns = `cli-${randomUUID().slice(0, 8)}`;
  let cache: TieredCache;

  beforeAll(async () => {
    const l2 = new RedisBackend({ url: redisUrl() });
    const bus = new RedisBus({ client: l2.client });
    await bus.ready;
    cache = new TieredCache({ l2, bus, namespace: ns });
    await cache.set('user:1', { name: 'Ada', roles: new Set(['admin']), big: 2n ** 64n }, { ttlMs: 60_000, tags: ['team'] });
    await cache.set('user:2', 'two', { tags: ['team'] });
    await cache.set('big', 'x'.repeat(5000));
  });

  afterAll(async () => {
    await cache.clear();
    await cache.close();
  });

  it('prints status and stats as JSON', async () => {
    const status = await cli(['status', '-n', ns]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out.join('\n'))).toMatchObject({ status: 'up', namespace: { name: ns, keys: 3 } });
    const stats = await cli(['stats', '--namespace', ns]);
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.out.join('\n'))).toMatchObject({ namespace: { keys: 3 } });
    expect((await cli(['status'])).code).toBe(0);
  });

  it('lists keys by pattern and decodes values', async () => {
    const keys = await cli(['keys', 'user:*', '-n', ns]);
    expect(keys.code).toBe(0);
    expect(keys.out.sort()).toEqual(['user:1', 'user:2']);
    expect((await cli(['keys', 'nothing*', '-n', ns])).code).toBe(CLI_EXIT_CODES.notFound);
    const get = await cli(['get', 'user:1', '-n', ns]);
    expect(get.code).toBe(0);
    const parsed = JSON.parse(get.out.join('\n'));
    expect(parsed.value).toEqual({ name: 'Ada', roles: ['admin'], big: '18446744073709551616' });
    expect(parsed.ttlMs).toBeGreaterThan(0);
    const missing = await cli(['get', 'nope', '-n', ns]);
    expect(missing.code).toBe(CLI_EXIT_CODES.notFound);
    expect(missing.err.join('')).toContain('no key "nope"');
  });

  it('reports undecodable values with exit code 4', async () => {
    const raw = new RedisBackend({ url: redisUrl() });
    await raw.set(`${ns}:v:garbage`, Buffer.from('foreign'));
    await raw.close();
    const result = await cli(['get', 'garbage', '-n', ns]);
    expect(result.code).toBe(CLI_EXIT_CODES.failed);
    expect(result.err.join('')).toContain('Cannot decode');
  });

  it('invalidates a tag and streams invalidation events', async () => {
    let stop: () => void = () => undefined;
    let listening: () => void = () => undefined;
    const subscribed = new Promise<void>((r) => (listening = r));
    const tail = cli(['events', 'tail', '-n', ns, '--count', '2'], new Promise<void>((r) => (stop = r)), (line) => {
      if (line.includes('listening on')) listening();
    });
    // Once subscribed, make two events (the second from the invalidate-tag command).
    await subscribed;
    await cache.set('user:3', 3);
    const invalidated = await cli(['invalidate-tag', 'team', '-n', ns]);
    expect(invalidated.code).toBe(0);
    expect(JSON.parse(invalidated.out[0]!)).toEqual({ namespace: ns, tag: 'team', removed: 2 });
    const events = await tail;
    stop();
    expect(events.code).toBe(0);
    expect(events.out.map((l) => JSON.parse(l) as unknown)).toEqual([
      expect.objectContaining({ namespace: ns, keys: ['user:3'] }),
      expect.objectContaining({ namespace: ns, tags: ['team'] }),
    ]);
    expect(await cache.get('user:1')).toBeUndefined();
    const interrupted = await cli(['events', 'tail'], Promise.resolve());
    expect(interrupted.code).toBe(0);
  });

  it('answers usage errors with exit code 2 and the help', async () => {
    expect((await cli([])).code).toBe(CLI_EXIT_CODES.usage);
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out.join('')).toContain('Usage: patinox-cache');
    for (const args of [['frobnicate'], ['get', '-n', ns], ['get', 'k'], ['keys'], ['invalidate-tag', '-n', ns], ['events'], ['status', '--timeout', 'x'], ['events', 'tail', '--count', '0'], ['status', '--url', 'http://x'], ['--bogus']]) {
      const result = await cli(args);
      expect({ args, code: result.code }).toEqual({ args, code: CLI_EXIT_CODES.usage });
      expect(result.err.join('\n')).toContain('patinox-cache');
    }
  });

  it('runs as a built bin: exit codes and messages a person can act on', async () => {
    const status = await runBin(['status', '-n', ns]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'up' });
    const missing = await runBin(['get', 'missing', '-n', ns]);
    expect(missing.code).toBe(1);
    const down = await runBin(['status', '--url', 'redis://127.0.0.1:1', '--timeout', '500']);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('cannot reach Redis at redis://127.0.0.1:1');
    const usage = await runBin(['nope']);
    expect(usage.code).toBe(2);
  });
});
