import { createRequire } from 'node:module';
import { loadPeer } from '@patinox/errors';

// `require` relative to this package. The optional peers are loaded when a feature is first used, not
// when its subpath is imported, so a missing one surfaces as a coded MissingPeerError
// (ERRORS_PEER_DEPENDENCY_MISSING, naming the package to install) instead of Node's bare "cannot find package".
// The ESM build knows its location from import.meta; tools/scripts/build-package.mjs rewrites that to a URL
// of __filename in the CommonJS build, where import.meta does not exist.
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore TS1343 in the CommonJS build only (rewritten after compilation)
const peerRequire: NodeJS.Require = createRequire(import.meta.url);

/** @internal ioredis, for `@patinox/cache/redis`. */
export function ioredisPeer(): typeof import('ioredis') {
  return loadPeer('ioredis', '@patinox/cache/redis', () => peerRequire('ioredis') as typeof import('ioredis'));
}

/** @internal pg, for `@patinox/cache/postgres`. */
export function pgPeer(): typeof import('pg') {
  return loadPeer('pg', '@patinox/cache/postgres', () => peerRequire('pg') as typeof import('pg'));
}

/** @internal msgpackr, for `@patinox/cache/msgpack`. */
export function msgpackrPeer(): typeof import('msgpackr') {
  return loadPeer('msgpackr', '@patinox/cache/msgpack', () => peerRequire('msgpackr') as typeof import('msgpackr'));
}

/** @internal lz4-napi, for `@patinox/cache/lz4`. */
export function lz4Peer(): typeof import('lz4-napi') {
  return loadPeer('lz4-napi', '@patinox/cache/lz4', () => peerRequire('lz4-napi') as typeof import('lz4-napi'));
}
