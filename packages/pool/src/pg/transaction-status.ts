import type * as pg from 'pg';

// What the status reads on a client: `getTransactionStatus()` (pg 8.21 on), else pg's protocol emitter,
// whose ReadyForQuery messages carry it ('I' idle, 'T' in a transaction, 'E' in a failed one).
interface StatusSource {
  getTransactionStatus?: () => string | null;
  connection?: { on?: (event: 'readyForQuery', listener: (message: { status?: unknown } | undefined) => void) => unknown };
}

const tracked = new WeakMap<pg.Client, string>();

/**
 * Follows `client`'s transaction status where pg does not keep it: the peer range starts at pg 8.16,
 * `getTransactionStatus()` arrived in 8.21. Call it before the client connects.
 */
export function trackTransactionStatus(client: pg.Client): void {
  const source = client as unknown as StatusSource;
  if (typeof source.getTransactionStatus === 'function') return;
  const connection = source.connection;
  if (typeof connection?.on !== 'function') return;
  connection.on('readyForQuery', (message) => {
    if (typeof message?.status === 'string') tracked.set(client, message.status);
  });
}

/** `client`'s transaction status after its last completed query; undefined when it cannot be known. */
export function transactionStatus(client: pg.Client): string | null | undefined {
  const source = client as unknown as StatusSource;
  return typeof source.getTransactionStatus === 'function' ? source.getTransactionStatus() : tracked.get(client);
}
