import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disposeRedis, freePort, redisCommand, startRedis, type RedisServerHandle } from '@patinox/test-servers';
import { CLI_EXIT_CODES } from '../src/cli/run.js';
import { cli, json, runBin } from './cli-harness.js';

/** A CA, a second unrelated CA, a server certificate for 127.0.0.1 and a client certificate, by openssl. */
function makeCertificates(dir: string): void {
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const key = (name: string): void => openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
  for (const ca of ['ca', 'other-ca']) {
    key(ca);
    openssl('req', '-x509', '-new', '-key', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=${ca}`);
  }
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const [name, ext] of [['server', ['-extfile', 'server.ext']], ['client', []]] as const) {
    key(name);
    openssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', ...ext);
  }
}

// One TLS redis-server (mutual TLS, ACL users) for the whole file.
describe('patinox-cache CLI on a TLS Redis with client certificates and ACL users', () => {
  const dir = mkdtempSync(join(tmpdir(), 'patinox-cli-tls-'));
  const ns = `allowed-${randomUUID().slice(0, 8)}`;
  const file = (name: string): string => join(dir, name);
  let server: RedisServerHandle;
  let url: string;
  let mtls: string[];

  beforeAll(async () => {
    makeCertificates(dir);
    const tlsPort = await freePort();
    server = await startRedis({
      args: ['--tls-port', String(tlsPort), '--tls-cert-file', file('server.crt'), '--tls-key-file', file('server.key'), '--tls-ca-cert-file', file('ca.crt'), '--tls-auth-clients', 'yes'],
    });
    // ACL users through the plain loopback port; the CLI only ever talks to the TLS port.
    await redisCommand(server.port, 'ACL SETUSER ops on >s3cret ~* &* +@all');
    await redisCommand(server.port, 'ACL SETUSER reader on >r3ad ~allowed-* &* +@all');
    url = `rediss://127.0.0.1:${tlsPort}`;
    mtls = ['--url', url, '--cacert', file('ca.crt'), '--cert', file('client.crt'), '--key', file('client.key')];
  });

  afterAll(async () => {
    await disposeRedis(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('works over mutual TLS with the password from the environment', async () => {
    const env = { PATINOX_REDIS_PASSWORD: 's3cret' };
    const set = await cli(['set', 'k', '{"tls":true}', '-n', ns, '--user', 'ops', ...mtls], { env });
    expect(set.code).toBe(0);
    const get = await cli(['get', 'k', '-n', ns, '--user', 'ops', ...mtls], { env });
    expect(json(get).value).toEqual({ tls: true });
    const status = await cli(['status', '-n', ns, '--json', '--user', 'ops', ...mtls], { env });
    expect(json(status)).toMatchObject({ target: `rediss://***@127.0.0.1:${url.split(':').at(-1)}`, mode: 'standalone', namespace: { keys: 1 } });
    // Certificates from the environment, the ACL user in the URL.
    const fromEnv = await cli(['get', 'k', '-n', ns, '--url', url.replace('//', '//ops:s3cret@')], {
      env: { PATINOX_REDIS_CACERT: file('ca.crt'), PATINOX_REDIS_CERT: file('client.crt'), PATINOX_REDIS_KEY: file('client.key') },
    });
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.err.join('')).not.toContain('s3cret');
    const flag = await cli(['get', 'k', '-n', ns, '--user', 'ops', '--password', 's3cret', ...mtls]);
    expect(flag.code).toBe(0);
    expect(flag.err.join('')).toContain('prefer PATINOX_REDIS_PASSWORD');
  });

  it('reads a value over mutual TLS as an ACL user (built bin)', async () => {
    const env = { PATINOX_REDIS_USER: 'ops', PATINOX_REDIS_PASSWORD: 's3cret' };
    expect((await cli(['set', 'bin-k', '{"via":"bin"}', '-n', ns, ...mtls], { env })).code).toBe(0);
    const result = await runBin(['get', 'bin-k', '-n', ns, ...mtls], { env });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ value: { via: 'bin' } });
    expect(result.stderr).not.toContain('s3cret');
  }, 60_000);

  it('exits 7 on NOPERM for an ACL user limited to other keys (built bin)', async () => {
    const result = await runBin(['get', 'k', '-n', 'secret-ns', ...mtls], { env: { PATINOX_REDIS_USER: 'reader', PATINOX_REDIS_PASSWORD: 'r3ad' } });
    expect(result.code).toBe(CLI_EXIT_CODES.noPermission);
    expect(result.stderr).toContain('denied this ACL user (NOPERM');
  }, 60_000);

  it('exits 6 when the server certificate is not trusted, naming --cacert (built bin)', async () => {
    const result = await runBin(['status', '--url', url, '--cacert', file('other-ca.crt'), '--cert', file('client.crt'), '--key', file('client.key')]);
    expect(result.code).toBe(CLI_EXIT_CODES.tlsFailed);
    expect(result.stderr).toContain('TLS handshake with');
    expect(result.stderr).toContain('--cacert');
  }, 60_000);

  it('exits 6 when the server wants a client certificate and none is given', async () => {
    const result = await cli(['status', '--url', url, '--cacert', file('ca.crt')]);
    expect(result.code).toBe(CLI_EXIT_CODES.tlsFailed);
    expect(result.err.join('')).toMatch(/client certificate \(?--cert and --key|pass --cert and --key/);
  });

  it('exits 3 with a hint when a plain connection meets the TLS port', async () => {
    const result = await cli(['status', '--url', url.replace('rediss:', 'redis:'), '--timeout', '1000']);
    expect(result.code).toBe(CLI_EXIT_CODES.unavailable);
    expect(result.err.join('')).toContain('add --tls');
  });

  it('exits 5 on a wrong password and never prints it (built bin)', async () => {
    const result = await runBin(['status', '--user', 'ops', ...mtls], { env: { PATINOX_REDIS_PASSWORD: 'wrong-pass' } });
    expect(result.code).toBe(CLI_EXIT_CODES.authFailed);
    expect(result.stderr).toContain('refused the credentials (WRONGPASS');
    expect(result.stderr).not.toContain('wrong-pass');
  }, 60_000);

  it('exits 7 when the ACL user may not touch the namespace', async () => {
    const env = { PATINOX_REDIS_USER: 'reader', PATINOX_REDIS_PASSWORD: 'r3ad' };
    expect((await cli(['get', 'k', '-n', ns, ...mtls], { env })).code).toBe(0);
    const denied = await cli(['get', 'k', '-n', 'secret-ns', ...mtls], { env });
    expect(denied.code).toBe(CLI_EXIT_CODES.noPermission);
    expect(denied.err.join('')).toContain('denied this ACL user (NOPERM');
  });
});
