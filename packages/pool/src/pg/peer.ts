import { createRequire } from 'node:module';
import { loadPeer } from '@patinox/errors';

// `require` relative to this package. pg is loaded when a manager is first created, not when
// `@patinox/pool/pg` is imported, so a missing pg surfaces as a coded MissingPeerError
// (ERRORS_PEER_DEPENDENCY_MISSING, naming the package to install) instead of Node's bare "cannot find package".
// The ESM build knows its location from import.meta; tools/scripts/build-package.mjs rewrites that to a URL
// of __filename in the CommonJS build, where import.meta does not exist.
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore TS1343 in the CommonJS build only (rewritten after compilation)
const peerRequire: NodeJS.Require = createRequire(import.meta.url);

/** @internal pg, for `@patinox/pool/pg`. */
export function pgPeer(): typeof import('pg') {
  return loadPeer('pg', '@patinox/pool/pg', () => peerRequire('pg') as typeof import('pg'));
}
