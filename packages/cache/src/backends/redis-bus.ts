import { describeValue, expectNonEmptyString, toError } from '@patinox/errors';
import type { Redis } from 'ioredis';
import type { BusListener, BusState, InvalidationBus, InvalidationMessage } from '../tiered/bus.js';
import { CacheBackendError, TieredCacheError } from '../errors.js';
import type { RedisClient } from './redis-backend.js';

/** Options of {@link RedisBus}. */
export interface RedisBusOptions {
  /** The client that publishes (share the `RedisBackend` client); a subscriber is duplicated from it. */
  client: RedisClient;
  /** Pub/sub channel; every instance of one deployment must use the same. @default 'patinox:cache:invalidation' */
  channel?: string;
  /** Called with messages that are not valid invalidations (foreign publishers). @default ignore */
  onInvalidMessage?: (raw: string, error: Error) => void;
}

/**
 * An {@link InvalidationBus} on Redis pub/sub: publishes on the shared client, listens on a dedicated
 * duplicate connection, and reports `disconnected` the moment that connection drops and `connected`
 * only once SUBSCRIBE is confirmed again, so no window of lost messages goes unnoticed.
 *
 * Works on Redis Cluster too (PUBLISH is broadcast across the cluster bus).
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
  readonly #subscriber: RedisClient;
  readonly #listeners = new Set<BusListener>();
  readonly #onInvalid: (raw: string, error: Error) => void;
  #state: BusState = 'disconnected';
  #closed = false;
  /** Resolves once the first SUBSCRIBE is confirmed (or failed). */
  readonly ready: Promise<void>;

  constructor(options: RedisBusOptions) {
    if (typeof options !== 'object' || options === null || typeof (options.client as { duplicate?: unknown } | undefined)?.duplicate !== 'function') {
      throw new TypeError(`Expected \`client\` to be an ioredis Redis or Cluster, got ${describeValue(options?.client)}`);
    }
    const channel = options.channel ?? 'patinox:cache:invalidation';
    expectNonEmptyString('channel', channel);
    this.channel = channel;
    this.#onInvalid = options.onInvalidMessage ?? (() => undefined);
    this.#publisher = options.client;
    this.#subscriber = (options.client as Redis).duplicate({ autoResubscribe: false, maxRetriesPerRequest: null, enableOfflineQueue: true });
    this.#subscriber.on('error', () => undefined);
    this.#subscriber.on('messageBuffer', (channelBuf: Buffer, payload: Buffer) => {
      if (channelBuf.toString() === this.channel) this.#deliver(payload.toString('utf8'));
    });
    const down = (): void => this.#setState('disconnected');
    this.#subscriber.on('close', down);
    this.#subscriber.on('reconnecting', down);
    this.#subscriber.on('end', down);
    this.#subscriber.on('ready', () => {
      void this.#resubscribe();
    });
    this.ready = new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.#state === 'connected' || this.#closed) resolve();
      };
      this.#readyWaiters.push(check);
    });
  }

  readonly #readyWaiters: (() => void)[] = [];

  get state(): BusState {
    return this.#state;
  }

  async publish(message: InvalidationMessage): Promise<void> {
    if (this.#closed) throw new TieredCacheError('RedisBus is closed', 'CACHE_CLOSED');
    try {
      await this.#publisher.publish(this.channel, JSON.stringify(message));
    } catch (err) {
      throw new CacheBackendError(`Publishing an invalidation failed: ${toError(err).message}`, { channel: this.channel }, err);
    }
  }

  subscribe(listener: BusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    for (const waiter of this.#readyWaiters.splice(0)) waiter();
    try {
      await this.#subscriber.quit();
    } catch {
      this.#subscriber.disconnect();
    }
  }

  async #resubscribe(): Promise<void> {
    try {
      await this.#subscriber.subscribe(this.channel);
      if (!this.#closed) this.#setState('connected');
    } catch {
      // The 'close' that follows reports the outage; the next 'ready' subscribes again.
    }
  }

  #setState(state: BusState): void {
    if (this.#closed || state === this.#state) return;
    this.#state = state;
    for (const listener of [...this.#listeners]) listener.onStateChange(state);
    if (state === 'connected') for (const waiter of this.#readyWaiters.splice(0)) waiter();
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
