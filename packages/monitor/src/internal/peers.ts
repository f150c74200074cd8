import { createRequire } from 'node:module';
import { loadPeer } from '@patinox/errors';

// `require` relative to this package. prom-client is loaded when an exporter without its own `client` is
// created, not when `@patinox/monitor/prometheus` is imported, so a missing install surfaces as a coded
// MissingPeerError (ERRORS_PEER_DEPENDENCY_MISSING, naming prom-client) instead of Node's bare "cannot find package".
// The ESM build knows its location from import.meta; tools/scripts/build-package.mjs rewrites that to a URL
// of __filename in the CommonJS build, where import.meta does not exist.
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore TS1343 in the CommonJS build only (rewritten after compilation)
const peerRequire: NodeJS.Require = createRequire(import.meta.url);

/** @internal prom-client, for `@patinox/monitor/prometheus`. */
export function promClientPeer(): typeof import('prom-client') {
  return loadPeer('prom-client', '@patinox/monitor/prometheus', () => peerRequire('prom-client') as typeof import('prom-client'));
}
