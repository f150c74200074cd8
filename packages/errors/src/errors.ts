/**
 * Every code `@patinox/errors` raises itself, prefixed by the package as every package's codes are
 * (`POOL_*`, `CACHE_*`, `RESOURCE_*`, …). The other packages' codes live in their own `src/errors.ts`.
 */
export const ERRORS_ERROR_CODES = {
  /** A thrown or rejected value that is not an `Error`, wrapped by `toError` ({@link NonErrorThrown}). */
  nonErrorThrown: 'ERRORS_NON_ERROR_THROWN',
  /** A feature needs an optional peer dependency that is not installed ({@link MissingPeerError}). */
  peerDependencyMissing: 'ERRORS_PEER_DEPENDENCY_MISSING',
} as const;

/** One of {@link ERRORS_ERROR_CODES}. */
export type ErrorsErrorCode = (typeof ERRORS_ERROR_CODES)[keyof typeof ERRORS_ERROR_CODES];
