import { randomUUID } from 'node:crypto';
import { describeValue, expectBoolean, expectNonNegativeInteger, expectPositiveInteger, expectString, optional, settleWithin, toError } from '@patinox/errors';
import { createEvent, safeRecord, type HealthCheck, type HealthResult, type MetricSnapshot, type Monitor, type TraceHook } from '@patinox/monitor';
import { CACHE_EVENTS } from '../events.js';
import { givesRegionOptions, RegionSet } from '../region.js';
import type { CircuitState } from './circuit-breaker.js';
import { TieredCacheError } from '../errors.js';
import { encodeEntries } from './entries.js';
import type { TieredBulkLoader } from './bulk-load.js';
import { Sliding } from './sliding.js';
import { NO_GET_OR_LOAD_OPTIONS } from './get-or-load-options.js';
import {
  SNAPSHOT_IMPORT_KEYS,
  TIERED_GET_KEYS,
  TIERED_INCREMENT_KEYS,
  TIERED_PEEK_KEYS,
  TIERED_SCAN_KEYS,
  TIERED_SET_KEYS,
  TIERED_STATS_KEYS,
  TIERED_SUBSCRIBE_KEYS,
  checkCallOptions,
  checkRegionOptions,
} from './option-keys.js';
import { TieredLoading } from './tiered-loading.js';
import type { InvalidationBus } from './bus.js';
import { TieredAtomic, TieredBatch } from './builders.js';
import { Coherence, type InvalidationEvent } from './coherence.js';
import { checkTags, createKeyCheck, isList, type KeyCheck } from './key-check.js';
import { KeyLayout } from './key-layout.js';
import { checkNamespace, resolveTieredOptions } from './resolve-options.js';
import type { Loader } from './loader.js';
import type { TieredCacheOptions, TieredEntry, TieredGetManyOptions, TieredGetOptions, TieredGetOrLoadOptions, TieredPeekOptions, TieredScanOptions, TieredSetOptions } from './options.js';
import { TierReader } from './reader.js';
import { TierTracing } from './tier-tracing.js';
import { RemoteTier } from './remote-tier.js';
import { createSerializer } from './serializer-factory.js';
import type { SnapshotImportOptions, SnapshotInfo } from './snapshot.js';
import type { Store } from './store.js';
import type { TieredCacheStats, TieredStatsOptions } from './tiered-stats.js';
import { TierObserver } from './tier-observer.js';
import { TierSnapshots } from './tier-snapshots.js';
import { TierWriter } from './writer.js';
import { WriteThrough } from './write-through.js';
import { expectTtlMs } from './ttl-check.js';

export type { InvalidationEvent } from './coherence.js';
export type { TieredCacheStats } from './tiered-stats.js';

/** @internal what a region takes from its parent. */
interface RegionParts {
  remote: (onCircuit: (state: CircuitState) => void, tracer: TraceHook | undefined) => RemoteTier;
  layout: KeyLayout;
  store: WriteThrough<any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any -- a region's value type differs from its parent's
  storePrefix: string;
}

const SOURCE = 'cache.tiered';
const UNDEFINED_VALUE = 'Expected `value` to be defined, got undefined: undefined marks a miss and cannot be stored';

/** Passed to L1's `peek` when the caller allows stale copies (one frozen object, no allocation per call). */
const ALLOW_STALE = Object.freeze({ allowStale: true });

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
  /** The namespace: `<namespace>:` prefixes every L2 key (see the README's key layout). */
  readonly namespace: string;
  /** This instance's id (the `origin` of its invalidations). */
  readonly instanceId: string = randomUUID();
  readonly #options: TieredCacheOptions<V>;
  /** How long `close()` waits for running loads to let go of L2 (`operationTimeoutMs`). */
  readonly #closeWaitMs: number;
  readonly #isRoot: boolean;
  readonly #layout: KeyLayout;
  readonly #remote: RemoteTier;
  readonly #coherence: Coherence<V>;
  readonly #store: WriteThrough<V>;
  readonly #writer: TierWriter<V>;
  readonly #reader: TierReader<V>;
  readonly #loading: TieredLoading<V>;
  readonly #sliding: Sliding<V>;
  readonly #observer: TierObserver<V>;
  readonly #snapshots: TierSnapshots<V>;
  readonly #bus: InvalidationBus | undefined;
  readonly #monitor: Monitor;
  readonly #checkKey: KeyCheck;
  readonly #defaultTtlMs: number;
  readonly #degrade: boolean;
  readonly #controller = new AbortController();
  readonly #regions = new RegionSet<TieredCache<unknown>>();
  /** Set only with a `tracer`: every traced path starts with this one field check. */
  readonly #tracing: TierTracing<V> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  /**
   * @throws TypeError / RangeError for invalid options, with the option's name.
   */
  constructor(options: TieredCacheOptions<V>);
  /** @internal regions share the parent's remote tier, bus and store. */
  constructor(options: TieredCacheOptions<V>, region: RegionParts);
  constructor(options: TieredCacheOptions<V>, region?: RegionParts) {
    const resolved = resolveTieredOptions(options);
    this.#options = options;
    this.namespace = resolved.namespace;
    this.#defaultTtlMs = resolved.defaultTtlMs;
    this.#degrade = resolved.degrade;
    this.#checkKey = createKeyCheck(resolved.maxKeyBytes);
    this.#monitor = resolved.monitor;
    this.#bus = resolved.bus;
    this.#closeWaitMs = resolved.timeoutMs;
    const { l1, clock, timeoutMs, lockTtlMs, lockWaitMs, lockPollMs, tracer } = resolved;
    this.#tracing = tracer === undefined ? undefined : new TierTracing<V>(tracer, resolved.traceL1Hits, this.namespace);
    this.#isRoot = region === undefined;
    this.#layout = region?.layout ?? KeyLayout.of(this.namespace);
    const ownStore = region === undefined || options.store !== undefined;
    this.#store = new WriteThrough<V>(ownStore ? options.store : (region.store?.store as Store<V> | undefined), ownStore ? '' : region.storePrefix, this.namespace, this.#monitor);
    const onCircuit = (state: CircuitState): void => this.#onCircuit(state);
    this.#remote =
      region?.remote(onCircuit, tracer) ??
      RemoteTier.create(
        { backend: options.l2, serializer: createSerializer(options as TieredCacheOptions<unknown>), breaker: options.circuitBreaker ?? {}, clock, timeoutMs, namespace: this.namespace, tracer },
        onCircuit,
      );
    this.#coherence = new Coherence<V>(
      {
        namespace: this.namespace,
        instanceId: this.instanceId,
        l1,
        bus: this.#bus,
        monitor: this.#monitor,
        defaultTtlMs: this.#defaultTtlMs,
        bounded: (work) => this.#remote.bounded(work, 'publish'),
      },
      (key) => this.#loading.loader.wake(key),
    );
    const sliding = new Sliding<V>({ remote: this.#remote, layout: this.#layout, coherence: this.#coherence, all: resolved.slidingTtl, defaultTtlMs: this.#defaultTtlMs, monitor: this.#monitor });
    this.#sliding = sliding;
    this.#reader = new TierReader<V>({ remote: this.#remote, coherence: this.#coherence, layout: this.#layout, degrade: this.#degrade, sliding });
    this.#writer = new TierWriter<V>({ remote: this.#remote, coherence: this.#coherence, store: this.#store, layout: this.#layout, degrade: this.#degrade });
    this.#writer.graceMs = resolved.loadPolicy.graceMs;
    this.#loading = new TieredLoading<V>({
      ...{ remote: this.#remote, coherence: this.#coherence, reader: this.#reader, writer: this.#writer, sliding, layout: this.#layout, store: this.#store },
      ...{ monitor: this.#monitor, tracer, tracing: this.#tracing, namespace: this.namespace, signal: this.#controller.signal, clock, defaultTtlMs: this.#defaultTtlMs },
      policy: resolved.loadPolicy,
      timing: { lockTtlMs, lockWaitMs, lockPollMs },
      read: (key, opts, fillL1, l1AlreadyMissed) => this.#get(key, opts, fillL1, l1AlreadyMissed),
      checkOpen: () => this.#checkOpen(),
    });
    this.#observer = new TierObserver<V>({ namespace: this.namespace, remote: this.#remote, coherence: this.#coherence, loading: this.#loading, writer: this.#writer, store: this.#store });
    this.#snapshots = new TierSnapshots<V>(this.namespace, this.#remote, this.#coherence, this.#layout, sliding);
  }

  // ---------------------------------------------------------------- reads

  /**
   * The value under `key`, or `undefined`. An L1 hit never touches the network.
   *
   * @throws (rejects) `CACHE_BACKEND_UNAVAILABLE` when L2 cannot answer and L1 has no copy (without
   *   `degradeToL1`); `CACHE_DECODE_FAILED` for bytes this serializer cannot read; TypeError for a bad key.
   */
  get(key: string, options?: TieredGetOptions): Promise<V | undefined> {
    try {
      this.#checkKey(key);
      if (options !== undefined) checkCallOptions(options, TIERED_GET_KEYS);
    } catch (err) {
      return Promise.reject(toError(err));
    }
    const tracing = this.#tracing;
    return tracing === undefined ? this.#reader.get(key, options, true, false) : tracing.get(this.#reader, this.#coherence, key, options, this.#loading.onTracedHit);
  }

  // Not async: the reader's promise is returned as is, one promise per call on the L1-hit path.
  #get(key: string, options: TieredGetOptions | undefined, fillL1: boolean, l1AlreadyMissed = false): Promise<V | undefined> {
    try {
      this.#checkKey(key);
    } catch (err) {
      return Promise.reject(toError(err));
    }
    return this.#reader.get(key, options, fillL1, l1AlreadyMissed);
  }

  /**
   * Values of `keys` in order (`undefined` for misses); L1 first, then one pipelined L2 round trip. With a
   * `loader`, ONE loader call for the distinct keys still missing; its answers are cached and returned.
   * @throws (rejects) the loader's error; `CACHE_LOAD_TIMEOUT` after `hardTimeoutMs`; TypeError for bad input.
   */
  getMany(keys: readonly string[]): Promise<(V | undefined)[]>;
  getMany(keys: readonly string[], loader: TieredBulkLoader<V>, options?: TieredGetManyOptions): Promise<(V | undefined)[]>;
  getMany(keys: readonly string[], loader?: TieredBulkLoader<V>, options: TieredGetManyOptions = {}): Promise<(V | undefined)[]> {
    if (!isList(keys)) return Promise.reject(new TypeError(`Expected \`keys\` to be an array, got ${describeValue(keys)}`));
    try {
      for (const key of keys) this.#checkKey(key);
    } catch (err) {
      return Promise.reject(toError(err));
    }
    return loader === undefined ? this.#reader.getMany(keys) : this.#loading.getMany(keys, loader, options);
  }

  /** True when L1 (trusted) or L2 holds `key`. */
  async exists(key: string): Promise<boolean> {
    this.#checkKey(key);
    if (this.#coherence.trusted && this.#coherence.l1?.has(key) === true) return true;
    return this.#remote.call('exists', (l2) => l2.exists(this.#layout.value(key)));
  }

  /**
   * Yields the keys of this namespace matching the glob `pattern` (`*`, `?`, `[a-z]`), from a SCAN
   * cursor on every master; a key may be yielded twice when the keyspace changes during the scan.
   */
  async *scan(pattern = '*', options: TieredScanOptions = {}): AsyncIterableIterator<string> {
    expectString('pattern', pattern);
    checkCallOptions(options, TIERED_SCAN_KEYS);
    const batchSize = optional('batchSize', options.batchSize, expectPositiveInteger, 1000);
    this.#checkOpen();
    yield* this.#reader.scan(pattern, batchSize);
  }

  // ---------------------------------------------------------------- writes

  /**
   * Stores `value` in L2 (and the store first, when write-through), then L1, then tells other
   * instances. Resolves false only with `nx` when the key already exists.
   *
   * @throws (rejects) `CACHE_SERIALIZATION_FAILED` (nothing written), `CACHE_STORE_WRITE_FAILED` (nothing
   *   written), `CACHE_BACKEND_UNAVAILABLE` (without `degradeToL1`); TypeError for a bad key or value.
   */
  set(key: string, value: V, options: TieredSetOptions = {}): Promise<boolean> {
    const tracing = this.#tracing;
    return tracing === undefined ? this.#set(key, value, options) : tracing.write('cache.set', () => this.#set(key, value, options));
  }

  async #set(key: string, value: V, options: TieredSetOptions): Promise<boolean> {
    this.#checkKey(key);
    if (value === undefined) throw new TypeError(UNDEFINED_VALUE);
    checkCallOptions(options, TIERED_SET_KEYS);
    const ttlMs = optional('ttlMs', options.ttlMs, expectTtlMs, this.#defaultTtlMs);
    const nx = optional('nx', options.nx, expectBoolean, false);
    const tags = checkTags(options.tags);
    if (options.sliding !== undefined) expectBoolean('sliding', options.sliding);
    if (nx && this.#store.enabled) throw new TypeError('Expected `nx` to be false with a write-through store: the store cannot be written conditionally');
    this.#checkOpen();
    const bytes = (this.#remote.loadedSerializer ?? (await this.#remote.serializer())).serialize(value);
    const sliding = this.#sliding;
    // Sliding state exists only once asked for: the plain set path pays one branch and no extra await
    // (an extra tick would let fewer concurrent sets share one pipeline).
    if (options.sliding === undefined && !sliding.active) return this.#writer.set(key, value, bytes, ttlMs, nx, tags);
    const written = await this.#writer.set(key, value, bytes, ttlMs, nx, tags, tags.length > 0 && sliding.slides(options.sliding));
    if (written) sliding.wrote(key, ttlMs, options.sliding);
    return written;
  }

  /**
   * Stores several values in one pipelined L2 round trip (not atomic; see `batch()`), one invalidation.
   * Every entry is checked first: a bad or duplicate key rejects with nothing written.
   *
   * @throws (rejects) `CACHE_DUPLICATE_KEY` when a key appears twice; the errors of `set`.
   */
  async setMany(entries: readonly TieredEntry<V>[]): Promise<void> {
    if (!isList(entries)) throw new TypeError(`Expected \`entries\` to be an array, got ${describeValue(entries)}`);
    // No await once the codec has loaded: a tag invalidation issued after this call must find it tracked.
    const { encoded, slides } = encodeEntries(entries, this.#remote.loadedSerializer ?? (await this.#remote.serializer()), this.#checkKey, this.#defaultTtlMs);
    for (let i = 0; i < encoded.length; i += 1) encoded[i]!.sliding = this.#sliding.slides(slides[i]);
    if (entries.length === 0) return;
    this.#checkOpen();
    await this.#writer.setMany(encoded);
    for (let i = 0; i < encoded.length; i += 1) this.#sliding.wrote(encoded[i]!.key, encoded[i]!.ttlMs, slides[i]);
  }

  /** Removes the distinct `keys` like `delete`, in one L2 round trip and one invalidation; resolves how many existed. */
  async deleteMany(keys: readonly string[]): Promise<number> {
    if (!isList(keys)) throw new TypeError(`Expected \`keys\` to be an array, got ${describeValue(keys)}`);
    for (const key of keys) this.#checkKey(key);
    this.#checkOpen();
    const distinct = [...new Set(keys)];
    return distinct.length === 0 ? 0 : this.#writer.deleteMany(distinct);
  }

  /**
   * Milliseconds `key` has left in L2 (PTTL), `Infinity` when it has no TTL, `undefined` when absent.
   * L2 decides: an L1 copy may be kept for a different time.
   */
  async remainingTtl(key: string): Promise<number | undefined> {
    this.#checkKey(key);
    this.#checkOpen();
    return this.#reader.remainingTtl(key);
  }

  /**
   * The L1 copy of `key` without counting a hit, changing recency or asking L2; `undefined` when L1 has
   * none or cannot be trusted (bus outage) unless `allowStale`, which also returns an expired L1 copy
   * still in its stale or grace window.
   */
  peek(key: string, options: TieredPeekOptions = {}): V | undefined {
    this.#checkKey(key);
    checkCallOptions(options, TIERED_PEEK_KEYS);
    const allowStale = optional('allowStale', options.allowStale, expectBoolean, false);
    if (!this.#coherence.trusted && !allowStale) return undefined;
    return this.#coherence.l1?.peek(key, allowStale ? ALLOW_STALE : undefined);
  }

  /**
   * Up to `n` keys of L1 its eviction policy values most, most valued first (Caffeine's
   * `hottest(n)`); empty without L1. O(L1 size): for admin endpoints, not per request.
   */
  hottest(n: number): string[] {
    return this.#ranked(n, true);
  }

  /** Up to `n` keys of L1 in the order its eviction policy would evict them; see {@link TieredCache.hottest}. */
  coldest(n: number): string[] {
    return this.#ranked(n, false);
  }

  #ranked(n: number, hottest: boolean): string[] {
    const l1 = this.#coherence.l1;
    if (l1 === undefined) {
      expectNonNegativeInteger('n', n);
      return [];
    }
    return hottest ? l1.hottest(n) : l1.coldest(n);
  }

  /** Removes `key` from the store (first), L2, L1 and every other instance's L1; resolves whether L2 held it. */
  async delete(key: string): Promise<boolean> {
    this.#checkKey(key);
    this.#checkOpen();
    return this.#writer.delete(key);
  }

  /**
   * Adds `delta` to the integer counter under `key` atomically on the server and resolves the new value.
   * A missing key starts at 0 (with `ttlMs`); `get` reads counters as numbers. With a store, the new
   * value is written to it after L2 (and the increment undone in L2 when the store fails).
   *
   * @throws (rejects) `CACHE_NOT_A_COUNTER` when the key holds another value; `CACHE_COUNTER_OUT_OF_RANGE`
   *   when the count would leave ±`Number.MAX_SAFE_INTEGER` (nothing written); `CACHE_STORE_WRITE_FAILED`;
   *   TypeError for a `delta` that is not a safe integer.
   */
  async increment(key: string, delta = 1, options: { ttlMs?: number } = {}): Promise<number> {
    this.#checkKey(key);
    if (!Number.isSafeInteger(delta)) throw new TypeError(`Expected \`delta\` to be a safe integer, got ${describeValue(delta)}`);
    checkCallOptions(options, TIERED_INCREMENT_KEYS);
    const ttlMs = optional('ttlMs', options.ttlMs, expectTtlMs, this.#defaultTtlMs);
    this.#checkOpen();
    return this.#writer.increment(key, delta, ttlMs);
  }

  /** A builder of writes applied atomically in one MULTI (on a cluster: atomic per hash slot). */
  batch(): TieredBatch<V> {
    return new TieredBatch<V>(async (ops) => {
      const serializer = await this.#remote.serializer();
      this.#checkOpen();
      return this.#writer.batch(ops, serializer, this.#defaultTtlMs);
    }, this.#checkKey);
  }

  /**
   * A compare-and-set builder: every `check(key, expected)` must hold (deep equality of the decoded
   * value; `undefined` means absent) for the `set`/`delete` steps to apply, atomically on the server
   * (one Lua script; on a cluster every key in one hash slot).
   */
  atomic(): TieredAtomic<V> {
    return new TieredAtomic<V>(async (checks, writes) => {
      const serializer = await this.#remote.serializer();
      this.#checkOpen();
      return this.#writer.atomic(checks, writes, serializer, this.#defaultTtlMs);
    }, this.#checkKey);
  }

  /**
   * Removes every key of this namespace from the store, L2 (SCAN + UNLINK, never FLUSHDB: values, tags,
   * locks and every region's keys), L1 (this cache's and its regions') and other instances' L1.
   */
  async clear(): Promise<number> {
    this.#checkOpen();
    // Before L2 is touched: a region's load that ends during the clear must not write behind its deletes.
    this.#clearingRegions();
    const removed = await this.#writer.clear();
    this.#forget();
    this.#clearRegions();
    return removed;
  }

  #clearingRegions(): void {
    for (const region of this.#regions.values()) {
      region.#coherence.loads.all();
      region.#clearingRegions();
    }
  }

  #clearRegions(): void {
    for (const region of this.#regions.values()) {
      region.#coherence.cleared();
      region.#forget();
      region.#clearRegions();
    }
  }

  /** Drops per-key load and sliding state (failure backoffs, write times, sliding windows). */
  #forget(): void {
    this.#loading.loader.forget();
    this.#sliding.clear();
  }

  /** Removes every entry tagged `tag` here and on every instance; resolves how many L2 keys went. */
  async invalidateTag(tag: string): Promise<number> {
    checkTags([tag]);
    this.#checkOpen();
    return this.#writer.invalidateTag(tag);
  }

  /**
   * The value under `key`, loading it once across all instances on a miss: local callers share one
   * flight, and instances race for a Redis lock (`SET NX PX lockTtlMs`); the winner loads and writes,
   * the others wait for its invalidation (or poll) and read the result from L2.
   *
   * @throws (rejects) the loader's error (not cached; the lock is released so another instance may
   *   retry), `CACHE_LOCK_TIMEOUT` after `lockWaitTimeoutMs`, the caller's `signal` reason.
   */
  getOrLoad(key: string, loader: Loader<V>, options: TieredGetOrLoadOptions = NO_GET_OR_LOAD_OPTIONS): Promise<V> {
    try {
      this.#checkKey(key);
      this.#checkOpen();
    } catch (err) {
      return Promise.reject(toError(err));
    }
    return this.#loading.getOrLoad(key, loader, options);
  }

  /**
   * A view with its own namespace (`<namespace>.<name>`, keys under `<namespace>:r:<name>:`), L1 and
   * defaults, sharing this cache's L2, bus, serializer, circuit breaker and write-through store (under
   * the store key prefix `<name>:`, unless given its own `store`); closed and cleared with its parent.
   * Asking again for a name returns the same region: pass options only when creating it. An empty
   * options object counts as none, so code that forwards a caller's `{}` may ask again.
   *
   * @throws TypeError for a name that is not 1-128 letters, digits, `_`, `-` or `.`, for options that are
   *   not an object, or when options are passed for a region that already exists; `CACHE_CLOSED` when
   *   creating a region after `close()`.
   */
  region<RV = V>(name: string, options?: Partial<Omit<TieredCacheOptions<RV>, 'l2' | 'namespace' | 'bus' | 'serializer' | 'compression' | 'compressionThresholdBytes' | 'circuitBreaker'>>): TieredCache<RV> {
    checkNamespace('name', name);
    if (options !== undefined) checkRegionOptions(options);
    return this.#regions.open(name, givesRegionOptions(options), () => {
      this.#checkOpen();
      const namespace = `${this.namespace}.${name}`;
      const region = new TieredCache<RV>(
        { ...(this.#options as unknown as TieredCacheOptions<RV>), store: undefined, ...options, l2: this.#options.l2, bus: this.#bus ?? false, namespace },
        {
          remote: (onCircuit, tracer) => this.#remote.forRegion(namespace, onCircuit, tracer),
          layout: this.#layout.region(name),
          store: this.#store,
          storePrefix: this.#store.regionPrefix(name),
        },
      );
      return region as TieredCache<unknown>;
    }) as TieredCache<RV>;
  }

  /**
   * Every invalidation this instance makes or receives for its namespace, as an async iterator; break
   * out of the loop (or abort `signal`) to unsubscribe. Slow consumers lose the oldest of `bufferSize` events.
   */
  subscribeInvalidation(options: { signal?: AbortSignal; bufferSize?: number } = {}): AsyncIterableIterator<InvalidationEvent> {
    checkCallOptions(options, TIERED_SUBSCRIBE_KEYS);
    const bufferSize = optional('bufferSize', options.bufferSize, expectPositiveInteger, 1000);
    return this.#coherence.subscribe(bufferSize, options.signal);
  }

  // ---------------------------------------------------------------- observability

  /**
   * Counters and latency summaries of every tier (L2 counters count this cache's own calls). With
   * `reset: true`, returns them and then zeroes the load figures, `staleServed`, the L2 hit/miss counts and L1's own figures (as `Cache.stats({ reset: true })` does).
   */
  stats(options: TieredStatsOptions = {}): TieredCacheStats {
    checkCallOptions(options, TIERED_STATS_KEYS);
    return this.#observer.stats(options);
  }

  /** Metric snapshots for a `MetricsRegistry` (`registry.addCollector(() => cache.collectMetrics())`). */
  collectMetrics(): MetricSnapshot[] {
    return this.#observer.metrics();
  }

  /** A health check for `checkHealth`: PING within `timeoutMs` (100), `degraded` while the bus or circuit is down. */
  healthCheck(timeoutMs = 100): HealthCheck {
    return this.#observer.healthCheck(timeoutMs);
  }

  /** PINGs L2 within `timeoutMs` and reports `up`, `degraded` (bus disconnected, circuit not closed) or `down`. */
  health(timeoutMs = 100): Promise<HealthResult> {
    return this.#observer.health(timeoutMs);
  }

  // ---------------------------------------------------------------- snapshots

  /**
   * Writes every key of this namespace with its bytes and remaining TTL, and every tag with its member keys,
   * to `path` (atomically, via a temp file).
   */
  async exportSnapshot(path: string): Promise<SnapshotInfo> {
    this.#checkOpen();
    return this.#snapshots.export(path);
  }

  /** Loads a snapshot written by `exportSnapshot` into this namespace, then invalidates every L1. */
  async importSnapshot(path: string, options: SnapshotImportOptions = {}): Promise<SnapshotInfo> {
    checkCallOptions(options, SNAPSHOT_IMPORT_KEYS);
    this.#checkOpen();
    return this.#snapshots.import(path, options);
  }

  /** True once {@link TieredCache.close} began: reads and writes then fail with `CACHE_CLOSED`. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Resolves once no load of this cache or its regions is running: `getOrLoad`/`getMany` loads, background
   * refreshes (refresh ahead, stale-while-revalidate, including one that only checked an entry's age or
   * found another instance refreshing) and loads a caller stopped waiting for. Never rejects. For a
   * planned shutdown (`await cache.settled()` before `close()`) and for tests that count loader calls.
   */
  async settled(): Promise<void> {
    await this.#loading.settled();
    await this.#regions.settled();
  }

  /**
   * Aborts the loaders' signal, then waits up to `operationTimeoutMs` for running loads to end (so a
   * refresh lets go of its lock; what a loader returns after close is not written), stops listening to the
   * bus, closes L1 and every region; the root cache also closes its bus and L2. Calling it again (or
   * disposing) returns the same promise, resolved once all of that is done.
   */
  close(): Promise<void> {
    // A second close (or `await using` after an explicit close) waits for the first to finish.
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    this.#controller.abort(new TieredCacheError('TieredCache is closed', 'CACHE_CLOSED', { namespace: this.namespace }));
    await settleWithin(this.settled(), this.#closeWaitMs);
    this.#remote.close(this.#isRoot);
    this.#coherence.close();
    this.#loading.loader.close();
    await Promise.all(Array.from(this.#regions.values(), (region) => region.close()));
    // Together: each may wait for a server that stopped answering (RedisBackend and RedisBus bound that wait).
    if (this.#isRoot) await Promise.all([this.#bus?.close(), this.#options.l2.close()]);
    safeRecord(this.#monitor, createEvent(CACHE_EVENTS.tieredClosed, SOURCE, { namespace: this.namespace }));
  }

  /** Same as {@link TieredCache.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new TieredCacheError('TieredCache is closed', 'CACHE_CLOSED', { namespace: this.namespace });
  }

  #onCircuit(state: CircuitState): void {
    const type = state === 'open' ? CACHE_EVENTS.tieredCircuitOpen : state === 'half-open' ? CACHE_EVENTS.tieredCircuitHalfOpen : CACHE_EVENTS.tieredCircuitClosed;
    safeRecord(this.#monitor, createEvent(type, SOURCE, { namespace: this.namespace }));
    // L1 may hold writes L2 never saw (degraded) and misses invalidations; start clean.
    if (state === 'closed') this.#coherence.flush('circuit-closed');
  }
}
