import { settleWithin } from '@patinox/errors';

/** The part of an ioredis client (`Redis` or `Cluster`) a close needs. */
interface Quittable {
  quit(): Promise<unknown>;
  disconnect(): void;
}

/**
 * How long a close waits for Redis to answer `QUIT` before dropping the connection, in ms. A server that
 * stopped answering (a partition, a paused host) keeps the socket open, and `QUIT` would wait forever.
 */
export const QUIT_WAIT_MS = 1000;

/** Sends `QUIT` and waits for its answer at most `ms`; drops the connection when it fails or is late. */
export async function quitWithin(client: Quittable, ms = QUIT_WAIT_MS): Promise<void> {
  let answered = false;
  await settleWithin(
    client.quit().then(() => {
      answered = true;
    }),
    ms,
  );
  if (!answered) client.disconnect();
}
