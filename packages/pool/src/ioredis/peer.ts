import { createRequire } from 'node:module';
import { loadPeer } from '@patinox/errors';

// `require` relative to this package. ioredis is loaded when a manager is first created, not when
// `@patinox/pool/ioredis` is imported, so a missing ioredis surfaces as a coded MissingPeerError
// (ERRORS_PEER_DEPENDENCY_MISSING, naming the package to install) instead of Node's bare "cannot find package".
// The ESM build knows its location from import.meta; tools/scripts/build-package.mjs rewrites that to a URL
// of __filename in the CommonJS build, where import.meta does not exist.
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore TS1343 in the CommonJS build only (rewritten after compilation)
const peerRequire: NodeJS.Require = createRequire(import.meta.url);

/** @internal ioredis, for `@patinox/pool/ioredis`. */
export function ioredisPeer(): typeof import('ioredis') {
  return loadPeer('ioredis', '@patinox/pool/ioredis', () => peerRequire('ioredis') as typeof import('ioredis'));
}
