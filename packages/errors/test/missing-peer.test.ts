import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MissingPeerError, ERRORS_PEER_DEPENDENCY_MISSING, importPeer, isMissingModule, isPatinoxError, loadPeer } from '../src/index.js';

// A require rooted in an empty folder: nothing resolves from it, as when a peer is not installed.
const dir = mkdtempSync(join(tmpdir(), 'patinox-peer-'));
const emptyRequire = createRequire(join(dir, 'index.js'));

describe('MissingPeerError', () => {
  it('names the package to install and the feature that needs it, with a stable code', () => {
    const error = new MissingPeerError('ioredis', '@patinox/cache/redis', { range: '^5.8.0 || ^6.0.0' });
    expect(error).toMatchObject({ name: 'MissingPeerError', code: ERRORS_PEER_DEPENDENCY_MISSING, recovery: 'fail', peer: 'ioredis', feature: '@patinox/cache/redis' });
    expect(error.message).toContain('@patinox/cache/redis needs the optional peer dependency ioredis');
    expect(error.message).toContain('npm install ioredis@"^5.8.0 || ^6.0.0"');
    expect(error.context).toEqual({ peer: 'ioredis', feature: '@patinox/cache/redis', range: '^5.8.0 || ^6.0.0' });
    expect(isPatinoxError(error, 'ERRORS_PEER_DEPENDENCY_MISSING')).toBe(true);
  });
});

describe('loadPeer', () => {
  it('turns a CommonJS "cannot find module" of the peer into ERRORS_PEER_DEPENDENCY_MISSING, keeping the cause', () => {
    let thrown: unknown;
    try {
      loadPeer('no-such-peer-xyz', '@patinox/x/feature', () => emptyRequire('no-such-peer-xyz') as unknown);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MissingPeerError);
    expect(thrown).toMatchObject({ code: 'ERRORS_PEER_DEPENDENCY_MISSING', peer: 'no-such-peer-xyz', feature: '@patinox/x/feature' });
    expect((thrown as Error).message).toContain('npm install no-such-peer-xyz');
    expect((thrown as { cause: { code: string } }).cause.code).toBe('MODULE_NOT_FOUND');
  });

  it('returns what load returns when the peer is there', () => {
    expect(loadPeer('node:path', 'test', () => emptyRequire('node:path') as typeof import('node:path')).join('a', 'b')).toBe(join('a', 'b'));
  });

  it('rethrows other failures unchanged, including a missing dependency of the peer itself', () => {
    const broken = new Error('addon failed to load');
    expect(() => loadPeer('lz4-napi', 'f', () => { throw broken; })).toThrow(broken);
    const inner = Object.assign(new Error("Cannot find module 'some-dep-of-the-peer'"), { code: 'MODULE_NOT_FOUND' });
    expect(() => loadPeer('the-peer', 'f', () => { throw inner; })).toThrow(inner);
  });
});

describe('importPeer', () => {
  it('turns an ESM "cannot find package" of the peer into ERRORS_PEER_DEPENDENCY_MISSING', async () => {
    const esmMissing = Object.assign(new Error(`Cannot find package 'msgpackr' imported from ${dir}/index.js`), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(importPeer('msgpackr', '@patinox/cache/msgpack', () => Promise.reject(esmMissing))).rejects.toMatchObject({
      code: 'ERRORS_PEER_DEPENDENCY_MISSING',
      peer: 'msgpackr',
    });
    await expect(importPeer('pg', 'f', () => Promise.resolve(42))).resolves.toBe(42);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('isMissingModule', () => {
  it('matches only not-found errors for that exact package', () => {
    expect(isMissingModule(Object.assign(new Error("Cannot find module 'pg'"), { code: 'MODULE_NOT_FOUND' }), 'pg')).toBe(true);
    expect(isMissingModule(Object.assign(new Error("Cannot find module 'pg-types'"), { code: 'MODULE_NOT_FOUND' }), 'pg')).toBe(false);
    expect(isMissingModule(new Error("Cannot find module 'pg'"), 'pg')).toBe(false);
    expect(isMissingModule(null, 'pg')).toBe(false);
    expect(isMissingModule({ code: 'MODULE_NOT_FOUND' }, 'pg')).toBe(false);
  });
});
