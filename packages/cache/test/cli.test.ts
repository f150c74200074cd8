import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisUrl } from '@patinox/test-servers';
import { RedisBackend, RedisBus } from '../src/backends/redis.js';
import { probeLayout } from '../src/cli/layout.js';
import { CLI_EXIT_CODES } from '../src/cli/run.js';
import { TieredCache, jsonCodec } from '../src/tiered/index.js';
import { cli, json, runBin } from './cli-harness.js';

const env = { REDIS_URL: redisUrl() };
const run = (args: string[], options: Parameters<typeof cli>[1] = {}) => cli(args, { env, ...options });

describe('patinox-cache CLI on standalone Redis', () => {
  const ns = `cli-${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'patinox-cli-'));
  let cache: TieredCache;

  beforeAll(async () => {
    const l2 = new RedisBackend({ url: redisUrl() });
    const bus = new RedisBus({ client: l2.client });
    await bus.ready;
    cache = new TieredCache({ l2, bus, namespace: ns, compression: 'lz4', compressionThresholdBytes: 1024 });
    await cache.set('user:1', { name: 'Ada', roles: new Set(['admin']), big: 2n ** 64n }, { ttlMs: 60_000, tags: ['team'] });
    await cache.set('user:2', 'two', { tags: ['team'] });
    await cache.set('big', 'x'.repeat(5000));
  });

  afterAll(async () => {
    await cache.clear();
    await cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows status and stats with the namespace size per node, as text or --json', async () => {
    const status = await run(['status', '-n', ns, '--json']);
    expect(status.code).toBe(0);
    expect(json(status)).toMatchObject({ status: 'up', mode: 'standalone', namespace: { name: ns, keys: 3 }, nodes: [{ keys: 3 }] });
    const text = await run(['status', '-n', ns]);
    expect(text.out[0]).toMatch(/up {2}standalone {2}Redis \d/);
    expect(text.out).toContain(`namespace ${ns}: 3 keys`);
    const stats = await run(['stats', '--namespace', ns, '--json']);
    expect(json(stats)).toMatchObject({ mode: 'standalone', namespace: { keys: 3 }, total: { namespaceKeys: 3 }, nodes: [expect.objectContaining({ namespaceKeys: 3 })] });
    const table = await run(['stats', '-n', ns]);
    expect(table.out[1]).toMatch(/^node +keys +hits +misses/);
    expect(table.out[2]).toMatch(/^\S+:\d+ +3 /);
  });

  it('stats --watch refreshes with per-second rates and stops on Ctrl-C or after --count', async () => {
    let t = 0;
    const counted = await run(['stats', '--watch', '--json', '--interval', '10', '--count', '3', '-n', ns], { now: () => (t += 1000) });
    expect(counted.code).toBe(0);
    const lines = counted.out.map((l) => JSON.parse(l) as { total: { hitsPerSec?: number } });
    expect(lines).toHaveLength(3);
    expect(lines[0]!.total.hitsPerSec).toBeUndefined();
    expect(lines[2]!.total.hitsPerSec).toBeGreaterThanOrEqual(0);
    const controller = new AbortController();
    const stopped = await run(['stats', '--watch', '--interval', '10000', '-n', ns], {
      signal: controller.signal,
      tty: true,
      onStdout: () => controller.abort(),
    });
    expect(stopped.code).toBe(0);
    expect(stopped.out[0]).toBe('\x1b[2J\x1b[H');
    expect(stopped.out.join('\n')).toContain('(Ctrl-C to stop)');
  });

  it('lists keys and decodes values with the codec that wrote them, lz4 included; --raw gives the bytes', async () => {
    const keys = await run(['keys', 'user:*', '-n', ns]);
    expect(keys.out.sort()).toEqual(['user:1', 'user:2']);
    expect((await run(['keys', 'nothing*', '-n', ns])).code).toBe(CLI_EXIT_CODES.notFound);
    const get = await run(['get', 'user:1', '-n', ns]);
    expect(get.code).toBe(0);
    expect(json(get)).toMatchObject({ key: 'user:1', codec: 'msgpack', compressed: false, value: { name: 'Ada', roles: ['admin'], big: '18446744073709551616' } });
    expect(json(get).ttlMs).toBeGreaterThan(0);
    const big = await run(['get', 'big', '-n', ns, '--json']);
    expect(json(big)).toMatchObject({ compressed: true, value: 'x'.repeat(5000), ttlMs: null });
    const raw = await run(['get', 'user:2', '-n', ns, '--raw']);
    expect(raw.bytes).toHaveLength(1);
    expect(raw.bytes[0]![0]! >> 5).toBe(1);
    const missing = await run(['get', 'nope', '-n', ns]);
    expect(missing.code).toBe(CLI_EXIT_CODES.notFound);
    expect(missing.err.join('')).toContain('no key "nope"');
  });

  it('reports undecodable values with exit code 4', async () => {
    const raw = new RedisBackend({ url: redisUrl() });
    // Written where the tier keeps entry `garbage`, whatever its key layout.
    await raw.set((await probeLayout(ns)).entryKey('garbage'), Buffer.from('foreign'));
    await raw.close();
    const result = await run(['get', 'garbage', '-n', ns]);
    expect(result.code).toBe(CLI_EXIT_CODES.failed);
    expect(result.err.join('')).toContain('Cannot decode');
    await cache.delete('garbage');
  });

  it('sets values from a JSON argument or stdin, with TTL, tags and the namespace codec', async () => {
    const set = await run(['set', 'conf', '{"a":[1,2]}', '--ttl', '60000', '--tags', 'cfg,extra', '-n', ns]);
    expect(set.code).toBe(0);
    expect(json(set)).toEqual({ key: 'conf', codec: 'msgpack', ttlMs: 60000, tags: ['cfg', 'extra'] });
    expect(await cache.get('conf', { consistent: true })).toEqual({ a: [1, 2] });
    const piped = await run(['set', 'piped', '-n', ns, '--tags', 'cfg'], { stdin: '{"from":"stdin"}\n' });
    expect(piped.code).toBe(0);
    const text = await run(['set', 'greeting', 'hello world', '--string', '-n', ns, '--codec', 'json']);
    expect(json(text).codec).toBe('json');
    expect(json(await run(['get', 'greeting', '-n', ns]))).toMatchObject({ codec: 'json', value: 'hello world' });
    const dry = await run(['set', 'conf', '2', '--dry-run', '-n', ns]);
    expect(json(dry)).toMatchObject({ dryRun: true, key: 'conf', value: 2, codec: 'msgpack' });
    expect(await cache.get('conf', { consistent: true })).toEqual({ a: [1, 2] });
    expect((await run(['invalidate-tag', 'cfg', '-n', ns, '--dry-run'])).out.join('')).toContain('"wouldRemove": 2');
    expect(JSON.parse((await run(['invalidate-tag', 'cfg', '-n', ns])).out[0]!)).toEqual({ namespace: ns, tag: 'cfg', removed: 2 });
    expect(await cache.get('piped', { consistent: true })).toBeUndefined();
  });

  it('auto codec follows what the namespace holds: JSON in a JSON namespace', async () => {
    const jsonNs = `${ns}-json`;
    const l2 = new RedisBackend({ url: redisUrl() });
    const app = new TieredCache({ l2, namespace: jsonNs, serializer: { codec: jsonCodec } });
    await app.set('existing', 1);
    expect(json(await run(['set', 'new', '{"v":1}', '-n', jsonNs]))).toMatchObject({ codec: 'json' });
    expect(await app.get('new')).toEqual({ v: 1 });
    await app.clear();
    await app.close();
  });

  it('deletes keys, with --dry-run showing which exist', async () => {
    await cache.set('d1', 1);
    const dry = await run(['delete', 'd1', 'd2', '-n', ns, '--dry-run']);
    expect(json(dry)).toEqual({ dryRun: true, wouldDelete: ['d1'], missing: ['d2'] });
    expect(json(await run(['delete', 'd1', 'd2', '-n', ns]))).toEqual({ deleted: ['d1'], missing: ['d2'] });
    expect((await run(['delete', 'd1', '-n', ns])).code).toBe(CLI_EXIT_CODES.notFound);
  });

  it('exports and imports snapshots with progress, asking before overwriting existing keys', async () => {
    const file = join(dir, 'snap.jsonl');
    const size: number = json(await run(['status', '-n', ns, '--json'])).namespace.keys;
    expect(size).toBeGreaterThanOrEqual(3);
    const exported = await run(['export', file, '-n', ns, '--progress-interval', '0']);
    expect(exported.code).toBe(0);
    expect(json(exported)).toMatchObject({ namespace: ns, entries: size });
    expect(exported.err.at(-1)).toBe(`patinox-cache: exported ${size} entries`);
    expect(readFileSync(file, 'utf8').split('\n')[0]).toContain('patinox-cache-snapshot');
    const target = `${ns}-restore`;
    const fresh = await run(['import', file, '-n', target, '--progress-interval', '0']);
    expect(fresh.code).toBe(0);
    expect(json(fresh)).toMatchObject({ entries: size, overwritten: 0 });
    expect(fresh.err.at(-1)).toBe(`patinox-cache: imported ${size} of ${size} (100%) entries`);
    const dry = await run(['import', file, '-n', target, '--dry-run']);
    expect(json(dry)).toMatchObject({ dryRun: true, entries: size, existing: size, overwrite: size, from: ns });
    const refused = await run(['import', file, '-n', target]);
    expect(refused.code).toBe(CLI_EXIT_CODES.notConfirmed);
    expect(refused.err.join('')).toContain('pass --yes');
    expect((await run(['import', file, '-n', target], { confirm: 'no' })).code).toBe(CLI_EXIT_CODES.notConfirmed);
    expect(json(await run(['import', file, '-n', target], { confirm: 'yes' }))).toMatchObject({ overwritten: size });
    expect(json(await run(['import', file, '-n', target, '--keep-existing']))).toMatchObject({ overwritten: 0 });
    expect(json(await run(['get', 'user:1', '-n', target])).value.name).toBe('Ada');
    writeFileSync(join(dir, 'bad.jsonl'), 'not json\n');
    const bad = await run(['import', join(dir, 'bad.jsonl'), '-n', target, '--yes']);
    expect(bad.code).toBe(CLI_EXIT_CODES.failed);
    expect(bad.err.join('')).toContain('not a readable cache snapshot');
    // Files that cannot be written or read: exit 4 with a message naming the path the operator gave.
    const nowhere = join(dir, 'missing', 'snap.jsonl');
    const unwritable = await run(['export', nowhere, '-n', ns]);
    expect(unwritable.code).toBe(CLI_EXIT_CODES.failed);
    expect(unwritable.err.join('')).toContain(`Cannot write the cache snapshot ${nowhere}`);
    const directory = await run(['import', dir, '-n', target, '--yes']);
    expect(directory.code).toBe(CLI_EXIT_CODES.failed);
    expect(directory.err.join('')).toContain(`${dir} is not a readable cache snapshot`);
    // clear: refused without a terminal, dry-run counts, --yes clears.
    expect((await run(['clear', '-n', target])).code).toBe(CLI_EXIT_CODES.notConfirmed);
    expect(json(await run(['clear', '-n', target, '--dry-run']))).toMatchObject({ wouldRemove: size });
    expect(json(await run(['clear', '-n', target], { confirm: 'yes' }))).toMatchObject({ namespace: target });
    expect(json(await run(['status', '-n', target, '--json'])).namespace.keys).toBe(0);
  });

  it('streams invalidation events until --count or Ctrl-C', async () => {
    let listening: () => void = () => undefined;
    const subscribed = new Promise<void>((r) => (listening = r));
    const tail = run(['events', 'tail', '-n', ns, '--count', '2'], { onStderr: (line) => line.includes('listening on') && listening() });
    await subscribed;
    await cache.set('user:3', 3);
    await cache.delete('user:3');
    const events = await tail;
    expect(events.code).toBe(0);
    expect(events.out.map((l) => JSON.parse(l) as unknown)).toEqual([expect.objectContaining({ namespace: ns, keys: ['user:3'] }), expect.objectContaining({ namespace: ns, keys: ['user:3'] })]);
    const controller = new AbortController();
    controller.abort();
    expect((await run(['events', 'tail'], { signal: controller.signal })).code).toBe(0);
  });

  it('answers usage errors with exit code 2, and help per command with examples', async () => {
    expect((await run([])).code).toBe(CLI_EXIT_CODES.usage);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out.join('')).toContain('Exit codes:');
    const setHelp = await run(['help', 'set']);
    expect(setHelp.out.join('\n')).toMatch(/Usage: patinox-cache set <key> \[json\][\s\S]*--ttl <ms>[\s\S]*Examples:/);
    expect((await run(['get', '--help'])).out.join('')).toContain('--raw');
    for (const args of [
      ['frobnicate'],
      ['help', 'frobnicate'],
      ['get', '-n', ns],
      ['get', 'k'],
      ['keys', 'a', 'b', '-n', ns],
      ['invalidate-tag', '-n', ns],
      ['events'],
      ['status', '--timeout', 'x'],
      ['events', 'tail', '--count', '0'],
      ['status', '--url', 'http://x'],
      ['--bogus'],
      ['get', 'k', '-n', ns, '--ttl', '5'],
      ['set', 'k', '{bad', '-n', ns],
      ['set', 'k', '-n', ns],
      ['set', 'k', '1', '-n', ns, '--codec', 'xml'],
      ['status', '--cert', '/nonexistent.pem', '--key', '/nonexistent.pem'],
      ['status', '--cert', '/etc/hostname'],
    ]) {
      const result = await run(args);
      expect({ args, code: result.code }).toEqual({ args, code: CLI_EXIT_CODES.usage });
      expect(result.err.join('\n')).toMatch(/^patinox-cache: .+\n(Usage|Commands)/);
    }
  });

  it('runs as a built bin: exit codes a script can rely on', async () => {
    const status = await runBin(['status', '-n', ns, '--json'], { env });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'up' });
    const down = await runBin(['status', '--url', 'redis://127.0.0.1:1', '--timeout', '500']);
    expect(down.code).toBe(CLI_EXIT_CODES.unavailable);
    expect(down.stderr).toContain('cannot reach Redis at redis://127.0.0.1:1');
    expect((await runBin(['nope'])).code).toBe(CLI_EXIT_CODES.usage);
  }, 60_000);

  it('runs as a built bin: refusal without a TTY, a value on stdin', async () => {
    const refused = await runBin(['clear', '-n', ns], { env });
    expect(refused.code).toBe(CLI_EXIT_CODES.notConfirmed);
    expect(await cache.exists('user:1')).toBe(true);
    const piped = await runBin(['set', 'from-bin', '-n', ns], { env, stdin: '[1,2,3]' });
    expect(piped.code).toBe(0);
    expect(await cache.get('from-bin', { consistent: true })).toEqual([1, 2, 3]);
  }, 60_000);

  it('stops stats --watch cleanly on SIGINT', async () => {
    const result = await runBin(['stats', '--watch', '--json', '--interval', '5000', '-n', ns], {
      env,
      onStdout: (text, child) => {
        if (text.includes('\n')) child.kill('SIGINT');
      },
    });
    expect(result).toMatchObject({ code: 0, signal: null, stderr: '' });
    expect(JSON.parse(result.stdout.trim().split('\n')[0]!)).toMatchObject({ mode: 'standalone' });
  }, 60_000);
});
