import { describe, it, expect, afterAll } from '@jest/globals';
import { Redis } from 'ioredis';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disposeRedis, freePort, redisUrl, sharedRedisCluster, startRedis } from '@patinox/test-servers';
import { randomUUID } from 'node:crypto';
import { RedisBackend } from '../src/backends/redis.js';

// Conformance on standalone Redis and the 3-master cluster runs in conformance-redis.int.test.ts.
describe('RedisBackend', () => {
  const clients: Redis[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('validates its options with the house message', () => {
    expect(() => new RedisBackend({})).toThrow('Expected exactly one of `client`, `url` or `cluster`, got 0');
    expect(() => new RedisBackend({ url: 'http://x' })).toThrow('Expected `url` to be a redis:// or rediss:// URL, got "http://x" (string)');
    expect(() => new RedisBackend({ cluster: [] })).toThrow('Expected `cluster` to be a non-empty array of startup nodes, got an array');
    expect(() => new RedisBackend({ client: {} as never })).toThrow('Expected `client` to be an ioredis Redis or Cluster, got an object');
    expect(() => new RedisBackend(null as never)).toThrow('Expected `options` to be an object with client, url or cluster, got null');
  });

  it('uses an injected client and leaves it open on close', async () => {
    const client = new Redis(redisUrl());
    clients.push(client);
    const backend = new RedisBackend({ client });
    expect(backend.isCluster).toBe(false);
    await backend.set('patinox-test:injected', Buffer.from('x'), { ttlMs: 1000 });
    await backend.close();
    expect(await client.get('patinox-test:injected')).toBe('x');
  });

  it('connects as an ACL user with username and password from the URL', async () => {
    const server = await startRedis({ args: ['--user', 'app', 'on', '>s3cret', '~*', '&*', '+@all'] });
    try {
      const backend = new RedisBackend({ url: `redis://app:s3cret@127.0.0.1:${server.port}` });
      await backend.set('k', Buffer.from('v'));
      expect((await backend.get('k'))?.toString()).toBe('v');
      await backend.close();
      const wrong = new RedisBackend({ url: `redis://app:nope@127.0.0.1:${server.port}`, redisOptions: { retryStrategy: () => null } });
      await expect(wrong.get('k')).rejects.toMatchObject({ code: 'CACHE_BACKEND_UNAVAILABLE' });
      await wrong.close();
    } finally {
      await disposeRedis(server);
    }
  });

  it('connects over TLS (rediss://) with a CA and refuses an unverified server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patinox-tls-'));
    const openssl = (...args: string[]): void => {
      execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    };
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=patinox-test-ca');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'ext.cnf');
    const tlsPort = await freePort();
    const server = await startRedis({
      args: ['--tls-port', String(tlsPort), '--tls-cert-file', join(dir, 'server.crt'), '--tls-key-file', join(dir, 'server.key'), '--tls-ca-cert-file', join(dir, 'ca.crt'), '--tls-auth-clients', 'no'],
    });
    try {
      const backend = new RedisBackend({ url: `rediss://127.0.0.1:${tlsPort}`, redisOptions: { tls: { ca: readFileSync(join(dir, 'ca.crt')) } } });
      await backend.set('tls', Buffer.from('ok'));
      expect((await backend.get('tls'))?.toString()).toBe('ok');
      await backend.close();
      const untrusted = new RedisBackend({ url: `rediss://127.0.0.1:${tlsPort}`, redisOptions: { retryStrategy: () => null } });
      await expect(untrusted.get('tls')).rejects.toMatchObject({ code: 'CACHE_BACKEND_UNAVAILABLE' });
      await untrusted.close();
    } finally {
      await disposeRedis(server);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scans every master of a cluster client that has not connected yet', async () => {
    const cluster = await sharedRedisCluster();
    const ns = `fresh-${randomUUID().slice(0, 8)}`;
    const writer = new RedisBackend({ cluster });
    await writer.setMany(Array.from({ length: 30 }, (_, i) => ({ key: `${ns}:${i}`, value: Buffer.from('x') })));
    const count = async (backend: RedisBackend): Promise<number> => {
      let n = 0;
      for await (const batch of backend.scan(`${ns}:*`, 100)) n += batch.length;
      await backend.close();
      return n;
    };
    // Scanned in the same tick as its construction, and with a lazy connection: no slot map yet.
    expect(await count(new RedisBackend({ cluster }))).toBe(30);
    expect(await count(new RedisBackend({ cluster, clusterOptions: { lazyConnect: true } }))).toBe(30);
    expect(await writer.delete(Array.from({ length: 30 }, (_, i) => `${ns}:${i}`))).toBe(30);
    await writer.close();
  });

  it('refuses a compare-and-set across cluster slots with CACHE_CROSS_SLOT and writes nothing', async () => {
    const backend = new RedisBackend({ cluster: await sharedRedisCluster() });
    const ns = `xslot-${randomUUID().slice(0, 8)}`;
    try {
      const err = await backend.compareAndSet([{ key: `${ns}:a`, expected: null }], [{ key: `${ns}:b`, value: Buffer.from('x') }]).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'CACHE_CROSS_SLOT' });
      expect(await backend.exists(`${ns}:b`)).toBe(false);
      expect(await backend.compareAndSet([{ key: `${ns}:{t}a`, expected: null }], [{ key: `${ns}:{t}b`, value: Buffer.from('x') }])).toBe(true);
      expect(await backend.delete([`${ns}:{t}b`])).toBe(1);
    } finally {
      await backend.close();
    }
  });

  it('fails fast with CACHE_BACKEND_UNAVAILABLE when nothing listens', async () => {
    const backend = new RedisBackend({ url: 'redis://127.0.0.1:1', redisOptions: { retryStrategy: () => null } });
    await expect(backend.get('k')).rejects.toMatchObject({ code: 'CACHE_BACKEND_UNAVAILABLE' });
    await expect(backend.get('k')).rejects.toMatchObject({ code: 'CACHE_BACKEND_UNAVAILABLE' });
    expect(backend.lastError).toBeDefined();
    await backend.close();
  });
});
