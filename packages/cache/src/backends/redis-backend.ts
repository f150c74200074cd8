import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { ioredisPeer } from '../internal/peers.js';
import { describeValue, expectObject, rejectUnknownKeys, toError } from '@patinox/errors';
import { BACKEND_SET_KEYS, type BackendBatchOperation, type BackendCheck, type BackendEntry, type BackendSetOptions, type BackendTouch, type BackendWrite, type CacheBackend } from '../tiered/backend.js';
import { isList } from '../tiered/key-check.js';
import { CacheBackendError } from '../errors.js';
import { quitWithin } from '../internal/quit.js';
import { checkExec, mapRedisError } from './redis-errors.js';
import { evalScript, SCRIPTS } from './redis-scripts.js';
import { SlotRouting } from './slot-routing.js';

/** An ioredis client: a standalone `Redis` or a `Cluster`. */
export type RedisClient = Redis | Cluster;

/** Options of {@link RedisBackend}: pass `client`, or `url`, or `cluster` (startup nodes). */
export interface RedisBackendOptions {
  /** An ioredis `Redis` or `Cluster` you own; it is not closed by `close()`. */
  client?: RedisClient;
  /** A `redis://` or `rediss://` (TLS) URL, with `user:password@` when needed. */
  url?: string;
  /** Startup nodes of a Redis Cluster. */
  cluster?: readonly ClusterNode[];
  /** ioredis options for the standalone client or each cluster node (TLS, username, password, timeouts). @default {} */
  redisOptions?: RedisOptions;
  /** ioredis `Cluster` options. @default {} */
  clusterOptions?: ClusterOptions;
}

const REDIS_BACKEND_OPTION_KEYS = ['client', 'url', 'cluster', 'redisOptions', 'clusterOptions'] as const satisfies readonly (keyof RedisBackendOptions)[];

const DOWN_STATES = new Set(['reconnecting', 'close', 'end', 'disconnecting']);

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

interface Queue<I, T> {
  items: I[];
  waiters: Waiter<T>[];
}

/**
 * A {@link CacheBackend} on Redis through ioredis: standalone, Redis Cluster, TLS and ACL users, or
 * any client you inject. Commands fail fast with `CACHE_BACKEND_UNAVAILABLE` while the connection is
 * down instead of queueing; clients the backend creates also never replay unacknowledged writes after
 * a reconnect.
 *
 * On a cluster, `getMany`/`setMany`/`delete` fan out per slot, `batch` is atomic per hash slot, and
 * `compareAndSet` needs all its keys in one slot (use a hash tag such as `{order:1}`).
 *
 * @example
 * ```ts
 * import { RedisBackend } from '@patinox/cache/redis';
 * const l2 = new RedisBackend({ url: 'redis://127.0.0.1:6379' });
 * ```
 */
export class RedisBackend implements CacheBackend {
  readonly name = 'redis';
  /** The ioredis client (shared with a `RedisBus` built from this backend). */
  readonly client: RedisClient;
  /** True when the client is a Redis Cluster. */
  readonly isCluster: boolean;
  readonly #routing: SlotRouting;
  readonly #owned: boolean;
  #closed = false;
  #closing: Promise<void> | undefined;
  #lastError: Error | undefined;
  #gets: Queue<string, Buffer | null> | undefined;
  #sets: Queue<BackendEntry, boolean> | undefined;

  constructor(options: RedisBackendOptions) {
    expectObject('options', options, 'an object with client, url or cluster');
    // `redisOptions` and `clusterOptions` go to ioredis as they are; this bag itself is closed.
    rejectUnknownKeys('options', options, REDIS_BACKEND_OPTION_KEYS);
    const given = [options.client, options.url, options.cluster].filter((x) => x !== undefined).length;
    if (given !== 1) throw new TypeError(`Expected exactly one of \`client\`, \`url\` or \`cluster\`, got ${given}`);
    if (options.client !== undefined) {
      if (typeof options.client !== 'object' || options.client === null || typeof (options.client as { getBuffer?: unknown }).getBuffer !== 'function') {
        throw new TypeError(`Expected \`client\` to be an ioredis Redis or Cluster, got ${describeValue(options.client)}`);
      }
      this.client = options.client;
      this.#owned = false;
    } else {
      const redisOptions: RedisOptions = {
        // A cache must answer fast or not at all: no retries of in-flight commands, no replays of
        // writes the caller was already told had failed.
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        retryStrategy: (attempt: number) => Math.min(50 * attempt, 1000),
        ...options.redisOptions,
      };
      if (options.url !== undefined) {
        if (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url)) {
          throw new TypeError(`Expected \`url\` to be a redis:// or rediss:// URL, got ${describeValue(options.url)}`);
        }
        this.client = new (ioredisPeer().Redis)(options.url, redisOptions);
      } else {
        const nodes = options.cluster;
        if (nodes === undefined || !isList(nodes) || nodes.length === 0) {
          throw new TypeError(`Expected \`cluster\` to be a non-empty array of startup nodes, got ${describeValue(nodes)}`);
        }
        this.client = new (ioredisPeer().Cluster)([...options.cluster!], { redisOptions, ...options.clusterOptions });
      }
      this.#owned = true;
      // ioredis prints unhandled 'error' events; the failures reach callers as coded errors instead.
      this.client.on('error', (err: unknown) => {
        this.#lastError = toError(err);
      });
    }
    this.isCluster = (this.client as { isCluster?: boolean }).isCluster === true;
    this.#routing = new SlotRouting(this.isCluster);
  }

  /** The last connection error seen on a client this backend created. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  get(key: string): Promise<Buffer | null> {
    // Gets issued in one tick share one MGET (per hash slot on a cluster): one command for many callers.
    return new Promise((resolve, reject) => {
      let queue = this.#gets;
      if (queue === undefined) {
        queue = this.#gets = { items: [], waiters: [] };
        process.nextTick(() => this.#flushGets());
      }
      queue.items.push(key);
      queue.waiters.push({ resolve, reject });
    });
  }

  #flushGets(): void {
    const queue = this.#gets!;
    this.#gets = undefined;
    settle(queue, this.#run('get', () => this.#routing.mget(this.#c(), queue.items)));
  }

  #flushSets(): void {
    const queue = this.#sets;
    // Already sent: a command issued later in the tick flushed them first (see #c).
    if (queue === undefined) return;
    this.#sets = undefined;
    const items = queue.items;
    const run = this.#run('set', async () => {
      await this.#mset(this.#c(), items);
      return items.map(() => true);
    });
    settle(queue, run);
  }

  /** Writes entries that may share one multi-key command (standalone, or one cluster hash slot). */
  async #writeSlot(client: RedisClient, items: readonly BackendEntry[]): Promise<void> {
    if (items.length === 1) {
      const e = items[0]!;
      await (ttlOf(e) > 0 ? client.set(e.key, e.value, 'PX', ttlOf(e)) : client.set(e.key, e.value));
      return;
    }
    // Without TTLs one native MSET; with any TTL one pipeline of SET … PX in call order (so two writes of
    // one key in the same tick land in order): a script call per batch costs Redis more than it saves.
    if (!items.some((e) => ttlOf(e) > 0)) {
      const plain: (string | Buffer)[] = [];
      for (const e of items) plain.push(e.key, e.value);
      await client.mset(...plain);
      return;
    }
    const pipeline = client.pipeline();
    for (const e of items) {
      const ttl = ttlOf(e);
      if (ttl > 0) pipeline.set(e.key, e.value, 'PX', ttl);
      else pipeline.set(e.key, e.value);
    }
    checkExec(await pipeline.exec());
  }

  async getMany(keys: readonly string[]): Promise<(Buffer | null)[]> {
    if (keys.length === 0) return [];
    return this.#run('getMany', () => this.#routing.mget(this.#c(), keys));
  }

  /** Writes entries with as few commands as the topology allows: together, or per cluster hash slot. */
  async #mset(client: RedisClient, entries: readonly BackendEntry[]): Promise<void> {
    if (!this.isCluster) return this.#writeSlot(client, entries);
    await Promise.all(this.#routing.groups(entries, (e) => e.key).map((group) => this.#writeSlot(client, group)));
  }

  set(key: string, value: Buffer, options: BackendSetOptions = {}): Promise<boolean> {
    try {
      rejectUnknownKeys('options', options, BACKEND_SET_KEYS);
    } catch (error) {
      return Promise.reject(toError(error));
    }
    if (options.nx !== true) {
      // Plain sets issued in one tick share one pipeline per hash slot (one write, one read for many callers).
      return new Promise((resolve, reject) => {
        let queue = this.#sets;
        if (queue === undefined) {
          queue = this.#sets = { items: [], waiters: [] };
          process.nextTick(() => this.#flushSets());
        }
        queue.items.push({ key, value, ttlMs: options.ttlMs });
        queue.waiters.push({ resolve, reject });
      });
    }
    return this.#run('set', async () => {
      const client = this.#c();
      const ttl = options.ttlMs !== undefined && options.ttlMs > 0 ? Math.ceil(options.ttlMs) : 0;
      // Only SET NX comes here: plain sets were queued above.
      const reply = ttl > 0 ? await client.set(key, value, 'PX', ttl, 'NX') : await client.set(key, value, 'NX');
      return reply === 'OK';
    });
  }

  async setMany(entries: readonly BackendEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#run('setMany', async () => {
      const client = this.#c();
      if (this.isCluster) {
        await this.#mset(client, entries);
        return;
      }
      const pipeline = client.pipeline();
      for (const e of entries) {
        if (ttlOf(e) > 0) pipeline.set(e.key, e.value, 'PX', ttlOf(e));
        else pipeline.set(e.key, e.value);
      }
      checkExec(await pipeline.exec());
    });
  }

  async delete(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return this.#run('delete', async () => {
      const client = this.#c();
      const counts = await Promise.all(this.#routing.keyGroups(keys).map((group) => client.unlink(...group)));
      return counts.reduce((a, b) => a + b, 0);
    });
  }

  async exists(key: string): Promise<boolean> {
    return this.#run('exists', async () => (await this.#c().exists(key)) === 1);
  }

  async ttl(key: string): Promise<number | null> {
    return this.#run('ttl', async () => {
      const ms = await this.#c().pttl(key);
      return ms === -2 ? null : ms;
    });
  }

  async touch(entries: readonly BackendTouch[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#run('touch', async () => {
      const client = this.#c();
      // One pipeline of PEXPIRE (per hash slot on a cluster, where a pipeline must stay on one node).
      await Promise.all(
        this.#routing.groups(entries, (e) => e.key).map(async (group) => {
          const pipeline = client.pipeline();
          for (const e of group) pipeline.pexpire(e.key, Math.max(1, Math.ceil(e.ttlMs)));
          checkExec(await pipeline.exec());
        }),
      );
    });
  }

  async increment(key: string, delta: number, header: number, ttlMs?: number): Promise<number> {
    return this.#run('increment', async () => {
      const ttl = ttlMs !== undefined && ttlMs > 0 ? Math.ceil(ttlMs) : 0;
      return Number(await evalScript(this.#c(), SCRIPTS.incr, [key], [String(delta), String(ttl), String(header)]));
    });
  }

  async batch(operations: readonly BackendBatchOperation[]): Promise<void> {
    if (operations.length === 0) return;
    await this.#run('batch', async () => {
      const client = this.#c();
      await Promise.all(
        this.#routing.groups(operations, (op) => op.key).map(async (group) => {
          const multi = client.multi();
          for (const op of group) {
            if (op.type === 'delete') multi.unlink(op.key);
            else if (op.ttlMs !== undefined && op.ttlMs > 0) multi.set(op.key, op.value, 'PX', Math.ceil(op.ttlMs));
            else multi.set(op.key, op.value);
          }
          checkExec(await multi.exec());
        }),
      );
    });
  }

  async compareAndSet(checks: readonly BackendCheck[], writes: readonly BackendWrite[]): Promise<boolean> {
    const keys = [...checks.map((c) => c.key), ...writes.map((w) => w.key)];
    if (keys.length === 0) return true;
    this.#routing.checkOneSlot(keys);
    return this.#run('compareAndSet', async () => {
      const args: (string | Buffer)[] = [String(checks.length), ...checks.map((c) => c.expected ?? '')];
      for (const w of writes) args.push(w.value ?? '', String(w.ttlMs !== undefined && w.ttlMs > 0 ? Math.ceil(w.ttlMs) : 0));
      return Number(await evalScript(this.#c(), SCRIPTS.cas, keys, args)) === 1;
    });
  }

  async *scan(match: string, count: number): AsyncIterable<string[]> {
    const nodes = await this.#run('scan', () => this.#routing.scanNodes(this.#c()));
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await this.#run('scan', () => node.scan(cursor, 'MATCH', match, 'COUNT', count));
        cursor = next;
        if (keys.length > 0) yield keys;
      } while (cursor !== '0');
    }
  }

  async addToSet(key: string, members: readonly string[], ttlMs: number): Promise<void> {
    if (members.length === 0) return;
    await this.#run('addToSet', () => evalScript(this.#c(), SCRIPTS.sadd, [key], [String(ttlMs > 0 ? Math.ceil(ttlMs) : 0), ...members]));
  }

  async setMembers(key: string): Promise<string[]> {
    return this.#run('setMembers', () => this.#c().smembers(key));
  }

  async acquireLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    return this.#run('acquireLock', async () => (await this.#c().set(key, token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK');
  }

  async releaseLock(key: string, token: string): Promise<boolean> {
    return this.#run('releaseLock', async () => Number(await evalScript(this.#c(), SCRIPTS.unlock, [key], [token])) === 1);
  }

  async ping(): Promise<number> {
    return this.#run('ping', async () => {
      const started = performance.now();
      await this.#c().ping();
      return performance.now() - started;
    });
  }

  /** True once {@link RedisBackend.close} ran (a client passed in stays open, but this backend is done). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Same as {@link RedisBackend.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Closes a client this backend created: `QUIT`, or the connection dropped when Redis does not answer
   * within 1 s (so a paused or partitioned server cannot hang a shutdown). A client passed in stays open.
   * A second call returns the first one's promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    if (!this.#owned) return;
    if (this.client.status === 'end') return;
    await quitWithin(this.client);
  }

  /** The client for a command about to be sent; every command goes through here. */
  #c(): RedisClient {
    if (DOWN_STATES.has(this.client.status)) {
      throw new CacheBackendError(`Redis is not connected (${this.client.status})`, { status: this.client.status }, this.#lastError);
    }
    // Plain sets wait for the end of the tick to share a pipeline; a command issued after them (a delete,
    // an NX set, a script, a read) must not overtake them, so they go first, as they were called.
    if (this.#sets !== undefined) this.#flushSets();
    return this.client;
  }

  async #run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw mapRedisError(err, operation);
    }
  }
}

function ttlOf(e: BackendEntry): number {
  return e.ttlMs !== undefined && e.ttlMs > 0 ? Math.ceil(e.ttlMs) : 0;
}

function settle<T>(queue: Queue<unknown, T>, results: Promise<T[]>): void {
  results.then(
    (values) => {
      for (let i = 0; i < queue.waiters.length; i += 1) queue.waiters[i]!.resolve(values[i]!);
    },
    (err: unknown) => {
      const error = toError(err);
      for (const waiter of queue.waiters) waiter.reject(error);
    },
  );
}
