/** A server named in the environment does not answer; `main` prints the one-line message and exits 1. */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
}
