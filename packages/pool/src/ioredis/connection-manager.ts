import type { Redis, RedisOptions } from 'ioredis';
import { describeThrown, describeValue, expectFunction, expectObject, expectTimerMs, rejectUnknownKeys, toError } from '@patinox/errors';
import type { ConnectionManager } from '../connection-manager.js';
import { RedisConnectError } from './errors.js';
import { IOREDIS_MANAGER_OPTION_KEYS, type IoredisConnectionManagerOptions } from './options.js';
import { ioredisPeer } from './peer.js';
import { endTransaction, openTransaction, trackTransactions, type OpenTransaction } from './transaction-tracker.js';

// Options that would fight the pool: it, not ioredis, reconnects and queues.
const OWNED_BY_POOL: RedisOptions = { lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false, autoResubscribe: false };
// Listeners a borrower adds for pub/sub must not deliver the next borrower's messages.
const MESSAGE_EVENTS = ['message', 'messageBuffer', 'pmessage', 'pmessageBuffer', 'smessage', 'smessageBuffer'] as const;
const PERMANENT = /^(WRONGPASS|NOAUTH|NOPERM)\b/;

const yes = (): boolean => true;
const no = (): boolean => false;

// Whether the connection holds subscriptions. Not `client.mode`: ioredis 6 speaks RESP3 by default, where a
// subscribed connection still runs every command and `mode` stays 'normal' (ioredis 5, RESP2, says
// 'subscriber'); `condition.subscriber` is the subscription set in both majors, and false without one.
const isSubscribed = (client: Redis): boolean => Boolean(client.condition?.subscriber);

async function leaveSubscriberMode(client: Redis): Promise<void> {
  await Promise.all([client.unsubscribe(), client.punsubscribe(), client.sunsubscribe()]);
  if (isSubscribed(client)) throw new Error('connection still subscribed after unsubscribing');
}

// A transaction first: inside MULTI, the SELECT would only be queued.
async function resetConnection(client: Redis, open: OpenTransaction, subscribed: boolean, db: number | undefined): Promise<void> {
  if (open !== undefined) await endTransaction(client, open);
  if (subscribed) await leaveSubscriberMode(client);
  if (db !== undefined) await client.select(db);
}

/**
 * A {@link ConnectionManager} for dedicated ioredis connections: the ones a multiplexed client cannot
 * share (blocking `BLPOP`/`XREAD BLOCK`/`WAIT`, pub/sub subscribers, `WATCH`/`MULTI`). Connects honouring the
 * pool's abort signal, validates with `PING`, and on return ends a `WATCH` or `MULTI` its borrower left
 * open, unsubscribes a subscriber connection, drops the message listeners its borrower added and
 * `SELECT`s the configured database again; a connection left in `MONITOR` mode is destroyed. A connection the server closes (`CLIENT KILL`, restart, timeout)
 * is dropped at once and replaced.
 *
 * @example
 * ```ts
 * import { Pool } from '@patinox/pool';
 * import { createIoredisConnectionManager, useRedis } from '@patinox/pool/ioredis';
 *
 * const pool = new Pool(createIoredisConnectionManager({ redis: 'redis://127.0.0.1:6379' }), { maxSize: 8 });
 * const job = await useRedis(pool, (redis) => redis.blpop('jobs', 5));
 * ```
 * @throws TypeError / RangeError for a malformed option.
 */
export function createIoredisConnectionManager(options: IoredisConnectionManagerOptions = {}): ConnectionManager<Redis> {
  expectObject('options', options);
  rejectUnknownKeys('options', options, IOREDIS_MANAGER_OPTION_KEYS);
  const redis = options.redis;
  if (redis !== undefined && typeof redis !== 'string' && (typeof redis !== 'object' || redis === null)) {
    throw new TypeError(`Expected \`redis\` to be a redis:// URL or ioredis RedisOptions, got ${describeValue(redis)}`);
  }
  if (options.Redis !== undefined) expectFunction('Redis', options.Redis);
  const RedisClass = options.Redis ?? ioredisPeer().Redis;
  if (options.onConnect !== undefined) expectFunction('onConnect', options.onConnect);
  const onConnect = options.onConnect;
  const configTimeout = typeof redis === 'object' ? redis.connectTimeout : undefined;
  const connectTimeoutMs =
    options.connectTimeoutMs !== undefined ? expectTimerMs('connectTimeoutMs', options.connectTimeoutMs) : configTimeout !== undefined && configTimeout > 0 ? configTimeout : undefined;
  const make = (): Redis => (typeof redis === 'string' ? new RedisClass(redis, OWNED_BY_POOL) : new RedisClass({ ...redis, ...OWNED_BY_POOL }));

  const manager: ConnectionManager<Redis> = {
    async create(signal) {
      const client = make();
      // connect() rejects with a bare "Connection is closed."; the 'error' event carries the cause.
      // The listener also keeps an unwatched client's errors from crashing the process.
      let lastError: unknown;
      client.on('error', (error: unknown) => {
        lastError = error;
      });
      if (signal.aborted) {
        client.disconnect();
        throw toError(signal.reason);
      }
      const onAbort = (): void => client.disconnect();
      signal.addEventListener('abort', onAbort, { once: true });
      trackTransactions(client);
      try {
        await client.connect();
        if (onConnect !== undefined) await onConnect(client);
      } catch (error) {
        client.disconnect();
        if (signal.aborted) throw toError(signal.reason);
        const cause = lastError ?? error;
        throw new RedisConnectError(cause, PERMANENT.test(describeThrown(cause)));
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
      return client;
    },
    isValid(client) {
      if (client.status !== 'ready' || client.mode === 'monitor') return false;
      return client.ping().then(yes, no);
    },
    recycle(client) {
      if (client.mode === 'monitor') throw new Error('a connection left in MONITOR mode cannot be reused');
      for (const event of MESSAGE_EVENTS) if (client.listenerCount(event) > 0) client.removeAllListeners(event);
      const db = client.options.db ?? 0;
      const reselect = (client.condition?.select ?? db) !== db;
      const open = openTransaction(client);
      const subscribed = isSubscribed(client);
      if (open === undefined && !subscribed && !reselect) return undefined;
      return resetConnection(client, open, subscribed, reselect ? db : undefined);
    },
    destroy(client) {
      client.disconnect();
    },
    watch(client, onError) {
      const onClose = (): void => onError(new Error('Redis connection closed'));
      client.on('close', onClose);
      return () => {
        client.off('close', onClose);
      };
    },
  };
  if (connectTimeoutMs !== undefined) (manager as { connectTimeoutMs?: number }).connectTimeoutMs = connectTimeoutMs;
  return manager;
}
