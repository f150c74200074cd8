import {
  describeThrown,
  describeValue,
  expectFunction,
  expectNonEmptyString,
  expectNonNegativeFinite,
  expectPositiveInteger,
  expectSignal,
  expectString,
  expectTimerMs,
  optional,
  raceAbort,
  readOptions,
  toError,
} from '@patinox/errors';
import {
  createEvent,
  expectMonitor,
  expectTraceHook,
  noopMonitor,
  safeRecord,
  type HealthCheck,
  type MetricSnapshot,
  type Monitor,
  type TraceHook,
} from '@patinox/monitor';
import { CACHE_EVENTS } from './events.js';
import { CacheClosedError, CacheEntryTooLargeError, CacheLoadAbortedError, CacheLoaderError } from './errors.js';
import { hashKey } from './internal/hash.js';
import {
  CACHE_DEFAULTS,
  type CacheOptions,
  type EvictionPolicyName,
  type EvictionReason,
  type EvictionStrategy,
  type GetOrLoadOptions,
  type LoaderContext,
  type RegionOptions,
  type SetOptions,
} from './options.js';
import { ClockTinyLfuPolicy } from './policies/clock-tinylfu.js';
import { createPolicy } from './policies/create.js';
import { CustomPolicy } from './policies/custom.js';
import { LruPolicy } from './policies/lru.js';
import { DEFAULT_EVICTION_POLICY, EVICTION_POLICIES } from './policies/names.js';
import type { Policy } from './policies/policy.js';
import { TinyLfuPolicy } from './policies/tinylfu.js';
import { REGION_OPTION_KEYS, regionOptions, validateRegionName } from './region.js';

/** Counters of one cache (regions have their own). */
export interface CacheStats {
  /** `get`/`getOrLoad` calls that found a fresh value (stale values served by `getOrLoad` included). */
  hits: number;
  /** `get`/`getOrLoad` calls that found nothing usable. */
  misses: number;
  /** hits / (hits + misses), 0 before the first lookup. */
  hitRate: number;
  /** New keys stored. */
  inserts: number;
  /** Values replaced under an existing key. */
  updates: number;
  /** Entries that left the cache for any reason. */
  removals: number;
  /** Removals by reason. */
  evictions: Record<EvictionReason, number>;
  /** Entries dropped because their TTL passed (same as `evictions.expired`). */
  expired: number;
  /** `set` calls not stored because the entry alone exceeded `maxSizeBytes`. */
  rejected: number;
  /** Loader calls started by `getOrLoad` (refreshes included). */
  loads: number;
  /** Loader calls that failed. */
  loadFailures: number;
  /** Stale values served while a refresh ran. */
  staleHits: number;
  /** Entries held now (expired ones not yet swept included). */
  size: number;
  /** Bytes held now (0 when sizes are not tracked). */
  bytes: number;
}

type Loader<K, V> = (key: K, context: LoaderContext) => V | Promise<V>;

interface Inflight<V> {
  promise: Promise<V>;
}

const REASONS: readonly EvictionReason[] = ['evicted', 'expired', 'deleted', 'replaced', 'cleared'];
const EVICTED = 0;
const EXPIRED = 1;
const DELETED = 2;
const REPLACED = 3;
const CLEARED = 4;

function defaultClock(): number {
  return performance.now();
}

function createDict(): Record<string, number> {
  const dict = Object.create(null) as Record<string, number>;
  // Start in dictionary mode so the first deletes do not trigger a shape transition.
  dict.__init__ = 0;
  delete dict.__init__;
  return dict;
}

function ignore(): void {
  // The failure was already reported to the monitor; this only marks the shared promise as handled.
}

function keyContext(key: unknown): Record<string, unknown> {
  return typeof key === 'string' || typeof key === 'number' ? { key } : {};
}

// Every option a region can set, and the name, which a region always gets from its parent.
const CACHE_OPTION_KEYS = [...REGION_OPTION_KEYS, 'name'] as const satisfies readonly (keyof CacheOptions)[];
const SET_OPTION_KEYS = ['ttlMs', 'sizeBytes', 'tags'] as const satisfies readonly (keyof SetOptions)[];
const LOAD_OPTION_KEYS = ['ttlMs', 'sizeBytes', 'tags', 'signal', 'staleWhileRevalidateMs'] as const satisfies readonly (keyof GetOrLoadOptions)[];

// The sweep period is a timer: Node turns a delay over MAX_TIMER_MS into 1 ms, which would sweep non-stop.
function expectSweepMs(name: string, value: unknown): number {
  return expectTimerMs(name, value, { allowZero: true });
}

function validatePolicy(value: unknown): EvictionPolicyName | EvictionStrategy<never, never> {
  if (typeof value === 'string' && (EVICTION_POLICIES as readonly string[]).includes(value)) return value as EvictionPolicyName;
  if (typeof value === 'object' && value !== null) {
    const s = value as Record<string, unknown>;
    for (const method of ['shouldEvict', 'onAccess', 'onInsert', 'evictionPriority']) expectFunction(`evictionPolicy.${method}`, s[method]);
    return value as EvictionStrategy<never, never>;
  }
  throw new TypeError(
    `Expected \`evictionPolicy\` to be one of ${EVICTION_POLICIES.join(', ')} or an EvictionStrategy object, got ${describeValue(value)}`,
  );
}

function validateTags(tags: unknown): readonly string[] {
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) {
    throw new TypeError(`Expected \`tags\` to be an array of strings, got ${describeValue(tags)}`);
  }
  return tags as readonly string[];
}

/**
 * An in-process cache with a pluggable eviction policy, TTLs, byte limits, tags, regions and
 * `getOrLoad` with shared in-flight loads. Every method but `getOrLoad` is synchronous.
 *
 * A key maps to a slot (string keys in a dictionary object, others in a `Map`) and everything else
 * lives in parallel typed arrays indexed by slot, so a hit or an eviction allocates nothing. `set`
 * makes room before storing, so a key just set is always readable.
 *
 * @example
 * ```ts
 * const cache = new Cache<string, User>({ maxEntries: 10_000, defaultTtlMs: 60_000 });
 * cache.set('u1', user);
 * const u = cache.get('u1');
 * ```
 */
export class Cache<K, V> {
  /** Event source and metric label. */
  readonly name: string;
  /** Most entries held at once. */
  readonly maxEntries: number;
  /** Most bytes held at once (`Infinity` when unlimited). */
  readonly maxSizeBytes: number;

  /**
   * key → slot. String keys live in a null-prototype dictionary object, other keys in a Map: V8's
   * dictionary objects delete and insert string keys about twice as fast as a Map, which is most of
   * the cost of a set that evicts.
   */
  #dict: Record<string, number> = createDict();
  readonly #map = new Map<K, number>();
  #count = 0;
  readonly #keys: (K | undefined)[];
  readonly #values: (V | undefined)[];
  /** Clock ms after which the slot is expired; 0 = never. Allocated when the first TTL is set. */
  #expiresAt: Float64Array | undefined;
  /** Clock ms until which an expired slot may still be served by getOrLoad; allocated on first use. */
  #staleUntil: Float64Array | undefined;
  readonly #sizes: Float64Array | undefined;
  #slotTags: (readonly string[] | undefined)[] | undefined;
  #tagIndex: Map<string, Set<K>> | undefined;
  /**
   * Slots given back by deletes and expiry, reused first (a stack); allocated on the first one, so a
   * cache that only ever evicts (the victim's slot is reused in place) never pays its 4 B per slot.
   */
  #free: Int32Array | undefined;
  #freeTop = 0;
  /** Slots from here on have never been used since creation or the last `clear()`. */
  #fresh = 0;
  readonly #policy: Policy;
  /**
   * The policy again when it is the default (`tinylfu`) or `lru`, typed by class: the hot paths call
   * through these, so each call site only ever sees one class and V8 inlines it, even in a process
   * whose caches use several policies (through `#policy` alone that call would be polymorphic).
   */
  readonly #clockTiny: ClockTinyLfuPolicy | undefined;
  readonly #tiny: TinyLfuPolicy | undefined;
  readonly #lru: LruPolicy | undefined;
  readonly #custom: CustomPolicy<K, V> | undefined;
  readonly #needsHash: boolean;

  readonly #options: CacheOptions<K, V>;
  readonly #clock: () => number;
  readonly #defaultTtlMs: number;
  readonly #swrMs: number;
  readonly #cleanupIntervalMs: number;
  readonly #sizeOf: ((value: V, key: K) => number) | undefined;
  readonly #onEvict: ((key: K, value: V, reason: EvictionReason) => void) | undefined;
  readonly #onReject: ((key: K, error: CacheEntryTooLargeError) => void) | undefined;
  readonly #monitor: Monitor;
  readonly #tracer: TraceHook | undefined;
  /** True once an entry may expire or a custom strategy may veto reads: only then does `get` check. */
  #readCheck: boolean;
  /** No byte sizes and no default TTL: `set` without options takes the shortest path. */
  readonly #plain: boolean;
  #timer: ReturnType<typeof setInterval> | undefined;
  /**
   * While > 0, `onEvict` calls wait in `#deferred` (flat key, value, reason triples) until the operation
   * that removes several entries is done: a callback that uses the cache then sees it consistent, and
   * cannot refill it under a loop that is making room (which would never end).
   */
  #deferring = 0;
  #deferred: unknown[] | undefined;
  #closed = false;
  readonly #inflight = new Map<K, Inflight<V>>();
  readonly #controller = new AbortController();
  readonly #regions = new Map<string, Cache<unknown, unknown>>();

  #bytes = 0;
  #hits = 0;
  #misses = 0;
  #inserts = 0;
  #updates = 0;
  #rejected = 0;
  #loads = 0;
  #loadFailures = 0;
  #staleHits = 0;
  #evicted = 0;
  #expired = 0;
  #deleted = 0;
  #replaced = 0;
  #cleared = 0;

  /**
   * @throws TypeError / RangeError for an invalid option, with the option's name in the message.
   */
  constructor(cacheOptions: CacheOptions<K, V>) {
    // Read once: a getter runs one time, and a bag that throws when read is a TypeError naming it.
    const options = readOptions('options', cacheOptions, CACHE_OPTION_KEYS) as CacheOptions<K, V>;
    this.maxEntries = expectPositiveInteger('maxEntries', options.maxEntries);
    const maxSizeBytes = optional('maxSizeBytes', options.maxSizeBytes, expectNonNegativeFinite, CACHE_DEFAULTS.maxSizeBytes);
    if (maxSizeBytes === 0) throw new RangeError('Expected `maxSizeBytes` to be a positive finite number, got 0 (number)');
    this.maxSizeBytes = maxSizeBytes;
    this.#sizeOf = optional('sizeOf', options.sizeOf, expectFunction, undefined) as ((value: V, key: K) => number) | undefined;
    this.#defaultTtlMs = optional('defaultTtlMs', options.defaultTtlMs, expectNonNegativeFinite, CACHE_DEFAULTS.defaultTtlMs);
    this.#swrMs = optional('staleWhileRevalidateMs', options.staleWhileRevalidateMs, expectNonNegativeFinite, CACHE_DEFAULTS.staleWhileRevalidateMs);
    this.#cleanupIntervalMs = optional('cleanupIntervalMs', options.cleanupIntervalMs, expectSweepMs, CACHE_DEFAULTS.cleanupIntervalMs);
    this.#clock = optional('clock', options.clock, expectFunction, defaultClock) as () => number;
    this.#onEvict = optional('onEvict', options.onEvict, expectFunction, undefined) as ((key: K, value: V, reason: EvictionReason) => void) | undefined;
    this.#onReject = optional('onReject', options.onReject, expectFunction, undefined) as ((key: K, error: CacheEntryTooLargeError) => void) | undefined;
    this.name = optional('name', options.name, expectNonEmptyString, CACHE_DEFAULTS.name);
    this.#monitor = optional('monitor', options.monitor, expectMonitor, noopMonitor);
    this.#tracer = expectTraceHook('tracer', options.tracer);
    const spec = (options.evictionPolicy === undefined ? DEFAULT_EVICTION_POLICY : validatePolicy(options.evictionPolicy)) as
      | EvictionPolicyName
      | EvictionStrategy<K, V>;
    this.#options = { ...options, evictionPolicy: spec };

    const slots = this.maxEntries;
    this.#keys = new Array<K | undefined>(slots).fill(undefined);
    this.#values = new Array<V | undefined>(slots).fill(undefined);
    this.#sizes = maxSizeBytes !== Infinity || this.#sizeOf !== undefined ? new Float64Array(slots) : undefined;
    this.#policy = createPolicy<K, V>(spec, slots, this.maxEntries, {
      key: (slot) => this.#keys[slot] as K,
      value: (slot) => this.#values[slot] as V,
      expiresAt: (slot) => {
        const e = this.#expiresAt === undefined ? 0 : this.#expiresAt[slot]!;
        return e === 0 ? Infinity : e;
      },
      sizeBytes: (slot) => (this.#sizes === undefined ? 0 : this.#sizes[slot]!),
      now: () => this.#clock(),
    });
    this.#custom = this.#policy instanceof CustomPolicy ? (this.#policy as CustomPolicy<K, V>) : undefined;
    this.#clockTiny = this.#policy instanceof ClockTinyLfuPolicy ? this.#policy : undefined;
    this.#tiny = this.#policy instanceof TinyLfuPolicy ? this.#policy : undefined;
    this.#lru = this.#policy instanceof LruPolicy ? this.#policy : undefined;
    this.#needsHash = this.#policy.needsHash;
    this.#readCheck = this.#custom !== undefined;
    this.#plain = this.#sizes === undefined && this.#defaultTtlMs === 0;
  }

  /** The eviction policy in use: a built-in name, or `'custom'`. */
  get evictionPolicy(): EvictionPolicyName | 'custom' {
    const spec = this.#options.evictionPolicy;
    return typeof spec === 'string' ? spec : 'custom';
  }

  /** Entries held (expired entries not yet swept included). */
  get size(): number {
    return this.#count;
  }

  /** Bytes held, as measured by `sizeOf`/`sizeBytes` (0 when sizes are not tracked). */
  get bytes(): number {
    return this.#bytes;
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The value under `key`, or `undefined` on a miss (expired entries are dropped here). Updates the policy and stats. */
  get(key: K): V | undefined {
    const slot = this.#find(key);
    if (slot === undefined) {
      this.#misses += 1;
      return undefined;
    }
    if (this.#readCheck && !this.#usable(slot)) {
      this.#misses += 1;
      return undefined;
    }
    this.#hits += 1;
    this.#hit(slot);
    return this.#values[slot];
  }

  /** The value under `key` without touching the policy or the stats. */
  peek(key: K): V | undefined {
    const slot = this.#find(key);
    if (slot === undefined || (this.#readCheck && !this.#live(slot))) return undefined;
    return this.#values[slot];
  }

  /** True when `key` holds a live (unexpired) value; does not touch the policy or the stats. */
  has(key: K): boolean {
    const slot = this.#find(key);
    return slot !== undefined && (!this.#readCheck || this.#usable(slot));
  }

  /**
   * Stores `value` under `key`. Returns false when the entry was not stored because its size alone
   * exceeds `maxSizeBytes` (a {@link CacheEntryTooLargeError} goes to `onReject` and the monitor, and
   * `stats().rejected` counts it); any previous value of `key` is then removed, never kept stale.
   *
   * @throws TypeError when `value` is `undefined` (the miss marker) or an option is invalid;
   *   {@link CacheClosedError} after `close()`.
   */
  set(key: K, value: V, options?: SetOptions): boolean {
    if (value === undefined) throw new TypeError('Expected `value` to be defined, got undefined: undefined marks a miss and cannot be stored');
    // getOrLoad hands hits back through a promise, which reads `then`: a value whose `then` throws would
    // reject every later getOrLoad with the value's own error, so it is refused here, once.
    if (typeof value === 'object' && value !== null && !thenReadable(value)) {
      throw new TypeError('Expected `value` to be storable, got an object whose `then` cannot be read (a getter or Proxy trap threw)');
    }
    if (this.#closed) throw new CacheClosedError(this.name);
    if (options === undefined && this.#plain) {
      // The common case: no TTL, no sizes, no tags.
      const slot = this.#find(key);
      if (slot !== undefined) {
        this.#replace(slot, key, value, 0, 0, undefined, 0);
        return true;
      }
      this.#insertPlain(key, value);
      return true;
    }
    if (options === undefined) return this.#store(key, value, undefined, undefined, undefined, 0);
    let ttlMs: unknown;
    let sizeBytes: unknown;
    let tags: unknown;
    // Read in place (set is hot); only a bag that cannot be read pays for readOptions' TypeError.
    try {
      ttlMs = options.ttlMs;
      sizeBytes = options.sizeBytes;
      tags = options.tags;
    } catch {
      ({ ttlMs, sizeBytes, tags } = readOptions('options', options, SET_OPTION_KEYS));
    }
    return this.#store(key, value, ttlMs, sizeBytes, tags, 0);
  }

  /** Removes `key`; true when it was present. `onEvict` gets reason `deleted`. */
  delete(key: K): boolean {
    if (this.#inflight.size !== 0) this.#inflight.delete(key);
    const slot = this.#find(key);
    if (slot === undefined) return false;
    this.#policy.remove(slot);
    this.#drop(slot, DELETED);
    return true;
  }

  /** Removes every entry (and every region's); `onEvict` gets reason `cleared` for each. */
  clear(): void {
    this.#inflight.clear();
    const had = this.#count;
    if (this.#onEvict === undefined && this.#tagIndex === undefined) {
      this.#dict = createDict();
      this.#map.clear();
      this.#count = 0;
      this.#keys.fill(undefined);
      this.#values.fill(undefined);
      this.#expiresAt?.fill(0);
      this.#sizes?.fill(0);
      this.#staleUntil?.fill(0);
      this.#bytes = 0;
      this.#policy.clear();
      this.#resetFree();
      this.#cleared += had;
    } else {
      this.#deferring += 1;
      try {
        for (const slot of this.#occupied()) {
          this.#policy.remove(slot);
          this.#drop(slot, CLEARED);
        }
        this.#policy.clear();
        this.#resetFree();
      } finally {
        this.#endDeferral();
      }
    }
    for (const region of this.#regions.values()) region.clear();
    if (had > 0) safeRecord(this.#monitor, createEvent(CACHE_EVENTS.cleared, this.name, { entries: had }));
  }

  /** Live keys (expired ones skipped): string keys first, otherwise in no particular order. */
  *keys(): IterableIterator<K> {
    for (const [key, slot] of this.#pairs()) if (!this.#readCheck || this.#live(slot)) yield key;
  }

  /** Live `[key, value]` pairs (expired ones skipped): string keys first, otherwise in no particular order. */
  *entries(): IterableIterator<[K, V]> {
    for (const [key, slot] of this.#pairs()) if (!this.#readCheck || this.#live(slot)) yield [key, this.#values[slot] as V];
  }

  /** Same as {@link Cache.entries}. */
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /** Removes every entry tagged `tag` (in this cache and its regions); returns how many went. */
  invalidateTag(tag: string): number {
    expectString('tag', tag);
    let removed = 0;
    const keys = this.#tagIndex?.get(tag);
    if (keys !== undefined) {
      for (const key of [...keys]) if (this.delete(key)) removed += 1;
    }
    for (const region of this.#regions.values()) removed += region.invalidateTag(tag);
    return removed;
  }

  /**
   * The value under `key`, or the loader's result, stored with `options`. Concurrent callers for one key
   * share one loader call; a loader failure is not cached and reaches every waiter as a
   * {@link CacheLoaderError}; a caller's `signal` only ends that caller's wait. With
   * `staleWhileRevalidateMs`, an expired value is served for that long while one refresh runs.
   *
   * @throws (rejects) {@link CacheLoaderError}, {@link CacheLoadAbortedError}, {@link CacheClosedError};
   *   TypeError for invalid arguments.
   */
  getOrLoad(key: K, loader: Loader<K, V>, loadOptions: GetOrLoadOptions = {}): Promise<V> {
    let options: GetOrLoadOptions;
    try {
      expectFunction('loader', loader);
      options = readOptions('options', loadOptions, LOAD_OPTION_KEYS) as GetOrLoadOptions;
      if (options.ttlMs !== undefined) expectNonNegativeFinite('ttlMs', options.ttlMs);
      if (options.sizeBytes !== undefined) expectNonNegativeFinite('sizeBytes', options.sizeBytes);
      if (options.tags !== undefined) validateTags(options.tags);
      optional('staleWhileRevalidateMs', options.staleWhileRevalidateMs, expectNonNegativeFinite, CACHE_DEFAULTS.staleWhileRevalidateMs);
      if (options.signal !== undefined) expectSignal('signal', options.signal);
      if (this.#closed) throw new CacheClosedError(this.name);
    } catch (err) {
      return Promise.reject(toError(err));
    }
    const slot = this.#find(key);
    if (slot !== undefined) {
      if (!this.#readCheck || this.#live(slot)) {
        this.#hits += 1;
        this.#hit(slot);
        return Promise.resolve(this.#values[slot] as V);
      }
      if (this.#inStaleWindow(slot)) {
        this.#hits += 1;
        this.#staleHits += 1;
        this.#hit(slot);
        if (!this.#inflight.has(key)) this.#startLoad(key, loader, options, true).promise.catch(ignore);
        return Promise.resolve(this.#values[slot] as V);
      }
      this.#usable(slot);
    }
    this.#misses += 1;
    const shared = (this.#inflight.get(key) ?? this.#startLoad(key, loader, options, false)).promise;
    return options.signal === undefined
      ? shared
      : raceAbort(shared, options.signal, (reason) => new CacheLoadAbortedError({ cache: this.name, ...keyContext(key) }, reason));
  }

  /**
   * A namespaced cache with its own limits, TTL, policy and stats; options default to this cache's.
   * Asking again for a name returns the same region. `clear`, `invalidateTag` and `close` on this cache
   * reach its regions.
   *
   * @throws TypeError for an empty name, or when options are passed for a region that already exists.
   */
  region<RK = K, RV = V>(name: string, options?: RegionOptions<RK, RV>): Cache<RK, RV> {
    validateRegionName(name);
    const existing = this.#regions.get(name);
    if (existing !== undefined) {
      if (options !== undefined) throw new TypeError(`Region ${JSON.stringify(name)} already exists; pass options only when creating it`);
      return existing as unknown as Cache<RK, RV>;
    }
    if (this.#closed) throw new CacheClosedError(this.name);
    const region = new Cache<RK, RV>(regionOptions(this.#options as unknown as CacheOptions<RK, RV>, this.name, name, options));
    this.#regions.set(name, region as unknown as Cache<unknown, unknown>);
    return region;
  }

  /** Names of the regions created so far. */
  regionNames(): string[] {
    return [...this.#regions.keys()];
  }

  /** A snapshot of this cache's counters (regions have their own `stats()`). */
  stats(): CacheStats {
    const lookups = this.#hits + this.#misses;
    const removals = this.#evicted + this.#expired + this.#deleted + this.#replaced + this.#cleared;
    return {
      hits: this.#hits,
      misses: this.#misses,
      hitRate: lookups === 0 ? 0 : this.#hits / lookups,
      inserts: this.#inserts,
      updates: this.#updates,
      removals,
      evictions: { evicted: this.#evicted, expired: this.#expired, deleted: this.#deleted, replaced: this.#replaced, cleared: this.#cleared },
      expired: this.#expired,
      rejected: this.#rejected,
      loads: this.#loads,
      loadFailures: this.#loadFailures,
      staleHits: this.#staleHits,
      size: this.#count,
      bytes: this.#bytes,
    };
  }

  /** Drops every expired entry now; returns how many went. The periodic sweep calls this. */
  purgeExpired(): number {
    if (!this.#readCheck) return 0;
    let removed = 0;
    this.#deferring += 1;
    try {
      for (const slot of this.#occupied()) {
        if (!this.#live(slot) && !this.#inStaleWindow(slot) && this.#keys[slot] !== undefined) {
          this.#usable(slot);
          removed += 1;
        }
      }
    } finally {
      this.#endDeferral();
    }
    if (removed > 0) safeRecord(this.#monitor, createEvent(CACHE_EVENTS.swept, this.name, { expired: removed, size: this.#count }));
    return removed;
  }

  /** Pull-style metrics for a `MetricsRegistry` (`registry.addCollector(() => cache.collectMetrics())`), regions included. */
  collectMetrics(): MetricSnapshot[] {
    const s = this.stats();
    const labels = { cache: this.name };
    const counter = (name: string, help: string, value: number, extra?: Record<string, string>): MetricSnapshot => ({
      type: 'counter',
      name,
      help,
      labels: extra === undefined ? labels : { ...labels, ...extra },
      value,
    });
    const gauge = (name: string, help: string, value: number): MetricSnapshot => ({ type: 'gauge', name, help, labels, value });
    const out: MetricSnapshot[] = [
      counter('patinox_cache_hits_total', 'Lookups that found a value', s.hits),
      counter('patinox_cache_misses_total', 'Lookups that found nothing', s.misses),
      counter('patinox_cache_inserts_total', 'New keys stored', s.inserts),
      counter('patinox_cache_rejected_total', 'Entries not stored (too large)', s.rejected),
      counter('patinox_cache_loads_total', 'Loader calls', s.loads),
      counter('patinox_cache_load_failures_total', 'Loader calls that failed', s.loadFailures),
      ...REASONS.map((reason) => counter('patinox_cache_removals_total', 'Entries removed, by reason', s.evictions[reason], { reason })),
      gauge('patinox_cache_entries', 'Entries held', s.size),
      gauge('patinox_cache_bytes', 'Bytes held', s.bytes),
      gauge('patinox_cache_hit_ratio', 'hits / lookups since creation', s.hitRate),
    ];
    for (const region of this.#regions.values()) out.push(...region.collectMetrics());
    return out;
  }

  /** A health check for `checkHealth`: `up` while open, `down` once closed. */
  healthCheck(): HealthCheck {
    return {
      name: `cache:${this.name}`,
      check: () => ({
        status: this.#closed ? 'down' : 'up',
        details: { size: this.#count, maxEntries: this.maxEntries, bytes: this.#bytes, hitRate: this.stats().hitRate },
      }),
    };
  }

  /**
   * Stops the sweep timer, aborts loaders' signals, clears the entries and closes every region. Later
   * `set`/`getOrLoad` calls throw/reject {@link CacheClosedError}. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#controller.abort(new CacheClosedError(this.name));
    for (const region of this.#regions.values()) region.close();
    this.clear();
    safeRecord(this.#monitor, createEvent(CACHE_EVENTS.closed, this.name, {}));
  }

  /** Same as {@link Cache.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Same as {@link Cache.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  // ---- internals -------------------------------------------------------------------------------

  /** Validates per-call options and stores; false when rejected as too large. */
  #store(key: K, value: V, ttlOption: unknown, sizeOption: unknown, tagsOption: unknown, swrMs: number): boolean {
    const ttlMs = ttlOption === undefined ? this.#defaultTtlMs : expectNonNegativeFinite('ttlMs', ttlOption);
    const tags = tagsOption === undefined ? undefined : validateTags(tagsOption);
    let size = 0;
    if (sizeOption !== undefined) size = expectNonNegativeFinite('sizeBytes', sizeOption);
    else if (this.#sizes !== undefined) size = this.#measure(key, value);
    if (this.#sizes !== undefined && size > this.maxSizeBytes) {
      this.#reject(key, size);
      return false;
    }
    let expiresAt = 0;
    let staleUntil = 0;
    if (ttlMs > 0) {
      const now = this.#clock();
      expiresAt = now + ttlMs;
      if (swrMs > 0) staleUntil = expiresAt + swrMs;
    }
    const slot = this.#find(key);
    if (slot !== undefined) this.#replace(slot, key, value, expiresAt, size, tags, staleUntil);
    else this.#insert(key, value, expiresAt, size, tags, staleUntil);
    return true;
  }

  #measure(key: K, value: V): number {
    const fn = this.#sizeOf;
    if (fn === undefined) return 1;
    const size = fn(value, key);
    if (typeof size !== 'number' || !Number.isFinite(size) || size < 0) {
      throw new TypeError(`Expected \`sizeOf(value, key)\` to return a non-negative finite number, got ${describeValue(size)}`);
    }
    return size;
  }

  #reject(key: K, size: number): void {
    this.#rejected += 1;
    const old = this.#find(key);
    if (old !== undefined) {
      this.#policy.remove(old);
      this.#drop(old, REPLACED);
    }
    const error = new CacheEntryTooLargeError(size, this.maxSizeBytes);
    safeRecord(this.#monitor, createEvent(CACHE_EVENTS.entryRejected, this.name, { code: error.code, sizeBytes: size, maxSizeBytes: this.maxSizeBytes }));
    if (this.#onReject !== undefined) {
      try {
        this.#onReject(key, error);
      } catch (err) {
        this.#callbackFailed('onReject', err);
      }
    }
  }

  #insert(key: K, value: V, expiresAt: number, size: number, tags: readonly string[] | undefined, staleUntil: number): void {
    if (this.#inflight.size !== 0) this.#inflight.delete(key);
    let slot: number;
    let evicted = false;
    let evictedKey: K | undefined;
    let evictedValue: V | undefined;
    // Room is made before the newcomer lands, so the policy never picks the entry being stored.
    if (this.#count >= this.maxEntries && this.#sizes === undefined) {
      // Full by count only (the common steady state): the victim's slot is reused as is, which
      // skips clearing and re-filling it.
      slot = this.#evictOne();
      const oldKey = this.#keys[slot] as K;
      evicted = true;
      evictedKey = oldKey;
      evictedValue = this.#values[slot];
      this.#unindex(oldKey);
      if (this.#expiresAt !== undefined) {
        this.#expiresAt[slot] = 0;
        if (this.#staleUntil !== undefined) this.#staleUntil[slot] = 0;
      }
      if (this.#slotTags !== undefined && this.#slotTags[slot] !== undefined) this.#untag(slot, oldKey);
      this.#evicted += 1;
    } else {
      if (this.#count >= this.maxEntries || this.#bytes + size > this.maxSizeBytes) {
        // The victims are told once the newcomer has landed (see #deferring).
        this.#deferring += 1;
        try {
          this.#makeRoom(size);
          slot = this.#takeSlot();
          this.#place(slot, key, value, expiresAt, size, tags, staleUntil);
        } finally {
          this.#endDeferral();
        }
        return;
      }
      slot = this.#takeSlot();
    }
    this.#place(slot, key, value, expiresAt, size, tags, staleUntil);
    // Told last, once the cache is consistent again, so the callback may use the cache.
    if (evicted && this.#onEvict !== undefined) this.#notify(evictedKey as K, evictedValue as V, EVICTED);
  }

  #place(slot: number, key: K, value: V, expiresAt: number, size: number, tags: readonly string[] | undefined, staleUntil: number): void {
    this.#index(key, slot);
    this.#keys[slot] = key;
    this.#values[slot] = value;
    if (expiresAt !== 0) this.#setExpiry(slot, expiresAt, staleUntil);
    if (this.#sizes !== undefined) {
      this.#sizes[slot] = size;
      this.#bytes += size;
    }
    if (tags !== undefined && tags.length > 0) this.#tag(slot, key, tags);
    this.#inserts += 1;
    this.#policyInsert(slot, key);
  }


  /** #insert without TTL, size or tags: the steady-state `set` of a new key, kept small so it inlines. */
  #insertPlain(key: K, value: V): void {
    if (this.#inflight.size !== 0) this.#inflight.delete(key);
    const keys = this.#keys;
    const values = this.#values;
    if (this.#count < this.maxEntries) {
      const slot = this.#takeSlot();
      this.#index(key, slot);
      keys[slot] = key;
      values[slot] = value;
      this.#inserts += 1;
      this.#policyInsert(slot, key);
      return;
    }
    const slot = this.#evictOne();
    const oldKey = keys[slot] as K;
    const oldValue = values[slot] as V;
    this.#unindex(oldKey);
    if (this.#expiresAt !== undefined) {
      this.#expiresAt[slot] = 0;
      if (this.#staleUntil !== undefined) this.#staleUntil[slot] = 0;
    }
    if (this.#slotTags !== undefined && this.#slotTags[slot] !== undefined) this.#untag(slot, oldKey);
    this.#evicted += 1;
    this.#index(key, slot);
    keys[slot] = key;
    values[slot] = value;
    this.#inserts += 1;
    this.#policyInsert(slot, key);
    if (this.#onEvict !== undefined) this.#notify(oldKey, oldValue, EVICTED);
  }

  #replace(slot: number, key: K, value: V, expiresAt: number, size: number, tags: readonly string[] | undefined, staleUntil: number): void {
    if (this.#inflight.size !== 0) this.#inflight.delete(key);
    const old = this.#values[slot] as V;
    this.#values[slot] = value;
    if (expiresAt !== 0) this.#setExpiry(slot, expiresAt, staleUntil);
    else if (this.#expiresAt !== undefined) {
      this.#expiresAt[slot] = 0;
      if (this.#staleUntil !== undefined) this.#staleUntil[slot] = 0;
    }
    if (this.#sizes !== undefined) {
      this.#bytes += size - this.#sizes[slot]!;
      this.#sizes[slot] = size;
    }
    if (this.#slotTags !== undefined && this.#slotTags[slot] !== undefined) this.#untag(slot, key);
    if (tags !== undefined && tags.length > 0) this.#tag(slot, key, tags);
    this.#updates += 1;
    this.#update(slot);
    const overflow = this.#bytes > this.maxSizeBytes;
    if (overflow) this.#deferring += 1;
    try {
      if (old !== value) {
        this.#replaced += 1;
        if (this.#onEvict !== undefined) this.#tell(key, old, REPLACED);
      }
      if (overflow) this.#evictOverflow();
    } finally {
      if (overflow) this.#endDeferral();
    }
  }

  #hit(slot: number): void {
    const clockTiny = this.#clockTiny;
    if (clockTiny !== undefined) clockTiny.hit(slot);
    else if (this.#tiny !== undefined) this.#tiny.hit(slot);
    else if (this.#lru !== undefined) this.#lru.hit(slot);
    else this.#policy.hit(slot);
  }

  #update(slot: number): void {
    const clockTiny = this.#clockTiny;
    if (clockTiny !== undefined) clockTiny.update(slot);
    else if (this.#tiny !== undefined) this.#tiny.update(slot);
    else if (this.#lru !== undefined) this.#lru.update(slot);
    else this.#policy.update(slot);
  }

  #policyInsert(slot: number, key: K): void {
    const clockTiny = this.#clockTiny;
    if (clockTiny !== undefined) clockTiny.insert(slot, hashKey(key));
    else if (this.#tiny !== undefined) this.#tiny.insert(slot, hashKey(key));
    else if (this.#lru !== undefined) this.#lru.insert(slot);
    else this.#policy.insert(slot, this.#needsHash ? hashKey(key) : 0);
  }

  #evictOne(): number {
    const clockTiny = this.#clockTiny;
    if (clockTiny !== undefined) return clockTiny.evict();
    if (this.#tiny !== undefined) return this.#tiny.evict();
    if (this.#lru !== undefined) return this.#lru.evict();
    return this.#policy.evict();
  }

  #setExpiry(slot: number, expiresAt: number, staleUntil: number): void {
    (this.#expiresAt ??= new Float64Array(this.#keys.length))[slot] = expiresAt;
    if (staleUntil !== 0) (this.#staleUntil ??= new Float64Array(this.#keys.length))[slot] = staleUntil;
    else if (this.#staleUntil !== undefined) this.#staleUntil[slot] = 0;
    if (!this.#readCheck) this.#readCheck = true;
    if (this.#timer === undefined && this.#cleanupIntervalMs > 0 && !this.#closed) {
      this.#timer = setInterval(() => this.purgeExpired(), this.#cleanupIntervalMs);
      this.#timer.unref();
    }
  }

  #makeRoom(size: number): void {
    while (this.#count >= this.maxEntries || this.#bytes + size > this.maxSizeBytes) {
      const victim = this.#policy.evict();
      if (victim === -1) break;
      this.#drop(victim, EVICTED);
    }
  }

  #evictOverflow(): void {
    while (this.#count > this.maxEntries || this.#bytes > this.maxSizeBytes) {
      const victim = this.#policy.evict();
      if (victim === -1) break;
      this.#drop(victim, EVICTED);
    }
  }

  /** Removes the entry in `slot` (already unlinked from the policy). */
  #drop(slot: number, reason: number): void {
    const key = this.#keys[slot] as K;
    const value = this.#values[slot] as V;
    this.#unindex(key);
    this.#keys[slot] = undefined;
    this.#values[slot] = undefined;
    if (this.#expiresAt !== undefined) this.#expiresAt[slot] = 0;
    if (this.#staleUntil !== undefined) this.#staleUntil[slot] = 0;
    if (this.#sizes !== undefined) {
      this.#bytes -= this.#sizes[slot]!;
      this.#sizes[slot] = 0;
    }
    if (this.#slotTags !== undefined && this.#slotTags[slot] !== undefined) this.#untag(slot, key);
    (this.#free ??= new Int32Array(this.#keys.length))[this.#freeTop] = slot;
    this.#freeTop += 1;
    if (reason === EVICTED) this.#evicted += 1;
    else if (reason === EXPIRED) this.#expired += 1;
    else if (reason === DELETED) this.#deleted += 1;
    else if (reason === REPLACED) this.#replaced += 1;
    else this.#cleared += 1;
    if (this.#onEvict !== undefined) this.#tell(key, value, reason);
  }

  /** Calls `onEvict` now, or after the running multi-entry removal (see #deferring). */
  #tell(key: K, value: V, reason: number): void {
    if (this.#deferring === 0) this.#notify(key, value, reason);
    else (this.#deferred ??= []).push(key, value, reason);
  }

  #endDeferral(): void {
    this.#deferring -= 1;
    if (this.#deferring !== 0 || this.#deferred === undefined || this.#deferred.length === 0) return;
    const queue = this.#deferred;
    this.#deferred = undefined;
    for (let i = 0; i < queue.length; i += 3) this.#notify(queue[i] as K, queue[i + 1] as V, queue[i + 2] as number);
  }

  #notify(key: K, value: V, reason: number): void {
    try {
      this.#onEvict!(key, value, REASONS[reason]!);
    } catch (err) {
      this.#callbackFailed('onEvict', err);
    }
  }

  #callbackFailed(callback: string, err: unknown): void {
    safeRecord(this.#monitor, createEvent(CACHE_EVENTS.callbackFailed, this.name, { callback, error: describeThrown(err) }));
  }

  #tag(slot: number, key: K, tags: readonly string[]): void {
    const slotTags = (this.#slotTags ??= new Array<readonly string[] | undefined>(this.#keys.length).fill(undefined));
    const index = (this.#tagIndex ??= new Map<string, Set<K>>());
    slotTags[slot] = [...tags];
    for (const tag of tags) {
      let keys = index.get(tag);
      if (keys === undefined) index.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  #untag(slot: number, key: K): void {
    const tags = this.#slotTags![slot]!;
    this.#slotTags![slot] = undefined;
    const index = this.#tagIndex!;
    for (const tag of tags) {
      const keys = index.get(tag);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) index.delete(tag);
    }
  }

  /** True when the slot is neither expired nor vetoed by a custom strategy (no side effects). */
  #live(slot: number): boolean {
    const e = this.#expiresAt === undefined ? 0 : this.#expiresAt[slot]!;
    if (e !== 0 && e <= this.#clock()) return false;
    return this.#custom === undefined || !this.#custom.shouldEvict(slot);
  }

  #inStaleWindow(slot: number): boolean {
    return this.#staleUntil !== undefined && this.#staleUntil[slot]! > this.#clock() && (this.#custom === undefined || !this.#custom.shouldEvict(slot));
  }

  /** Like #live, but drops an entry that is dead (unless it is still inside its stale window). */
  #usable(slot: number): boolean {
    const e = this.#expiresAt === undefined ? 0 : this.#expiresAt[slot]!;
    if (e !== 0 && e <= this.#clock()) {
      if (this.#staleUntil === undefined || this.#staleUntil[slot]! <= this.#clock()) {
        this.#policy.remove(slot);
        this.#drop(slot, EXPIRED);
      }
      return false;
    }
    if (this.#custom !== undefined && this.#custom.shouldEvict(slot)) {
      this.#policy.remove(slot);
      this.#drop(slot, EVICTED);
      return false;
    }
    return true;
  }

  #find(key: K): number | undefined {
    return typeof key === 'string' ? this.#dict[key] : this.#map.get(key);
  }

  #index(key: K, slot: number): void {
    if (typeof key === 'string') this.#dict[key] = slot;
    else this.#map.set(key, slot);
    this.#count += 1;
  }

  #unindex(key: K): void {
    if (typeof key === 'string') delete this.#dict[key];
    else this.#map.delete(key);
    this.#count -= 1;
  }

  /** Every [key, slot] held: string keys first, then the others. */
  *#pairs(): Generator<[K, number]> {
    const dict = this.#dict;
    for (const key in dict) {
      const slot = dict[key];
      if (slot !== undefined && this.#dict === dict) yield [key as K, slot];
    }
    yield* this.#map;
  }

  #occupied(): number[] {
    const out: number[] = [];
    for (const [, slot] of this.#pairs()) out.push(slot);
    return out;
  }

  /** A slot for a new entry; only called while fewer than maxEntries are held, so one exists. */
  #takeSlot(): number {
    if (this.#freeTop > 0) return this.#free![(this.#freeTop -= 1)]!;
    const slot = this.#fresh;
    this.#fresh = slot + 1;
    return slot;
  }

  #resetFree(): void {
    this.#freeTop = 0;
    this.#fresh = 0;
  }

  #startLoad(key: K, loader: Loader<K, V>, options: GetOrLoadOptions, isRefresh: boolean): Inflight<V> {
    this.#loads += 1;
    const swrMs = options.staleWhileRevalidateMs ?? this.#swrMs;
    const entry: Inflight<V> = { promise: Promise.resolve(undefined as V) };
    const run = async (): Promise<V> => {
      let value: V;
      try {
        const context = { signal: this.#controller.signal, isRefresh };
        value = await (this.#tracer === undefined
          ? loader(key, context)
          : this.#tracer.span('cache.load', { 'cache.name': this.name, 'cache.refresh': isRefresh }, () => loader(key, context)));
      } catch (err) {
        throw new CacheLoaderError('Cache loader failed', { cache: this.name, ...keyContext(key) }, err);
      }
      if (value === undefined) {
        throw new CacheLoaderError(
          'Cache loader resolved to undefined',
          { cache: this.name, ...keyContext(key) },
          new TypeError('Expected the loader to return a value other than undefined'),
        );
      }
      // Only the load still registered for the key may write: a set/delete/clear meanwhile wins.
      if (this.#inflight.get(key) === entry) {
        this.#inflight.delete(key);
        if (!this.#closed) this.#store(key, value, options.ttlMs, options.sizeBytes, options.tags, swrMs);
      }
      return value;
    };
    const promise = run().then(undefined, (err: unknown) => {
      if (this.#inflight.get(key) === entry) this.#inflight.delete(key);
      this.#loadFailures += 1;
      safeRecord(
        this.#monitor,
        createEvent(isRefresh ? CACHE_EVENTS.refreshFailed : CACHE_EVENTS.loadFailed, this.name, { ...keyContext(key), error: describeThrown(err) }),
      );
      throw toError(err);
    });
    entry.promise = promise;
    this.#inflight.set(key, entry);
    promise.catch(ignore);
    return entry;
  }
}

/** False when reading `value.then` throws (a hostile getter or Proxy trap). */
function thenReadable(value: object): boolean {
  try {
    void (value as { then?: unknown }).then;
    return true;
  } catch {
    return false;
  }
}
