import type * as pg from 'pg';
import { describeThrown, describeValue, expectFunction, expectObject, expectString, expectTimerMs, expectTimerMsOrZero, optional, rejectUnknownKeys, toError } from '@patinox/errors';
import type { ConnectionManager } from '../connection-manager.js';
import { PgConfigError, PgConnectError } from './errors.js';
import { PG_MANAGER_OPTION_KEYS, type PgClientConstructor, type PgConnectionManagerOptions } from './options.js';
import { pgPeer } from './peer.js';
import { trackTransactionStatus, transactionStatus } from './transaction-status.js';

// pg's own flags for a client that is closing or whose socket failed; pg-pool reads the same two.
interface ClientInternals {
  _ending?: boolean;
  _queryable?: boolean;
  connection?: { stream?: { destroy?: (error?: Error) => void } };
}

const yes = (): boolean => true;
const no = (): boolean => false;
const ignore = (): void => undefined;

/** True when pg will refuse further queries on `client` (it is ending, or its socket failed). */
export function isClientBroken(client: pg.Client): boolean {
  const internals = client as unknown as ClientInternals;
  return internals._ending === true || internals._queryable === false;
}

function destroySocket(client: pg.Client, reason: unknown): void {
  const destroy = (client as unknown as ClientInternals).connection?.stream?.destroy;
  if (typeof destroy === 'function') destroy.call((client as unknown as ClientInternals).connection!.stream, toError(reason));
  else void client.end().catch(ignore);
}

// Retrying cannot help SQLSTATE class 28 (invalid authorization), 3D000 (no such database), or a
// Node argument error (ERR_SOCKET_BAD_PORT and kin: a config value the socket layer refuses).
function connectError(error: unknown): PgConnectError {
  const cause = toError(error);
  const code = (cause as { code?: unknown }).code;
  const sqlstate = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  const permanent =
    (sqlstate !== undefined && (sqlstate.startsWith('28') || sqlstate === '3D000')) || (typeof code === 'string' && code.startsWith('ERR_'));
  return new PgConnectError(`Could not connect to PostgreSQL: ${cause.message}`, sqlstate, permanent, cause);
}

/** Builds one client, turning a constructor throw into a {@link PgConfigError}. */
export function newClient(Client: PgClientConstructor, config: string | pg.ClientConfig | undefined): pg.Client {
  try {
    return new Client(config);
  } catch (error) {
    throw new PgConfigError(`pg.Client refused the connection config: ${describeThrown(error)}`, error);
  }
}

/**
 * A {@link ConnectionManager} for `pg.Client`: connects honouring the pool's abort signal (a connect that
 * passes `createTimeoutMs` has its socket destroyed, so a server that accepts TCP but never answers cannot
 * hang anyone), validates idle clients with an empty query, rolls back a client returned inside a
 * transaction (and resets its session when `resetSession` asks), and watches each client's `'error'`
 * event so a client the server dropped is destroyed.
 *
 * @example
 * ```ts
 * import { Pool } from '@patinox/pool';
 * import { createPgConnectionManager } from '@patinox/pool/pg';
 *
 * const pool = new Pool(createPgConnectionManager({ config: process.env.DATABASE_URL }), { maxSize: 10 });
 * const rows = await pool.use((client) => client.query('SELECT now()'));
 * ```
 * @throws {PgConfigError} `POOL_PG_CONFIG_INVALID` when `pg.Client` refuses `config`.
 * @throws TypeError / RangeError for a malformed option.
 */
export function createPgConnectionManager(options: PgConnectionManagerOptions = {}): ConnectionManager<pg.Client> {
  expectObject('options', options);
  rejectUnknownKeys('options', options, PG_MANAGER_OPTION_KEYS);
  const config = options.config;
  if (config !== undefined && typeof config !== 'string' && (typeof config !== 'object' || config === null)) {
    throw new TypeError(`Expected \`config\` to be a connection string or a pg.ClientConfig object, got ${describeValue(config)}`);
  }
  if (options.Client !== undefined) expectFunction('Client', options.Client);
  const Client: PgClientConstructor = options.Client ?? pgPeer().Client;
  const validationQuery = optional('validationQuery', options.validationQuery, expectString, '');
  const reset = options.resetSession;
  if (reset !== undefined && typeof reset !== 'boolean' && (typeof reset !== 'string' || reset.trim() === '')) {
    throw new TypeError(`Expected \`resetSession\` to be a boolean or a non-empty SQL string, got ${describeValue(reset)}`);
  }
  const resetSql = reset === true ? 'DISCARD ALL' : typeof reset === 'string' ? reset : undefined;
  const onConnect = optional('onConnect', options.onConnect, expectFunction, undefined) as PgConnectionManagerOptions['onConnect'];
  const endTimeoutMs = optional('endTimeoutMs', options.endTimeoutMs, expectTimerMsOrZero, 5000);
  const configTimeout = typeof config === 'object' ? config.connectionTimeoutMillis : undefined;
  const connectTimeoutMs =
    options.connectTimeoutMs !== undefined
      ? expectTimerMs('connectTimeoutMs', options.connectTimeoutMs)
      : typeof configTimeout === 'number' && configTimeout > 0
        ? configTimeout
        : undefined;
  // Surface a config the driver refuses now, not as a create failure on the first acquire.
  newClient(Client, config);

  const resetAfterRollback = async (client: pg.Client): Promise<void> => {
    await client.query('ROLLBACK');
    if (resetSql !== undefined) await client.query(resetSql);
  };

  const manager: ConnectionManager<pg.Client> = {
    async create(signal) {
      const client = newClient(Client, config);
      trackTransactionStatus(client);
      // A client still reports socket errors after it left the pool (while ending): without a listener
      // pg would throw them from an EventEmitter and crash the process. Live ones go through watch().
      client.on('error', ignore);
      if (signal.aborted) throw toError(signal.reason);
      const onAbort = (): void => destroySocket(client, signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await client.connect();
        if (onConnect !== undefined) await onConnect(client);
      } catch (error) {
        void client.end().catch(ignore);
        if (signal.aborted) throw toError(signal.reason);
        throw connectError(error);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
      return client;
    },
    isValid(client) {
      if (isClientBroken(client)) return false;
      return client.query(validationQuery).then(yes, no);
    },
    recycle(client) {
      const status = transactionStatus(client);
      // 'T' in a transaction, 'E' in a failed one: the next borrower must not inherit either.
      if (status === 'T' || status === 'E') return resetAfterRollback(client);
      if (resetSql !== undefined) return client.query(resetSql).then(ignore);
      return undefined;
    },
    destroy(client) {
      if (isClientBroken(client) && (client as unknown as ClientInternals)._queryable === false) {
        destroySocket(client, new Error('connection destroyed by the pool'));
        return undefined;
      }
      return new Promise<void>((resolve) => {
        // A server that never acknowledges the goodbye must not keep the socket (or close()) waiting.
        const timer = setTimeout(() => {
          destroySocket(client, new Error(`PostgreSQL did not close the connection within ${endTimeoutMs} ms`));
          resolve();
        }, endTimeoutMs);
        timer.unref();
        client.end().then(
          () => {
            clearTimeout(timer);
            resolve();
          },
          () => {
            clearTimeout(timer);
            resolve();
          },
        );
      });
    },
    watch(client, onError) {
      client.on('error', onError);
      return () => {
        client.off('error', onError);
      };
    },
  };
  if (connectTimeoutMs !== undefined) (manager as { connectTimeoutMs?: number }).connectTimeoutMs = connectTimeoutMs;
  return manager;
}
