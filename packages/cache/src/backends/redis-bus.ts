import { describeThrown, describeValue, expectBoolean, expectNonEmptyString, expectTimerMsOrZero, rejectUnknownKeys, toError } from '@patinox/errors';
import type { Cluster, Redis } from 'ioredis';
import type { BusListener, BusState, InvalidationBus, InvalidationMessage } from '../tiered/bus.js';
import { CacheBackendError, TieredCacheError } from '../errors.js';
import { clusterSlot } from '../internal/cluster-slot.js';
import { quitWithin } from '../internal/quit.js';
import type { RedisClient } from './redis-backend.js';

/** Options of {@link RedisBus}. */
export interface RedisBusOptions {
  /** The client that publishes (share the `RedisBackend` client); the subscriber connection is derived from it. */
  client: RedisClient;
  /** Pub/sub channel; every instance of one deployment must use the same. @default 'patinox:cache:invalidation' */
  channel?: string;
  /** Called with messages that are not valid invalidations (foreign publishers). @default ignore */
  onInvalidMessage?: (raw: string, error: Error) => void;
  /**
   * Use sharded pub/sub (`SPUBLISH`/`SSUBSCRIBE`, Redis 7+) when the server has it, classic
   * `PUBLISH`/`SUBSCRIBE` when it answers "unknown command" (detected on the first subscribe or publish;
   * see `pubSubMode`). On a Redis Cluster a sharded message travels only to the master owning the
   * channel's slot, where a classic one is broadcast over the cluster bus to every node (about 10 times
   * the lag at p99). Sharded and classic subscribers do not hear each other: set `false` on every
   * instance while instances of a version that only used `PUBLISH` still run.
   * @default true
   */
  sharded?: boolean;
  /**
   * How often the listening connection is PINGed while the bus is `connected`, in ms; a PING still
   * unanswered a period later reports the bus `disconnected` (so L1 stops trusting its copies) and
   * reconnects it. Without it, a server that stops answering without closing its sockets (paused, or
   * behind a silent network partition) looks connected while invalidations stop arriving. 0 turns it off.
   * @default 1000
   */
  heartbeatMs?: number;
}

/** How a {@link RedisBus} talks: sharded pub/sub, classic pub/sub, or not yet known (no answer yet). */
export type RedisPubSubMode = 'sharded' | 'classic' | 'detecting';

const REDIS_BUS_OPTION_KEYS = ['client', 'channel', 'onInvalidMessage', 'sharded', 'heartbeatMs'] as const satisfies readonly (keyof RedisBusOptions)[];
const DEFAULT_HEARTBEAT_MS = 1000;
const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 1000;

/**
 * An {@link InvalidationBus} on Redis pub/sub: publishes on the shared client, listens on a dedicated
 * connection, and reports `disconnected` the moment that connection drops and `connected` only once the
 * subscription is confirmed again, so no window of lost messages goes unnoticed.
 *
 * On a Redis Cluster the listening connection goes to the master that owns the channel's hash slot (where
 * `SPUBLISH` delivers), and moves when the slot does (a failover or a resharding), reporting the move as
 * a disconnect and reconnect.
 *
 * @example
 * ```ts
 * const l2 = new RedisBackend({ url });
 * const cache = new TieredCache({ l2, bus: new RedisBus({ client: l2.client }), namespace: 'app' });
 * ```
 */
export class RedisBus implements InvalidationBus {
  readonly channel: string;
  readonly #publisher: RedisClient;
  readonly #cluster: Cluster | undefined;
  readonly #listeners = new Set<BusListener>();
  readonly #onInvalid: (raw: string, error: Error) => void;
  readonly #readyWaiters: (() => void)[] = [];
  readonly #allowSharded: boolean;
  #mode: RedisPubSubMode;
  #subscriber: Redis | undefined;
  /** `host:port` of the cluster master the subscriber listens on. */
  #node: string | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryMs = RETRY_MIN_MS;
  #state: BusState = 'disconnected';
  #closed = false;
  #closing: Promise<void> | undefined;
  #lastError: Error | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  /** The listening connection whose heartbeat PING has not been answered yet. */
  #pinged: Redis | undefined;
  /** Resolves once the first subscription is confirmed, or the bus is closed. */
  readonly ready: Promise<void>;

  constructor(options: RedisBusOptions) {
    if (typeof options !== 'object' || options === null || typeof (options.client as { duplicate?: unknown } | undefined)?.duplicate !== 'function') {
      throw new TypeError(`Expected \`client\` to be an ioredis Redis or Cluster, got ${describeValue(options?.client)}`);
    }
    rejectUnknownKeys('options', options, REDIS_BUS_OPTION_KEYS);
    const channel = options.channel ?? 'patinox:cache:invalidation';
    expectNonEmptyString('channel', channel);
    this.#allowSharded = options.sharded === undefined ? true : expectBoolean('sharded', options.sharded);
    this.#mode = this.#allowSharded ? 'detecting' : 'classic';
    const heartbeatMs = options.heartbeatMs === undefined ? DEFAULT_HEARTBEAT_MS : expectTimerMsOrZero('heartbeatMs', options.heartbeatMs);
    this.channel = channel;
    this.#onInvalid = options.onInvalidMessage ?? (() => undefined);
    this.#publisher = options.client;
    this.ready = new Promise<void>((resolve) => this.#readyWaiters.push(resolve));
    if ((options.client as { isCluster?: boolean }).isCluster === true) {
      this.#cluster = options.client as Cluster;
      // A slot map refresh (after MOVED, failover, resharding) may move the channel to another master.
      this.#cluster.on('refresh', this.#onRefresh);
      void this.#openClusterSubscriber();
    } else {
      // The duplicate reconnects on its own; every 'ready' subscribes again.
      this.#attach((options.client as Redis).duplicate({ autoResubscribe: false, maxRetriesPerRequest: null, enableOfflineQueue: true }));
    }
    if (heartbeatMs > 0) {
      this.#heartbeat = setInterval(this.#beat, heartbeatMs);
      this.#heartbeat.unref();
    }
  }

  get state(): BusState {
    return this.#state;
  }

  /** Sharded or classic pub/sub, once the server has answered a subscribe or a publish. */
  get pubSubMode(): RedisPubSubMode {
    return this.#mode;
  }

  /** The last error of the listening connection or its subscription. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  async publish(message: InvalidationMessage): Promise<void> {
    if (this.#closed) throw new TieredCacheError('RedisBus is closed', 'CACHE_CLOSED');
    const payload = JSON.stringify(message);
    try {
      if (this.#mode === 'classic') {
        await this.#publisher.publish(this.channel, payload);
        return;
      }
      try {
        await this.#publisher.spublish(this.channel, payload);
        this.#mode = 'sharded';
      } catch (err) {
        if (!isUnknownCommand(err)) throw err;
        this.#mode = 'classic';
        await this.#publisher.publish(this.channel, payload);
      }
    } catch (err) {
      throw new CacheBackendError(`Publishing an invalidation failed: ${describeThrown(err)}`, { channel: this.channel }, err);
    }
  }

  subscribe(listener: BusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** True once {@link RedisBus.close} ran: `publish` and `subscribe` then fail with `CACHE_CLOSED`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Same as {@link RedisBus.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Stops listening: `QUIT` on the listening connection, or the connection dropped when Redis does not
   * answer within 1 s. The publishing client is the caller's (or the `RedisBackend`'s) to close. A second
   * call returns the first one's promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    clearTimeout(this.#retryTimer);
    clearInterval(this.#heartbeat);
    this.#cluster?.off('refresh', this.#onRefresh);
    for (const resolve of this.#readyWaiters.splice(0)) resolve();
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    if (subscriber === undefined) return;
    // QUIT on a connection that is down would wait in the offline queue until the server returns.
    if (subscriber.status !== 'ready') {
      subscriber.disconnect();
      return;
    }
    await quitWithin(subscriber);
  }

  /** Wires a listening connection: messages, outage reports, and a subscription on every 'ready'. */
  #attach(subscriber: Redis): void {
    this.#subscriber = subscriber;
    subscriber.on('error', (err: unknown) => {
      this.#lastError = toError(err);
      // The master gave the channel's slot away (resharding, failover) and dropped our subscription with
      // an unsolicited `sunsubscribe` that ioredis reports as a queue error: re-read the slot map and move.
      if (this.#cluster !== undefined && subscriber === this.#subscriber && /sunsubscribe/i.test(this.#lastError.message)) {
        this.#setState('disconnected');
        this.#cluster.refreshSlotsCache();
        subscriber.disconnect();
      }
    });
    const onMessage = (channel: Buffer, payload: Buffer): void => {
      if (subscriber === this.#subscriber && channel.toString() === this.channel) this.#deliver(payload.toString('utf8'));
    };
    subscriber.on('messageBuffer', onMessage);
    subscriber.on('smessageBuffer', onMessage);
    const down = (): void => {
      if (subscriber === this.#subscriber) this.#setState('disconnected');
    };
    subscriber.on('close', down);
    subscriber.on('reconnecting', down);
    subscriber.on('end', () => {
      down();
      // Cluster listeners do not reconnect by themselves: find the slot's owner again.
      if (this.#cluster !== undefined && subscriber === this.#subscriber) this.#retryLater(() => this.#openClusterSubscriber());
    });
    // SSUBSCRIBE sent to a master that no longer owns the slot: ioredis reports 'moved' and drops the reply.
    subscriber.on('moved', () => {
      this.#cluster?.refreshSlotsCache();
      subscriber.disconnect();
    });
    subscriber.on('ready', () => {
      void this.#subscribe(subscriber);
    });
  }

  async #subscribe(subscriber: Redis): Promise<void> {
    try {
      if (this.#mode === 'classic') {
        await subscriber.subscribe(this.channel);
      } else {
        try {
          await subscriber.ssubscribe(this.channel);
          this.#mode = 'sharded';
        } catch (err) {
          if (!isUnknownCommand(err)) throw err;
          this.#mode = 'classic';
          await subscriber.subscribe(this.channel);
        }
      }
      if (subscriber !== this.#subscriber || this.#closed) return;
      this.#retryMs = RETRY_MIN_MS;
      this.#setState('connected');
    } catch (err) {
      // A refused subscription (NOPERM, a connection lost mid-way): try again while this connection is current.
      this.#lastError = toError(err);
      this.#retryLater(() => {
        if (subscriber === this.#subscriber && subscriber.status === 'ready') void this.#subscribe(subscriber);
      });
    }
  }

  async #openClusterSubscriber(): Promise<void> {
    if (this.#closed) return;
    const cluster = this.#cluster!;
    try {
      // The slot map arrives with the cluster's first connection; a queued command waits for it.
      if (cluster.status !== 'ready') await cluster.ping();
      const owner = cluster.slots[clusterSlot(this.channel)]?.[0];
      const masters = cluster.nodes('master');
      const node = masters.find((n) => nodeKey(n) === owner) ?? masters[0];
      if (node === undefined) throw new CacheBackendError('Redis Cluster has no reachable master', { channel: this.channel });
      if (this.#closed) return;
      this.#node = nodeKey(node);
      // Cluster nodes carry the cluster's redisOptions (TLS, ACL user); a dropped listener ends and is reopened on the slot's current owner.
      this.#attach(node.duplicate({ autoResubscribe: false, maxRetriesPerRequest: null, enableOfflineQueue: true, retryStrategy: () => null, lazyConnect: false }));
    } catch (err) {
      this.#lastError = toError(err);
      this.#retryLater(() => this.#openClusterSubscriber());
    }
  }

  readonly #onRefresh = (): void => {
    const cluster = this.#cluster!;
    const owner = cluster.slots[clusterSlot(this.channel)]?.[0];
    if (this.#closed || owner === undefined || owner === this.#node || this.#subscriber === undefined) return;
    // The channel's slot moved: this listener hears nothing any more. Its 'end' reopens on the new owner.
    this.#setState('disconnected');
    this.#subscriber.disconnect();
  };

  /** One heartbeat: the previous PING unanswered means the listener is silent; otherwise PING again. */
  readonly #beat = (): void => {
    const subscriber = this.#subscriber;
    if (this.#closed || subscriber === undefined || this.#state !== 'connected' || subscriber.status !== 'ready') {
      this.#pinged = undefined;
      return;
    }
    if (this.#pinged === subscriber) {
      this.#pinged = undefined;
      this.#lastError = new CacheBackendError('The invalidation listener did not answer a PING within heartbeatMs', { channel: this.channel });
      this.#setState('disconnected');
      // A standalone listener reconnects by itself; a cluster listener ends and is reopened on the slot's owner.
      if (this.#cluster === undefined) subscriber.disconnect(true);
      else subscriber.disconnect();
      return;
    }
    this.#pinged = subscriber;
    const answered = (): void => {
      if (this.#pinged === subscriber) this.#pinged = undefined;
    };
    subscriber.ping().then(answered, answered);
  };

  #retryLater(retry: () => void): void {
    if (this.#closed) return;
    clearTimeout(this.#retryTimer);
    const delay = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#closed) retry();
    }, delay);
    this.#retryTimer.unref();
  }

  #setState(state: BusState): void {
    if (this.#closed || state === this.#state) return;
    this.#state = state;
    for (const listener of [...this.#listeners]) listener.onStateChange(state);
    if (state === 'connected') for (const resolve of this.#readyWaiters.splice(0)) resolve();
  }

  #deliver(raw: string): void {
    let message: InvalidationMessage;
    try {
      message = JSON.parse(raw) as InvalidationMessage;
      if (typeof message !== 'object' || message === null || typeof message.namespace !== 'string' || typeof message.origin !== 'string') {
        throw new TypeError('not an invalidation message');
      }
    } catch (err) {
      this.#onInvalid(raw, toError(err));
      return;
    }
    for (const listener of [...this.#listeners]) listener.onMessage(message);
  }
}

function nodeKey(node: Redis): string {
  return `${node.options.host ?? 'localhost'}:${node.options.port ?? 6379}`;
}

/** Redis before 7 (or with the command renamed away) answers `ERR unknown command 'SSUBSCRIBE'`. */
function isUnknownCommand(err: unknown): boolean {
  return /unknown command/i.test(describeThrown(err));
}
