import type { Redis } from 'ioredis';

/** What a borrower may leave open on the server for the next borrower of its connection to inherit. */
export type OpenTransaction = 'multi' | 'watch' | undefined;

interface TransactionState {
  watching: boolean;
  inMulti: boolean;
}

const states = new WeakMap<Redis, TransactionState>();

/**
 * Follows the `WATCH` and `MULTI` commands `client` sends. ioredis keeps no record of either, yet a
 * connection handed back with a `WATCH` still set makes the next borrower's transaction abort (`exec()`
 * answers null), and one inside `MULTI` (`multi({ pipeline: false })`) makes its commands only queued.
 * Every command passes through `sendCommand`, pipelines and `call()` included; the check is a switch on
 * the command name.
 */
export function trackTransactions(client: Redis): void {
  const state: TransactionState = { watching: false, inMulti: false };
  const send = client.sendCommand.bind(client);
  // Fixed parameters, no rest array: this runs for every command. Redis#sendCommand takes these two.
  client.sendCommand = (command: Parameters<Redis['sendCommand']>[0], stream?: Parameters<Redis['sendCommand']>[1]): ReturnType<Redis['sendCommand']> => {
    switch ((command as { name?: unknown } | undefined)?.name) {
      case 'watch':
        state.watching = true;
        break;
      case 'multi':
        state.inMulti = true;
        break;
      case 'exec':
      case 'discard':
        state.watching = false;
        state.inMulti = false;
        break;
      case 'unwatch':
        state.watching = false;
        break;
    }
    return send(command, stream);
  };
  states.set(client, state);
}

/** The transaction state `client`'s last borrower left open, if any (`multi` when both are). */
export function openTransaction(client: Redis): OpenTransaction {
  const state = states.get(client);
  if (state === undefined) return undefined;
  return state.inMulti ? 'multi' : state.watching ? 'watch' : undefined;
}

/** Ends what {@link openTransaction} found: `DISCARD` (which also drops the `WATCH`) or `UNWATCH`. */
export async function endTransaction(client: Redis, open: 'multi' | 'watch'): Promise<void> {
  await (open === 'multi' ? client.discard() : client.unwatch());
}
