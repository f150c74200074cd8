import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  describeValue,
  expectBoolean,
  expectFunction,
  expectNonEmptyString,
  expectNonNegativeFinite,
  expectObject,
  expectPositiveFinite,
  expectPositiveInteger,
  expectString,
  isPatinoxError,
  optional,
  raceAbort,
  toError,
} from '@patinox/errors';
import {
  Histogram,
  createEvent,
  expectTraceHook,
  histogramSnapshot,
  noopMonitor,
  safeRecord,
  type HealthCheck,
  type HealthResult,
  type HistogramSummary,
  type MetricSnapshot,
  type Monitor,
  type TraceHook,
} from '@patinox/monitor';
import { Cache, type CacheStats } from '../cache.js';
import type { CacheOptions } from '../options.js';
import { AsyncQueue } from './internal/async-queue.js';
import { Deadlines } from './internal/deadlines.js';
import { escapeGlob } from './internal/glob.js';
import type { Compressor } from '../serialization/codec.js';
import { COUNTER_HEADER, Serializer, type SerializerOptions } from '../serialization/serializer.js';
import type { BackendBatchOperation, CacheBackend } from './backend.js';
import { preciseNow, type BusState, type InvalidationBus, type InvalidationMessage } from './bus.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
import { CacheBackendError, TieredCacheError } from './errors.js';
import type {
  TieredCacheOptions,
  TieredEntry,
  TieredGetOptions,
  TieredGetOrLoadOptions,
  TieredLoaderContext,
  TieredScanOptions,
  TieredSetOptions,
} from './options.js';
import { exportSnapshot, importSnapshot, type SnapshotImportOptions, type SnapshotInfo, type SnapshotKeys } from './snapshot.js';
import type { Store } from './store.js';

/** An invalidation seen by `subscribeInvalidation()`: one this instance made (`local`) or received. */
export interface InvalidationEvent {
  namespace: string;
  keys: string[];
  tags: string[];
  clear: boolean;
  /** Instance id of the writer. */
  origin: string;
  /** True when this instance made the change. */
  local: boolean;
  /** Sender-to-receiver delay in ms, for received events. */
  lagMs?: number;
}

/** Counters and latency summaries of every tier; see `TieredCache.stats()`. */
export interface TieredCacheStats {
  /** The L1 `Cache` stats, or null without L1. */
  l1: CacheStats | null;
  l2: {
    hits: number;
    misses: number;
    /** Calls that failed because L2 was unavailable (timeouts and open circuit included). */
    errors: number;
    timeouts: number;
    /** Values that could not be decoded. */
    decodeErrors: number;
    getLatencyMs: HistogramSummary;
    setLatencyMs: HistogramSummary;
  };
  bus: {
    state: BusState | 'none';
    published: number;
    received: number;
    publishErrors: number;
    disconnects: number;
    /** Sender-to-receiver delay of received invalidations, in ms. */
    lagMs: HistogramSummary;
  };
  circuit: { state: CircuitState | 'disabled'; opens: number };
  /** L1 copies served because L2 could not answer. */
  staleServed: number;
  /** Writes kept in L1 only because L2 was unavailable (`degradeToL1`). */
  degradedWrites: number;
  /** Times L1 was emptied because coherence could not be guaranteed (bus reconnect, circuit closed). */
  l1Flushes: number;
  store: { writes: number; failures: number };
  locks: { acquired: number; waits: number; timeouts: number };
}

type Shared = {
  serializer: Serializer | undefined;
  serializerReady: Promise<Serializer> | undefined;
  breaker: CircuitBreaker | undefined;
};

const NAMESPACE_RE = /^[A-Za-z0-9_.-]{1,128}$/;
const SOURCE = 'cache.tiered';

/**
 * A two-tier cache: an in-process {@link Cache} (L1) in front of a shared {@link CacheBackend} (L2,
 * usually Redis), kept coherent across instances by an {@link InvalidationBus}.
 *
 * Consistency: a write is acknowledged once L2 holds it and its invalidation has been published; every
 * other instance drops its L1 copy when the message arrives (the bus lag, see `stats().bus.lagMs`). An
 * instance whose bus disconnects stops trusting L1 at once (reads go to L2 and fall back to L1 copies
 * only while L2 is unreachable), and empties L1 when the bus is back, so no L1 entry older than an
 * outage is served once Redis answers.
 *
 * @example
 * ```ts
 * const l2 = new RedisBackend({ url: 'redis://127.0.0.1:6379' });
 * const cache = new TieredCache<User>({ l2, bus: new RedisBus({ client: l2.client }), namespace: 'users' });
 * await cache.set('u1', { name: 'Ada' }, { ttlMs: 60_000, tags: ['team:1'] });
 * const user = await cache.getOrLoad('u2', () => db.user('u2'));
 * ```
 */
export class TieredCache<V = unknown> {
  /** The namespace, the prefix of every L2 key. */
  readonly namespace: string;
  /** This instance's id (the `origin` of its invalidations). */
  readonly instanceId: string = randomUUID();
  readonly #l2: CacheBackend;
  readonly #l1: Cache<string, V> | undefined;
  readonly #bus: InvalidationBus | undefined;
  readonly #store: Store<V> | undefined;
  readonly #monitor: Monitor;
  readonly #tracer: TraceHook | undefined;
  readonly #spanAttributes: { 'cache.namespace': string };
  readonly #shared: Shared;
  readonly #isRoot: boolean;
  readonly #options: TieredCacheOptions<V>;
  readonly #prefix: string;
  readonly #metaPrefix: string;
  readonly #defaultTtlMs: number;
  readonly #timeoutMs: number;
  readonly #degrade: boolean;
  readonly #lockTtlMs: number;
  readonly #lockWaitMs: number;
  readonly #lockPollMs: number;
  readonly #maxKeyBytes: number;
  readonly #controller = new AbortController();
  readonly #deadlines: Deadlines;
  readonly #unsubscribe: (() => void) | undefined;
  readonly #regions = new Map<string, TieredCache<unknown>>();
  readonly #flights = new Map<string, Promise<V>>();
  readonly #reads = new Map<string, { count: number; dirty: boolean }>();
  readonly #lockWaiters = new Map<string, Set<() => void>>();
  readonly #subscribers = new Set<AsyncQueue<InvalidationEvent>>();
  #trusted: boolean;
  #pendingKeys: { keys: string[]; promise: Promise<void> } | undefined;
  #generation = 0;
  #closed = false;
  #outageStartedAt = 0;
  // Hot-path counters are plain fields; histograms record in a few ns.
  #l2Hits = 0;
  #l2Misses = 0;
  #l2Errors = 0;
  #timeouts = 0;
  #decodeErrors = 0;
  #published = 0;
  #received = 0;
  #publishErrors = 0;
  #disconnects = 0;
  #staleServed = 0;
  #degradedWrites = 0;
  #flushes = 0;
  #storeWrites = 0;
  #storeFailures = 0;
  #locksAcquired = 0;
  #lockWaits = 0;
  #lockTimeouts = 0;
  readonly #getLatency = new Histogram();
  readonly #setLatency = new Histogram();
  readonly #lag = new Histogram();

  /**
   * @throws TypeError / RangeError for invalid options, with the option's name.
   */
  constructor(options: TieredCacheOptions<V>);
  /** @internal regions share the parent's backend, bus, serializer and breaker. */
  constructor(options: TieredCacheOptions<V>, shared: Shared);
  constructor(options: TieredCacheOptions<V>, shared?: Shared) {
    expectObject('options', options);
    this.#options = options;
    const l2 = options.l2 as Partial<CacheBackend> | undefined;
    if (typeof l2 !== 'object' || l2 === null || typeof l2.get !== 'function' || typeof l2.set !== 'function') {
      throw new TypeError(`Expected \`l2\` to be a CacheBackend, got ${describeValue(l2)}`);
    }
    this.#l2 = options.l2;
    if (typeof options.namespace !== 'string' || !NAMESPACE_RE.test(options.namespace)) {
      throw new TypeError(`Expected \`namespace\` to be 1-128 letters, digits, _, - or ., got ${describeValue(options.namespace)}`);
    }
    this.namespace = options.namespace;
    this.#prefix = `${options.namespace}:`;
    this.#metaPrefix = `${options.namespace}#`;
    this.#defaultTtlMs = optional('defaultTtlMs', options.defaultTtlMs, expectNonNegativeFinite, 0);
    this.#timeoutMs = optional('operationTimeoutMs', options.operationTimeoutMs, expectPositiveFinite, 1000);
    this.#deadlines = new Deadlines(this.#timeoutMs);
    this.#degrade = optional('degradeToL1', options.degradeToL1, expectBoolean, false);
    this.#lockTtlMs = optional('lockTtlMs', options.lockTtlMs, expectPositiveFinite, 10_000);
    this.#lockWaitMs = optional('lockWaitTimeoutMs', options.lockWaitTimeoutMs, expectNonNegativeFinite, 10_000);
    this.#lockPollMs = optional('lockPollIntervalMs', options.lockPollIntervalMs, expectPositiveFinite, 100);
    this.#maxKeyBytes = optional('maxKeyBytes', options.maxKeyBytes, expectPositiveInteger, 1024);
    this.#monitor = options.monitor ?? noopMonitor;
    if (typeof this.#monitor.record !== 'function') throw new TypeError(`Expected \`monitor\` to be a Monitor, got ${describeValue(options.monitor)}`);
    this.#tracer = expectTraceHook('tracer', options.tracer);
    this.#spanAttributes = { 'cache.namespace': options.namespace };
    const clock = options.clock ?? Date.now;
    expectFunction('clock', clock);
    if (options.store !== undefined) {
      const store = options.store as Partial<Store<V>>;
      if (typeof store !== 'object' || store === null || typeof store.set !== 'function' || typeof store.delete !== 'function') {
        throw new TypeError(`Expected \`store\` to be a Store ({ set, delete }), got ${describeValue(options.store)}`);
      }
      this.#store = options.store;
    }
    const bus = options.bus ?? false;
    if (bus !== false) {
      if (typeof bus !== 'object' || bus === null || typeof bus.publish !== 'function' || typeof bus.subscribe !== 'function') {
        throw new TypeError(`Expected \`bus\` to be an InvalidationBus or false, got ${describeValue(bus)}`);
      }
      this.#bus = bus;
    }
    this.#l1 = this.#createL1(options.l1);
    this.#isRoot = shared === undefined;
    if (shared === undefined) {
      const breakerOptions = options.circuitBreaker ?? {};
      const serializer = createSerializer(options as TieredCacheOptions<unknown>);
      this.#shared = {
        serializer: serializer instanceof Serializer ? serializer : undefined,
        serializerReady: serializer instanceof Serializer ? undefined : serializer,
        breaker: breakerOptions === false ? undefined : new CircuitBreaker(breakerOptions, clock, (state) => this.#onCircuit(state)),
      };
      // A failed lazy load surfaces on the first operation that needs the serializer.
      this.#shared.serializerReady?.catch(() => undefined);
    } else {
      this.#shared = shared;
    }
    this.#trusted = this.#bus === undefined || this.#bus.state === 'connected';
    this.#unsubscribe = this.#bus?.subscribe({
      onMessage: (message) => this.#onMessage(message),
      onStateChange: (state) => this.#onBusState(state),
    });
  }

  // ---------------------------------------------------------------- reads

  /**
   * The value under `key`, or `undefined`. An L1 hit never touches the network.
   *
   * @throws (rejects) `CACHE_BACKEND_UNAVAILABLE` when L2 cannot answer and L1 has no copy (without
   *   `degradeToL1`); `CACHE_DECODE_FAILED` for bytes this serializer cannot read; TypeError for a bad key.
   */
  get(key: string, options?: TieredGetOptions): Promise<V | undefined> {
    return this.#get(key, options, true);
  }

  async #get(key: string, options: TieredGetOptions | undefined, fillL1: boolean, l1AlreadyMissed = false): Promise<V | undefined> {
    this.#checkKey(key);
    const consistent = options?.consistent === true;
    let fallback: V | undefined;
    if (!consistent && !l1AlreadyMissed && this.#l1 !== undefined) {
      const hit = this.#l1.get(key);
      if (hit !== undefined) {
        if (this.#trusted || options?.allowStale === true) return hit;
        fallback = hit;
      }
    }
    const generation = this.#generation;
    const read = this.#l1 === undefined || !fillL1 ? undefined : this.#beginRead(key);
    try {
      const started = performance.now();
      const bytes = await this.#call('get', () => this.#l2.get(this.#prefix + key));
      this.#getLatency.record(performance.now() - started);
      if (bytes === null) {
        this.#l2Misses += 1;
        return undefined;
      }
      const value = this.#decode(this.#shared.serializer ?? (await this.#serializer()), bytes, key);
      this.#l2Hits += 1;
      if (read !== undefined && !read.dirty && generation === this.#generation) this.#l1?.set(key, value, this.#l1TtlOptions(undefined));
      return value;
    } catch (err) {
      if (isPatinoxError(err, 'CACHE_BACKEND_UNAVAILABLE')) {
        if (fallback !== undefined) {
          this.#staleServed += 1;
          return fallback;
        }
        if (this.#degrade && !consistent) return undefined;
      }
      throw err;
    } finally {
      if (read !== undefined) this.#endRead(key, read);
    }
  }

  /** Values of `keys` in order (`undefined` for misses); L1 first, then one pipelined L2 round trip. */
  async getMany(keys: readonly string[]): Promise<(V | undefined)[]> {
    if (!isList(keys)) throw new TypeError(`Expected \`keys\` to be an array, got ${describeValue(keys)}`);
    for (const key of keys) this.#checkKey(key);
    const out: (V | undefined)[] = new Array<V | undefined>(keys.length);
    const missing: number[] = [];
    const fallbacks = new Map<number, V>();
    for (let i = 0; i < keys.length; i += 1) {
      const hit = this.#l1?.get(keys[i]!);
      if (hit !== undefined && this.#trusted) out[i] = hit;
      else {
        if (hit !== undefined) fallbacks.set(i, hit);
        missing.push(i);
      }
    }
    if (missing.length === 0) return out;
    const generation = this.#generation;
    let values: (Buffer | null)[];
    try {
      values = await this.#call('getMany', () => this.#l2.getMany(missing.map((i) => this.#prefix + keys[i]!)));
    } catch (err) {
      if (!isPatinoxError(err, 'CACHE_BACKEND_UNAVAILABLE') || (!this.#degrade && fallbacks.size < missing.length)) throw err;
      for (const [i, value] of fallbacks) out[i] = value;
      this.#staleServed += fallbacks.size;
      return out;
    }
    const serializer = values.some((v) => v !== null) ? await this.#serializer() : undefined;
    for (let j = 0; j < missing.length; j += 1) {
      const i = missing[j]!;
      const bytes = values[j];
      if (bytes === null || bytes === undefined) {
        this.#l2Misses += 1;
        continue;
      }
      const value = this.#decode(serializer!, bytes, keys[i]!);
      this.#l2Hits += 1;
      out[i] = value;
      if (generation === this.#generation && !this.#reads.has(keys[i]!)) this.#l1?.set(keys[i]!, value, this.#l1TtlOptions(undefined));
    }
    return out;
  }

  /** True when L1 (trusted) or L2 holds `key`. */
  async exists(key: string): Promise<boolean> {
    this.#checkKey(key);
    if (this.#trusted && this.#l1?.has(key) === true) return true;
    return this.#call('exists', () => this.#l2.exists(this.#prefix + key));
  }

  /**
   * Yields the keys of this namespace matching the glob `pattern` (`*`, `?`, `[a-z]`), from a SCAN
   * cursor on every master; a key may be yielded twice when the keyspace changes during the scan.
   */
  async *scan(pattern = '*', options: TieredScanOptions = {}): AsyncIterableIterator<string> {
    expectString('pattern', pattern);
    const batchSize = optional('batchSize', options.batchSize, expectPositiveInteger, 1000);
    this.#checkOpen();
    const iterator = this.#l2.scan(this.#prefix + pattern, batchSize)[Symbol.asyncIterator]();
    for (;;) {
      const step = await this.#call('scan', () => iterator.next());
      if (step.done === true) return;
      for (const key of step.value) yield key.slice(this.#prefix.length);
    }
  }

  // ---------------------------------------------------------------- writes

  /**
   * Stores `value` in L2 (and the store first, when write-through), then L1, then tells other
   * instances. Resolves false only with `nx` when the key already exists.
   *
   * @throws (rejects) `CACHE_SERIALIZATION_FAILED` (nothing written), `CACHE_STORE_WRITE_FAILED` (nothing
   *   written), `CACHE_BACKEND_UNAVAILABLE` (without `degradeToL1`); TypeError for a bad key or value.
   */
  async set(key: string, value: V, options: TieredSetOptions = {}): Promise<boolean> {
    this.#checkKey(key);
    if (value === undefined) throw new TypeError('Expected `value` to be defined, got undefined: undefined marks a miss and cannot be stored');
    expectObject('options', options);
    const ttlMs = optional('ttlMs', options.ttlMs, expectNonNegativeFinite, this.#defaultTtlMs);
    const nx = optional('nx', options.nx, expectBoolean, false);
    const tags = checkTags(options.tags);
    if (nx && this.#store !== undefined) throw new TypeError('Expected `nx` to be false with a write-through store: the store cannot be written conditionally');
    this.#checkOpen();
    const bytes = (this.#shared.serializer ?? (await this.#serializer())).serialize(value);
    if (this.#store !== undefined) await this.#storeWrite(key, () => this.#store!.set(key, value, ttlMs === 0 ? undefined : ttlMs));
    const started = performance.now();
    try {
      const written = await this.#call('set', () => this.#l2.set(this.#prefix + key, bytes, { ttlMs, nx }));
      this.#setLatency.record(performance.now() - started);
      if (!written) return false;
      if (tags.length > 0) await Promise.all(tags.map((tag) => this.#call('tag', () => this.#l2.addToSet(this.#tagKey(tag), [key], ttlMs))));
    } catch (err) {
      if (!this.#degradable(err)) throw err;
      this.#degradedWrites += 1;
    }
    this.#invalidateLocal(key);
    this.#l1?.set(key, value, this.#l1TtlOptions(ttlMs, tags));
    const published = this.#publish({ keys: [key] });
    if (published !== undefined) await published;
    return true;
  }

  /** Stores several values in one pipelined L2 round trip (not atomic; see `batch()`), one invalidation. */
  async setMany(entries: readonly TieredEntry<V>[]): Promise<void> {
    if (!isList(entries)) throw new TypeError(`Expected \`entries\` to be an array, got ${describeValue(entries)}`);
    const serializer = await this.#serializer();
    const encoded = entries.map((entry) => {
      if (typeof entry !== 'object' || entry === null) throw new TypeError(`Expected \`entries[]\` to be { key, value, ttlMs? }, got ${describeValue(entry)}`);
      this.#checkKey(entry.key);
      if (entry.value === undefined) throw new TypeError('Expected `value` to be defined, got undefined: undefined marks a miss and cannot be stored');
      const ttlMs = optional('ttlMs', entry.ttlMs, expectNonNegativeFinite, this.#defaultTtlMs);
      return { key: this.#prefix + entry.key, value: serializer.serialize(entry.value), ttlMs };
    });
    if (entries.length === 0) return;
    this.#checkOpen();
    if (this.#store !== undefined) {
      await Promise.all(entries.map((e, i) => this.#storeWrite(e.key, () => this.#store!.set(e.key, e.value, encoded[i]!.ttlMs || undefined))));
    }
    try {
      await this.#call('setMany', () => this.#l2.setMany(encoded));
    } catch (err) {
      if (!this.#degradable(err)) throw err;
      this.#degradedWrites += entries.length;
    }
    for (let i = 0; i < entries.length; i += 1) {
      this.#invalidateLocal(entries[i]!.key);
      this.#l1?.set(entries[i]!.key, entries[i]!.value, this.#l1TtlOptions(encoded[i]!.ttlMs));
    }
    await this.#publish({ keys: entries.map((e) => e.key) });
  }

  /** Removes `key` from the store (first), L2, L1 and every other instance's L1; resolves whether L2 held it. */
  async delete(key: string): Promise<boolean> {
    this.#checkKey(key);
    this.#checkOpen();
    await this.#storeWrite(key, () => this.#store!.delete(key));
    let existed = false;
    try {
      existed = (await this.#call('delete', () => this.#l2.delete([this.#prefix + key]))) > 0;
    } catch (err) {
      if (!this.#degradable(err)) throw err;
      this.#degradedWrites += 1;
    }
    this.#invalidateLocal(key);
    existed = this.#l1?.delete(key) === true || existed;
    await this.#publish({ keys: [key] });
    return existed;
  }

  /**
   * Adds `delta` to the integer counter under `key` atomically on the server and resolves the new value.
   * A missing key starts at 0 (with `ttlMs`); `get` reads counters as numbers.
   *
   * @throws (rejects) `CACHE_NOT_A_COUNTER` when the key holds another value.
   */
  async increment(key: string, delta = 1, options: { ttlMs?: number } = {}): Promise<number> {
    this.#checkKey(key);
    if (!Number.isSafeInteger(delta)) throw new TypeError(`Expected \`delta\` to be a safe integer, got ${describeValue(delta)}`);
    const ttlMs = optional('ttlMs', options.ttlMs, expectNonNegativeFinite, this.#defaultTtlMs);
    this.#checkOpen();
    const next = await this.#call('increment', () => this.#l2.increment(this.#prefix + key, delta, COUNTER_HEADER, ttlMs));
    this.#invalidateLocal(key);
    this.#l1?.delete(key);
    await this.#publish({ keys: [key] });
    return next;
  }

  /** A builder of writes applied atomically in one MULTI (on a cluster: atomic per hash slot). */
  batch(): TieredBatch<V> {
    return new TieredBatch<V>((ops) => this.#executeBatch(ops));
  }

  /**
   * A compare-and-set builder: every `check(key, expected)` must hold (deep equality of the decoded
   * value; `undefined` means absent) for the `set`/`delete` steps to apply, atomically on the server
   * (one Lua script; on a cluster every key in one hash slot).
   */
  atomic(): TieredAtomic<V> {
    return new TieredAtomic<V>((checks, writes) => this.#executeAtomic(checks, writes));
  }

  /** Removes every key of this namespace from L2 (SCAN + UNLINK, never FLUSHDB), L1 and other instances' L1. */
  async clear(): Promise<number> {
    this.#checkOpen();
    let removed = 0;
    for (const match of [`${escapeGlob(this.#prefix)}*`, `${escapeGlob(this.#metaPrefix)}*`]) {
      const iterator = this.#l2.scan(match, 1000)[Symbol.asyncIterator]();
      for (;;) {
        const step = await this.#call('scan', () => iterator.next());
        if (step.done === true) break;
        removed += await this.#call('delete', () => this.#l2.delete(step.value));
      }
    }
    this.#generation += 1;
    this.#l1?.clear();
    await this.#publish({ clear: true });
    return removed;
  }

  /** Removes every entry tagged `tag` here and on every instance; resolves how many L2 keys went. */
  async invalidateTag(tag: string): Promise<number> {
    checkTags([tag]);
    this.#checkOpen();
    const tagKey = this.#tagKey(tag);
    const members = await this.#call('tag', () => this.#l2.setMembers(tagKey));
    const removed = await this.#call('delete', () => this.#l2.delete(members.map((k) => this.#prefix + k)));
    await this.#call('delete', () => this.#l2.delete([tagKey]));
    this.#generation += 1;
    this.#l1?.invalidateTag(tag);
    for (const key of members) {
      this.#invalidateLocal(key);
      this.#l1?.delete(key);
    }
    await this.#publish({ keys: members, tags: [tag] });
    return removed;
  }

  /**
   * The value under `key`, loading it once across all instances on a miss: local callers share one
   * flight, and instances race for a Redis lock (`SET NX PX lockTtlMs`); the winner loads and writes,
   * the others wait for its invalidation (or poll) and read the result from L2.
   *
   * @throws (rejects) the loader's error (not cached; the lock is released so another instance may
   *   retry), `CACHE_LOCK_TIMEOUT` after `lockWaitTimeoutMs`, the caller's `signal` reason.
   */
  getOrLoad(key: string, loader: (key: string, context: TieredLoaderContext) => V | Promise<V>, options: TieredGetOrLoadOptions = {}): Promise<V> {
    try {
      this.#checkKey(key);
      expectFunction('loader', loader);
      expectObject('options', options);
      optional('ttlMs', options.ttlMs, expectNonNegativeFinite, 0);
      optional('staleWhileRevalidateMs', options.staleWhileRevalidateMs, expectNonNegativeFinite, 0);
      checkTags(options.tags);
      if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
        throw new TypeError(`Expected \`signal\` to be an AbortSignal, got ${describeValue(options.signal)}`);
      }
      this.#checkOpen();
    } catch (err) {
      return Promise.reject(toError(err));
    }
    const staleMs = options.staleWhileRevalidateMs ?? 0;
    if (staleMs > 0 && this.#l1 !== undefined && this.#trusted) {
      // The L1 Cache serves an expired value for staleMs while one distributed refresh runs.
      const l1Options = { staleWhileRevalidateMs: staleMs, ttlMs: options.ttlMs ?? this.#defaultTtlMs, tags: options.tags, signal: options.signal };
      return this.#l1.getOrLoad(key, (k) => this.#load(k, loader, options, true), l1Options).catch((err: unknown) => {
        // Keep this tier's codes: the L1 wraps loader failures in CACHE_LOADER_FAILED.
        throw isPatinoxError(err, 'CACHE_LOADER_FAILED') && err.cause !== undefined ? err.cause : toError(err);
      });
    }
    const l1 = this.#trusted ? this.#l1 : undefined;
    const l1Checked = l1 !== undefined;
    if (l1 !== undefined) {
      const hit = l1.get(key);
      if (hit !== undefined) return Promise.resolve(hit);
    }
    let flight = this.#flights.get(key);
    if (flight === undefined) {
      flight = this.#load(key, loader, options, false, l1Checked).finally(() => this.#flights.delete(key));
      this.#flights.set(key, flight);
    }
    return raceAbort(flight, options.signal);
  }

  /**
   * A view with its own namespace (`<namespace>.<name>`), L1 and defaults, sharing this cache's L2,
   * bus, serializer and circuit breaker; closed with its parent.
   */
  region<RV = V>(name: string, options: Partial<Omit<TieredCacheOptions<RV>, 'l2' | 'namespace' | 'bus' | 'serializer' | 'compression' | 'compressionThresholdBytes' | 'circuitBreaker'>> = {}): TieredCache<RV> {
    if (typeof name !== 'string' || !NAMESPACE_RE.test(name)) throw new TypeError(`Expected \`name\` to be 1-128 letters, digits, _, - or ., got ${describeValue(name)}`);
    const existing = this.#regions.get(name);
    if (existing !== undefined) return existing as TieredCache<RV>;
    this.#checkOpen();
    const region = new TieredCache<RV>(
      {
        ...(this.#options as unknown as TieredCacheOptions<RV>),
        store: undefined,
        ...options,
        l2: this.#l2,
        bus: this.#bus ?? false,
        namespace: `${this.namespace}.${name}`,
      },
      this.#shared,
    );
    this.#regions.set(name, region as TieredCache<unknown>);
    return region;
  }

  // ---------------------------------------------------------------- coherence

  /**
   * Every invalidation this instance makes or receives for its namespace, as an async iterator; break
   * out of the loop (or abort `signal`) to unsubscribe. Slow consumers lose the oldest of `bufferSize` events.
   */
  subscribeInvalidation(options: { signal?: AbortSignal; bufferSize?: number } = {}): AsyncIterableIterator<InvalidationEvent> {
    const bufferSize = optional('bufferSize', options.bufferSize, expectPositiveInteger, 1000);
    const onAbort = (): void => queue.end();
    const queue: AsyncQueue<InvalidationEvent> = new AsyncQueue<InvalidationEvent>(bufferSize, () => {
      this.#subscribers.delete(queue);
      options.signal?.removeEventListener('abort', onAbort);
    });
    if (this.#closed || options.signal?.aborted === true) {
      queue.end();
      return queue;
    }
    this.#subscribers.add(queue);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    return queue;
  }

  // ---------------------------------------------------------------- observability

  /** Counters and latency summaries of every tier. */
  stats(): TieredCacheStats {
    return {
      l1: this.#l1?.stats() ?? null,
      l2: {
        hits: this.#l2Hits,
        misses: this.#l2Misses,
        errors: this.#l2Errors,
        timeouts: this.#timeouts,
        decodeErrors: this.#decodeErrors,
        getLatencyMs: this.#getLatency.summary(),
        setLatencyMs: this.#setLatency.summary(),
      },
      bus: {
        state: this.#bus?.state ?? 'none',
        published: this.#published,
        received: this.#received,
        publishErrors: this.#publishErrors,
        disconnects: this.#disconnects,
        lagMs: this.#lag.summary(),
      },
      circuit: { state: this.#shared.breaker?.state ?? 'disabled', opens: this.#shared.breaker?.opens ?? 0 },
      staleServed: this.#staleServed,
      degradedWrites: this.#degradedWrites,
      l1Flushes: this.#flushes,
      store: { writes: this.#storeWrites, failures: this.#storeFailures },
      locks: { acquired: this.#locksAcquired, waits: this.#lockWaits, timeouts: this.#lockTimeouts },
    };
  }

  /** Metric snapshots for a `MetricsRegistry` (`registry.addCollector(() => cache.collectMetrics())`). */
  collectMetrics(): MetricSnapshot[] {
    const labels = { namespace: this.namespace };
    const scalar = (name: string, type: 'counter' | 'gauge', value: number, help: string): MetricSnapshot => ({ name, type, value, help, labels });
    const l1 = this.#l1?.stats();
    return [
      scalar('patinox_cache_l1_hits_total', 'counter', l1?.hits ?? 0, 'L1 hits'),
      scalar('patinox_cache_l1_misses_total', 'counter', l1?.misses ?? 0, 'L1 misses'),
      scalar('patinox_cache_l1_entries', 'gauge', l1?.size ?? 0, 'L1 entries'),
      scalar('patinox_cache_l2_hits_total', 'counter', this.#l2Hits, 'L2 hits'),
      scalar('patinox_cache_l2_misses_total', 'counter', this.#l2Misses, 'L2 misses'),
      scalar('patinox_cache_l2_errors_total', 'counter', this.#l2Errors, 'L2 calls that failed as unavailable'),
      scalar('patinox_cache_bus_received_total', 'counter', this.#received, 'Invalidations received'),
      scalar('patinox_cache_bus_published_total', 'counter', this.#published, 'Invalidations published'),
      scalar('patinox_cache_l1_flushes_total', 'counter', this.#flushes, 'L1 flushes for coherence'),
      scalar('patinox_cache_circuit_open', 'gauge', this.#shared.breaker?.state === 'open' ? 1 : 0, '1 while the L2 circuit is open'),
      histogramSnapshot('patinox_cache_l2_get_ms', this.#getLatency, { help: 'L2 get latency in ms', labels }),
      histogramSnapshot('patinox_cache_l2_set_ms', this.#setLatency, { help: 'L2 set latency in ms', labels }),
      histogramSnapshot('patinox_cache_bus_lag_ms', this.#lag, { help: 'Invalidation bus lag in ms', labels }),
    ];
  }

  /** A health check for `checkHealth`: PING within `timeoutMs` (100), `degraded` while the bus or circuit is down. */
  healthCheck(timeoutMs = 100): HealthCheck {
    expectPositiveFinite('timeoutMs', timeoutMs);
    return { name: `cache.tiered:${this.namespace}`, check: () => this.health(timeoutMs) };
  }

  /** PINGs L2 within `timeoutMs` and reports `up`, `degraded` (bus disconnected, circuit not closed) or `down`. */
  async health(timeoutMs = 100): Promise<HealthResult> {
    expectPositiveFinite('timeoutMs', timeoutMs);
    const circuit = this.#shared.breaker?.state ?? 'closed';
    const bus = this.#bus?.state ?? 'none';
    try {
      const latencyMs = await withTimeout(this.#l2.ping(), timeoutMs, 'ping');
      const degraded = bus === 'disconnected' || circuit !== 'closed';
      return { status: degraded ? 'degraded' : 'up', details: { latencyMs, bus, circuit } };
    } catch (err) {
      return { status: 'down', details: { reason: toError(err).message, bus, circuit } };
    }
  }

  // ---------------------------------------------------------------- snapshots

  /**
   * Writes every key of this namespace with its bytes and remaining TTL, and every tag with its member keys,
   * to `path` (atomically, via a temp file).
   */
  async exportSnapshot(path: string): Promise<SnapshotInfo> {
    this.#checkOpen();
    return exportSnapshot(this.#l2, this.namespace, this.#snapshotKeys(), path, (op, fn) => this.#call(op, fn));
  }

  /** Loads a snapshot written by `exportSnapshot` into this namespace, then invalidates every L1. */
  async importSnapshot(path: string, options: SnapshotImportOptions = {}): Promise<SnapshotInfo> {
    this.#checkOpen();
    const info = await importSnapshot(this.#l2, this.#snapshotKeys(), path, options, (op, fn) => this.#call(op, fn));
    this.#generation += 1;
    this.#l1?.clear();
    await this.#publish({ clear: true });
    return info;
  }

  /** Stops listening to the bus, closes L1 and every region; the root cache also closes its bus and L2. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#controller.abort(new TieredCacheError('TieredCache is closed', 'CACHE_CLOSED', { namespace: this.namespace }));
    this.#unsubscribe?.();
    this.#deadlines.stop();
    for (const queue of [...this.#subscribers]) queue.end();
    for (const waiters of this.#lockWaiters.values()) for (const wake of waiters) wake();
    await Promise.all([...this.#regions.values()].map((r) => r.close()));
    this.#l1?.close();
    if (this.#isRoot) {
      await this.#bus?.close();
      await this.#l2.close();
    }
    safeRecord(this.#monitor, createEvent('cache.tiered.closed', SOURCE, { namespace: this.namespace }));
  }

  /** Same as {@link TieredCache.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---------------------------------------------------------------- internals

  #createL1(options: CacheOptions<string, V> | false | undefined): Cache<string, V> | undefined {
    if (options === false) return undefined;
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError(`Expected \`l1\` to be Cache options or false, got ${describeValue(options)}`);
    }
    return new Cache<string, V>({ maxEntries: 10_000, name: `${SOURCE}:${this.namespace}:l1`, ...options });
  }

  #l1TtlOptions(ttlMs: number | undefined, tags?: readonly string[]): { ttlMs?: number; tags?: readonly string[] } | undefined {
    const ttl = ttlMs === undefined ? this.#defaultTtlMs : ttlMs;
    if (ttl === 0 && (tags === undefined || tags.length === 0)) return ttlMs === undefined ? undefined : {};
    return tags !== undefined && tags.length > 0 ? (ttl === 0 ? { tags } : { ttlMs: ttl, tags }) : { ttlMs: ttl };
  }

  #checkKey(value: unknown): asserts value is string {
    const key = expectNonEmptyString('key', value);
    // Lone surrogates would be replaced in UTF-8, so two different keys could share one Redis key.
    if ((key.length > this.#maxKeyBytes / 3 && Buffer.byteLength(key) > this.#maxKeyBytes) || !(key as unknown as { isWellFormed(): boolean }).isWellFormed()) {
      throw new RangeError(`Expected \`key\` to be well-formed UTF-16 of at most ${this.#maxKeyBytes} UTF-8 bytes, got a string of ${key.length} characters`);
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new TieredCacheError('TieredCache is closed', 'CACHE_CLOSED', { namespace: this.namespace });
  }

  #snapshotKeys(): SnapshotKeys {
    return { prefix: this.#prefix, tagPrefix: this.#tagKey('') };
  }

  #tagKey(tag: string): string {
    return `${this.#metaPrefix}tag:${tag}`;
  }

  #serializer(): Serializer | Promise<Serializer> {
    if (this.#shared.serializer !== undefined) return this.#shared.serializer;
    return this.#shared.serializerReady!.then((s) => (this.#shared.serializer = s));
  }

  #decode(serializer: Serializer, bytes: Buffer, key: string): V {
    try {
      return serializer.deserialize(bytes, key) as V;
    } catch (err) {
      this.#decodeErrors += 1;
      throw err;
    }
  }

  #degradable(err: unknown): boolean {
    return this.#degrade && isPatinoxError(err, 'CACHE_BACKEND_UNAVAILABLE');
  }

  async #storeWrite(key: string, write: () => Promise<void>): Promise<void> {
    if (this.#store === undefined) return;
    try {
      await write();
      this.#storeWrites += 1;
    } catch (err) {
      this.#storeFailures += 1;
      safeRecord(this.#monitor, createEvent('cache.tiered.store.failed', SOURCE, { namespace: this.namespace, key, error: toError(err).message }));
      throw new TieredCacheError(`Write-through store failed for key ${JSON.stringify(key)}; the cache was left untouched`, 'CACHE_STORE_WRITE_FAILED', { key }, err);
    }
  }

  /** Runs one L2 call under the circuit breaker and the operation deadline. */
  #call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new TieredCacheError('TieredCache is closed', 'CACHE_CLOSED', { namespace: this.namespace }));
    const breaker = this.#shared.breaker;
    if (breaker !== undefined && !breaker.allow()) {
      this.#l2Errors += 1;
      return Promise.reject(new CacheBackendError(`L2 ${operation} skipped: the circuit is open after repeated failures`, { operation, circuit: 'open' }));
    }
    let promise: Promise<T>;
    try {
      promise = this.#tracer === undefined ? fn() : this.#tracer.span(`cache.l2.${operation}`, this.#spanAttributes, fn);
    } catch (err) {
      promise = Promise.reject(toError(err));
    }
    // One promise per call: the deadline tracker settles it and reports to the breaker.
    return this.#deadlines.track(promise, operation, this.#onL2Success, this.#onL2Failure);
  }

  readonly #onL2Success = (): void => {
    this.#shared.breaker?.success();
  };

  readonly #onL2Failure = (err: unknown, operation: string): Error => {
    const breaker = this.#shared.breaker;
    if (isPatinoxError(err, 'CACHE_BACKEND_UNAVAILABLE') || !isPatinoxError(err)) {
      this.#l2Errors += 1;
      if (isPatinoxError(err) && err.context.timeout === true) this.#timeouts += 1;
      breaker?.failure();
      if (!isPatinoxError(err)) return new CacheBackendError(`L2 ${operation} failed: ${toError(err).message}`, { operation }, err);
      return err;
    }
    // The server answered (decode, cross-slot, counter errors): L2 is up.
    breaker?.success();
    return err;
  };

  #beginRead(key: string): { count: number; dirty: boolean } {
    let read = this.#reads.get(key);
    if (read === undefined) {
      read = { count: 0, dirty: false };
      this.#reads.set(key, read);
    }
    read.count += 1;
    return read;
  }

  #endRead(key: string, read: { count: number; dirty: boolean }): void {
    read.count -= 1;
    if (read.count === 0) this.#reads.delete(key);
  }

  /** Marks reads of `key` in flight as dirty, so an older L2 answer never lands in L1 after a newer write. */
  #invalidateLocal(key: string): void {
    const read = this.#reads.get(key);
    if (read !== undefined) read.dirty = true;
  }

  #publish(change: { keys?: string[]; tags?: string[]; clear?: boolean }): Promise<void> | undefined {
    if (this.#subscribers.size > 0) {
      this.#emit({ namespace: this.namespace, keys: change.keys ?? [], tags: change.tags ?? [], clear: change.clear === true, origin: this.instanceId, local: true });
    }
    if (this.#bus === undefined) return undefined;
    if (change.tags === undefined && change.clear === undefined && change.keys !== undefined) {
      // Key invalidations of one tick travel in one message: one PUBLISH for many concurrent writers.
      let pending = this.#pendingKeys;
      if (pending === undefined) {
        const keys: string[] = [];
        let done: () => void = () => undefined;
        const promise = new Promise<void>((resolve) => (done = resolve));
        pending = this.#pendingKeys = { keys, promise };
        process.nextTick(() => {
          this.#pendingKeys = undefined;
          void this.#send({ keys }).then(done);
        });
      }
      for (const key of change.keys) pending.keys.push(key);
      return pending.promise;
    }
    return this.#send(change);
  }

  #send(change: { keys?: string[]; tags?: string[]; clear?: boolean }): Promise<void> {
    const message: InvalidationMessage = { namespace: this.namespace, origin: this.instanceId, sentAt: preciseNow(), ...change };
    return this.#bus!.publish(message).then(
      () => {
        this.#published += 1;
      },
      (err: unknown) => {
        // The write itself succeeded; other instances whose bus is down flush when it comes back.
        this.#publishErrors += 1;
        safeRecord(this.#monitor, createEvent('cache.tiered.bus.publish-failed', SOURCE, { namespace: this.namespace, error: toError(err).message }));
      },
    );
  }

  #emit(event: InvalidationEvent): void {
    for (const queue of this.#subscribers) queue.push(event);
  }

  #onMessage(message: InvalidationMessage): void {
    if (message.namespace !== this.namespace || message.origin === this.instanceId || this.#closed) return;
    this.#received += 1;
    const lagMs = preciseNow() - message.sentAt;
    if (Number.isFinite(lagMs)) this.#lag.record(Math.max(0, lagMs));
    const keys = Array.isArray(message.keys) ? message.keys : [];
    const tags = Array.isArray(message.tags) ? message.tags : [];
    if (message.clear === true) {
      this.#generation += 1;
      this.#l1?.clear();
    }
    if (tags.length > 0) this.#generation += 1;
    for (const tag of tags) this.#l1?.invalidateTag(String(tag));
    for (const key of keys) {
      this.#invalidateLocal(key);
      this.#l1?.delete(key);
      const waiters = this.#lockWaiters.get(key);
      if (waiters !== undefined) for (const wake of waiters) wake();
    }
    this.#emit({ namespace: this.namespace, keys, tags, clear: message.clear === true, origin: message.origin, local: false, lagMs });
  }

  #onBusState(state: BusState): void {
    if (this.#closed) return;
    if (state === 'disconnected') {
      if (!this.#trusted) return;
      this.#trusted = false;
      this.#disconnects += 1;
      this.#generation += 1;
      this.#outageStartedAt = Date.now();
      safeRecord(this.#monitor, createEvent('cache.tiered.bus.disconnected', SOURCE, { namespace: this.namespace }));
      return;
    }
    // Messages sent during the outage are lost: nothing in L1 can be trusted any more.
    this.#flushL1('bus-reconnected');
    this.#trusted = true;
    safeRecord(this.#monitor, createEvent('cache.tiered.bus.reconnected', SOURCE, { namespace: this.namespace, outageMs: Date.now() - this.#outageStartedAt }));
  }

  #flushL1(reason: string): void {
    this.#generation += 1;
    this.#flushes += 1;
    const entries = this.#l1?.size ?? 0;
    this.#l1?.clear();
    safeRecord(this.#monitor, createEvent('cache.tiered.l1.flushed', SOURCE, { namespace: this.namespace, reason, entries }));
  }

  #onCircuit(state: CircuitState): void {
    safeRecord(this.#monitor, createEvent(`cache.tiered.circuit.${state}`, SOURCE, { namespace: this.namespace }));
    // L1 may hold writes L2 never saw (degraded) and misses invalidations; start clean.
    if (state === 'closed') {
      this.#flushL1('circuit-closed');
      for (const region of this.#regions.values()) region.#flushL1('circuit-closed');
    }
  }

  async #load(
    key: string,
    loader: (key: string, context: TieredLoaderContext) => V | Promise<V>,
    options: TieredGetOrLoadOptions,
    skipL1 = false,
    l1Checked = false,
  ): Promise<V> {
    const deadline = performance.now() + this.#lockWaitMs;
    const lockKey = `${this.#metaPrefix}lock:${key}`;
    let pause = Math.min(10, this.#lockPollMs);
    let waited = false;
    // getOrLoad has just missed a trusted L1: the first read goes to L2 only, so one request counts one L1 miss.
    let skipL1Once = l1Checked;
    for (;;) {
      let cached: V | undefined;
      try {
        cached = await this.#get(key, { consistent: skipL1 }, !skipL1, skipL1Once);
        skipL1Once = false;
      } catch (err) {
        if (!isPatinoxError(err, 'CACHE_DECODE_FAILED')) throw err;
      }
      if (cached !== undefined) return cached;
      const token = randomUUID();
      let acquired: boolean;
      try {
        acquired = await this.#call('lock', () => this.#l2.acquireLock(lockKey, token, this.#lockTtlMs));
      } catch (err) {
        if (!this.#degradable(err)) throw err;
        return this.#runLoader(key, loader, options, !skipL1);
      }
      if (acquired) {
        this.#locksAcquired += 1;
        try {
          if (this.#store?.get !== undefined) {
            const stored = await this.#store.get(key);
            if (stored !== undefined) {
              await this.#cacheLoaded(key, stored, options, !skipL1);
              return stored;
            }
          }
          const value = await this.#runLoader(key, loader, options, !skipL1);
          return value;
        } finally {
          await this.#call('unlock', () => this.#l2.releaseLock(lockKey, token)).catch(() => undefined);
        }
      }
      if (!waited) this.#lockWaits += 1;
      waited = true;
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        this.#lockTimeouts += 1;
        safeRecord(this.#monitor, createEvent('cache.tiered.lock.timeout', SOURCE, { namespace: this.namespace, key }));
        throw new TieredCacheError(`Waited ${this.#lockWaitMs} ms for another instance to load key ${JSON.stringify(key)}`, 'CACHE_LOCK_TIMEOUT', { key, waitedMs: this.#lockWaitMs });
      }
      await this.#waitForKey(key, Math.min(pause, remaining));
      pause = Math.min(pause * 2, this.#lockPollMs);
      this.#checkOpen();
    }
  }

  async #runLoader(key: string, loader: (key: string, context: TieredLoaderContext) => V | Promise<V>, options: TieredGetOrLoadOptions, fillL1: boolean): Promise<V> {
    const context = { signal: this.#controller.signal };
    const value = await (this.#tracer === undefined
      ? loader(key, context)
      : this.#tracer.span('cache.load', { 'cache.namespace': this.namespace }, () => loader(key, context)));
    if (value === undefined) throw new TypeError('Expected the loader to return a value, got undefined: undefined marks a miss and cannot be stored');
    await this.#cacheLoaded(key, value, options, fillL1);
    return value;
  }

  /** Caches a loaded value (it came from the loader or the store, so it is not written back to the store). */
  async #cacheLoaded(key: string, value: V, options: TieredGetOrLoadOptions, fillL1: boolean): Promise<void> {
    const ttlMs = options.ttlMs ?? this.#defaultTtlMs;
    const tags = checkTags(options.tags);
    const bytes = (await this.#serializer()).serialize(value);
    try {
      await this.#call('set', () => this.#l2.set(this.#prefix + key, bytes, { ttlMs }));
      if (tags.length > 0) await Promise.all(tags.map((tag) => this.#call('tag', () => this.#l2.addToSet(this.#tagKey(tag), [key], ttlMs))));
    } catch (err) {
      if (!this.#degradable(err)) throw err;
      this.#degradedWrites += 1;
    }
    this.#invalidateLocal(key);
    // In stale-while-revalidate mode the L1 Cache stores the value itself, with its stale window.
    if (fillL1) this.#l1?.set(key, value, this.#l1TtlOptions(ttlMs, tags));
    await this.#publish({ keys: [key] });
  }

  #waitForKey(key: string, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let waiters = this.#lockWaiters.get(key);
      if (waiters === undefined) {
        waiters = new Set();
        this.#lockWaiters.set(key, waiters);
      }
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0) this.#lockWaiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      waiters.add(done);
    });
  }

  async #executeBatch(ops: readonly BatchStep<V>[]): Promise<void> {
    if (ops.length === 0) return;
    const serializer = await this.#serializer();
    const backendOps: BackendBatchOperation[] = ops.map((op) =>
      op.type === 'delete'
        ? { type: 'delete', key: this.#prefix + op.key }
        : { type: 'set', key: this.#prefix + op.key, value: serializer.serialize(op.value), ttlMs: op.ttlMs ?? this.#defaultTtlMs },
    );
    this.#checkOpen();
    await this.#call('batch', () => this.#l2.batch(backendOps));
    for (const op of ops) {
      this.#invalidateLocal(op.key);
      if (op.type === 'delete') this.#l1?.delete(op.key);
      else this.#l1?.set(op.key, op.value, this.#l1TtlOptions(op.ttlMs));
    }
    await this.#publish({ keys: [...new Set(ops.map((op) => op.key))] });
  }

  async #executeAtomic(checks: readonly { key: string; expected: V | undefined }[], writes: readonly BatchStep<V>[]): Promise<boolean> {
    const serializer = await this.#serializer();
    const current = checks.length === 0 ? [] : await this.#call('get', () => this.#l2.getMany(checks.map((c) => this.#prefix + c.key)));
    const backendChecks: { key: string; expected: Buffer | null }[] = [];
    for (let i = 0; i < checks.length; i += 1) {
      const bytes = current[i] ?? null;
      const decoded = bytes === null ? undefined : this.#decode(serializer, bytes, checks[i]!.key);
      if (!isDeepStrictEqual(decoded, checks[i]!.expected)) return false;
      backendChecks.push({ key: this.#prefix + checks[i]!.key, expected: bytes });
    }
    const backendWrites = writes.map((w) =>
      w.type === 'delete'
        ? { key: this.#prefix + w.key, value: null }
        : { key: this.#prefix + w.key, value: serializer.serialize(w.value), ttlMs: w.ttlMs ?? this.#defaultTtlMs },
    );
    const applied = await this.#call('compareAndSet', () => this.#l2.compareAndSet(backendChecks, backendWrites));
    if (!applied) return false;
    for (const w of writes) {
      this.#invalidateLocal(w.key);
      if (w.type === 'delete') this.#l1?.delete(w.key);
      else this.#l1?.set(w.key, w.value, this.#l1TtlOptions(w.ttlMs));
    }
    if (writes.length > 0) await this.#publish({ keys: writes.map((w) => w.key) });
    return true;
  }
}

type BatchStep<V> = { type: 'set'; key: string; value: V; ttlMs?: number } | { type: 'delete'; key: string };

/** Collects writes for {@link TieredCache.batch}; `execute()` applies them in one MULTI. */
export class TieredBatch<V> {
  readonly #ops: BatchStep<V>[] = [];
  readonly #run: (ops: readonly BatchStep<V>[]) => Promise<void>;

  /** @internal */
  constructor(run: (ops: readonly BatchStep<V>[]) => Promise<void>) {
    this.#run = run;
  }

  set(key: string, value: V): this {
    return this.#push({ type: 'set', key, value });
  }

  setWithTtl(key: string, value: V, ttlMs: number): this {
    expectNonNegativeFinite('ttlMs', ttlMs);
    return this.#push({ type: 'set', key, value, ttlMs });
  }

  delete(key: string): this {
    return this.#push({ type: 'delete', key });
  }

  /** Number of steps collected. */
  get length(): number {
    return this.#ops.length;
  }

  execute(): Promise<void> {
    return this.#run(this.#ops.slice());
  }

  #push(op: BatchStep<V>): this {
    expectNonEmptyString('key', op.key);
    if (op.type === 'set' && op.value === undefined) throw new TypeError('Expected `value` to be defined, got undefined: undefined marks a miss and cannot be stored');
    this.#ops.push(op);
    return this;
  }
}

/** Collects checks and writes for {@link TieredCache.atomic}; `execute()` resolves whether they applied. */
export class TieredAtomic<V> {
  readonly #checks: { key: string; expected: V | undefined }[] = [];
  readonly #batch: TieredBatch<V>;
  readonly #writes: BatchStep<V>[] = [];

  /** @internal */
  constructor(run: (checks: readonly { key: string; expected: V | undefined }[], writes: readonly BatchStep<V>[]) => Promise<boolean>) {
    this.#batch = new TieredBatch<V>(() => Promise.resolve());
    this.#run = run;
  }

  readonly #run: (checks: readonly { key: string; expected: V | undefined }[], writes: readonly BatchStep<V>[]) => Promise<boolean>;

  /** Requires `key` to hold `expected` (deep equality), or to be absent when `expected` is undefined. */
  check(key: string, expected: V | undefined): this {
    expectNonEmptyString('key', key);
    this.#checks.push({ key, expected });
    return this;
  }

  set(key: string, value: V, ttlMs?: number): this {
    if (ttlMs === undefined) this.#batch.set(key, value);
    else this.#batch.setWithTtl(key, value, ttlMs);
    this.#writes.push(ttlMs === undefined ? { type: 'set', key, value } : { type: 'set', key, value, ttlMs });
    return this;
  }

  delete(key: string): this {
    this.#batch.delete(key);
    this.#writes.push({ type: 'delete', key });
    return this;
  }

  execute(): Promise<boolean> {
    return this.#run(this.#checks.slice(), this.#writes.slice());
  }
}

// Array.isArray narrows readonly arrays to any[]; this check does not narrow.
function isList(value: unknown): boolean {
  return Array.isArray(value);
}

function checkTags(tags: unknown): readonly string[] {
  if (tags === undefined) return [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t.length === 0)) {
    throw new TypeError(`Expected \`tags\` to be an array of non-empty strings, got ${describeValue(tags)}`);
  }
  return tags as readonly string[];
}

function createSerializer(options: TieredCacheOptions<unknown>): Serializer | Promise<Serializer> {
  const given = options.serializer;
  if (given instanceof Serializer) return given;
  if (given !== undefined && (typeof given !== 'object' || given === null)) {
    throw new TypeError(`Expected \`serializer\` to be a Serializer or serializer options, got ${describeValue(given)}`);
  }
  const base: SerializerOptions = { ...given };
  const compression = options.compression ?? base.compression ?? false;
  if (options.compressionThresholdBytes !== undefined) base.compressionThresholdBytes = options.compressionThresholdBytes;
  if (compression !== false && compression !== 'lz4' && (typeof compression !== 'object' || compression === null)) {
    throw new TypeError(`Expected \`compression\` to be 'lz4', a Compressor or false, got ${describeValue(compression)}`);
  }
  if (base.codec !== undefined && compression !== 'lz4') return new Serializer({ ...base, compression: compression });
  // msgpackr and lz4-napi are optional peers: loaded on first use, only when chosen.
  return (async () => {
    const codec = base.codec ?? (await loadMsgpack());
    const compressor = compression === 'lz4' ? await loadLz4() : (compression);
    return new Serializer({ ...base, codec, compression: compressor });
  })();
}

async function loadMsgpack(): Promise<NonNullable<SerializerOptions['codec']>> {
  try {
    const mod = await import('../serialization/msgpack.js');
    return mod.createMsgpackCodec();
  } catch (err) {
    throw new TieredCacheError('The default MessagePack codec needs the msgpackr package: install it, or pass `serializer: { codec: jsonCodec }`', 'CACHE_SERIALIZATION_FAILED', {}, err);
  }
}

async function loadLz4(): Promise<Compressor> {
  try {
    const mod = await import('../serialization/lz4.js');
    return mod.createLz4Compressor();
  } catch (err) {
    throw new TieredCacheError("compression: 'lz4' needs the lz4-napi package: install it, or pass another Compressor", 'CACHE_SERIALIZATION_FAILED', {}, err);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new CacheBackendError(`L2 ${operation} did not answer within ${ms} ms`, { operation, timeoutMs: ms, timeout: true }));
    }, ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(toError(err));
      },
    );
  });
}

