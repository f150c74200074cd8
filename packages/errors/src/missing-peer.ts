import { ERRORS_ERROR_CODES } from './errors.js';
import { PatinoxError } from './patinox-error.js';

/** Code of {@link MissingPeerError}. */
export const ERRORS_PEER_DEPENDENCY_MISSING = ERRORS_ERROR_CODES.peerDependencyMissing;

/**
 * A feature needs an optional peer dependency that is not installed (`@patinox/cache/redis` without
 * `ioredis`). The message names the package to install; `context.peer` and `context.feature` hold both.
 * Recovery is `fail`: install the package (or pass your own client where the feature accepts one).
 */
export class MissingPeerError extends PatinoxError {
  /** The package to install, e.g. `ioredis`. */
  readonly peer: string;
  /** What needs it, e.g. `@patinox/cache/redis`. */
  readonly feature: string;

  constructor(peer: string, feature: string, options: { range?: string; cause?: unknown } = {}) {
    const spec = options.range === undefined ? peer : `${peer}@"${options.range}"`;
    super(`${feature} needs the optional peer dependency ${peer}, which is not installed: run \`npm install ${spec}\` (or pnpm add / yarn add)`, {
      code: ERRORS_PEER_DEPENDENCY_MISSING,
      recovery: 'fail',
      context: { peer, feature, ...(options.range === undefined ? {} : { range: options.range }) },
      cause: options.cause,
    });
    this.name = new.target.name;
    this.peer = peer;
    this.feature = feature;
  }
}

/** True when `error` is Node's "cannot find module/package" for `name` itself (not for something `name` imports). */
export function isMissingModule(error: unknown, name: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') return false;
  if (typeof message !== 'string') return false;
  // CJS: "Cannot find module 'ioredis'"; ESM: "Cannot find package 'ioredis' imported from …".
  return message.includes(`'${name}'`) || message.includes(`"${name}"`);
}

/**
 * Loads optional peer `peer` for `feature` with `load` (a `require` or `import()` of it), turning Node's
 * not-found error for that package into a {@link MissingPeerError}; any other failure is rethrown as is.
 *
 * @example
 * ```ts
 * const { Redis } = loadPeer('ioredis', '@patinox/cache/redis', () => localRequire('ioredis') as typeof import('ioredis'));
 * ```
 * @throws MissingPeerError (`ERRORS_PEER_DEPENDENCY_MISSING`) when the package is not installed.
 */
export function loadPeer<T>(peer: string, feature: string, load: () => T, range?: string): T {
  try {
    return load();
  } catch (error) {
    if (isMissingModule(error, peer)) throw new MissingPeerError(peer, feature, { range, cause: error });
    throw error;
  }
}

/** {@link loadPeer} for an asynchronous `load` (`() => import('pg')`). */
export async function importPeer<T>(peer: string, feature: string, load: () => Promise<T>, range?: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissingModule(error, peer)) throw new MissingPeerError(peer, feature, { range, cause: error });
    throw error;
  }
}
