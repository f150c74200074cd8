import {
  describeThrown,
  describeValue,
  expectBoolean,
  expectFunction,
  expectNonEmptyString,
  expectNonNegativeFinite,
  expectNonNegativeInteger,
  expectString,
  optional,
  readKnownOptions,
  readOptions,
  rejectUnknownKeys,
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
import { checkSetMany, lookupMany } from './bulk.js';
import { cacheMetrics, cacheStats, type CacheStats } from './cache-stats.js';

// Re-exported: CacheStats was declared here, and importers (the tier) still take it from this module.
export type { CacheStats } from './cache-stats.js';
import { dumpCache, loadDump, type CacheDump } from './dump.js';
import { CACHE_EVENTS } from './events.js';
import { CacheClosedError, CacheEntryTooLargeError } from './errors.js';
import { checkStorable, createDict, expectArray, expectSweepMs, readAllowStale, thenReadable, validatePolicy } from './internal/cache-checks.js';
import { EntryTimes } from './internal/entry-times.js';
import { EvictionNotices } from './internal/eviction-notices.js';
import { hashKey } from './internal/hash.js';
import { expectMaxEntries } from './internal/max-entries.js';
import { rebuild } from './internal/rebuild.js';
import { rankKeys, type SlotView } from './internal/slot-view.js';
import { TagIndex } from './internal/tag-index.js';
import { validateTags } from './internal/validate-tags.js';
import { readLoadDefaults, readLoadSettings, readSlidingDefault, type LoadSettings } from './loading/load-options.js';
import { Loads, type BulkLoader, type Flight, type Loader } from './loading/loads.js';
import {
  CACHE_DEFAULTS,
  type CacheOptions,
  type EvictionPolicyName,
  type EvictionReason,
  type EvictionStrategy,
  type GetManyOptions,
  type GetOrLoadOptions,
  type PeekOptions,
  type RegionOptions,
  type SetManyEntry,
  type SetOptions,
  type StatsOptions,
} from './options.js';
import { ClockTinyLfuPolicy } from './policies/clock-tinylfu.js';
import { createPolicy } from './policies/create.js';
import { CustomPolicy } from './policies/custom.js';
import { LruPolicy } from './policies/lru.js';
import { DEFAULT_EVICTION_POLICY } from './policies/names.js';
import type { Policy } from './policies/policy.js';
import { TinyLfuPolicy } from './policies/tinylfu.js';
import { givesRegionOptions, REGION_OPTION_KEYS, regionOptions, Regions, validateRegionName } from './region.js';

// Removal reasons: indexes into REMOVAL_REASONS (cache-stats.ts).
const EVICTED = 0;
const EXPIRED = 1;
const DELETED = 2;
const REPLACED = 3;
const CLEARED = 4;

function defaultClock(): number {
  return performance.now();
}

// Every option a region can set, and the name, which a region always gets from its parent.
const CACHE_OPTION_KEYS = [...REGION_OPTION_KEYS, 'name'] as const satisfies readonly (keyof CacheOptions)[];
const SET_OPTION_KEYS = ['ttlMs', 'sizeBytes', 'tags', 'sliding'] as const satisfies readonly (keyof SetOptions)[];

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
  #max: number;
  /** Most bytes held at once (`Infinity` when unlimited). */
  readonly maxSizeBytes: number;

  /**
   * key → slot. String keys live in a null-prototype dictionary object, other keys in a Map: V8's
   * dictionary objects delete and insert string keys about twice as fast as a Map, which is most of
   * the cost of a set that evicts.
   */
  // Built by #allocate (construction, resize), like the slot arrays below.
  #dict!: Record<string, number>;
  readonly #map = new Map<K, number>();
  #count = 0;
  // Built by #allocate, with everything else sized by maxEntries.
  #keys!: (K | undefined)[];
  #values!: (V | undefined)[];
  /** Clock ms after which the slot is expired; 0 = never. Allocated when the first TTL is set. */
  #expiresAt: Float64Array | undefined;
  /** Clock ms until which an expired slot may still be served by getOrLoad; allocated on first use. */
  #staleUntil: Float64Array | undefined;
  #sizes: Float64Array | undefined;
  #slotTags: (readonly string[] | undefined)[] | undefined;
  #tagIndex: TagIndex<K> | undefined;
  /**
   * Slots given back by deletes and expiry, reused first (a stack); allocated on the first one, so a
   * cache that only ever evicts (the victim's slot is reused in place) never pays its 4 B per slot.
   */
  #free: Int32Array | undefined;
  #freeTop = 0;
  /** Slots from here on have never been used since creation or the last `clear()`. */
  #fresh = 0;
  #policy!: Policy;
  /**
   * The policy again when it is the default (`tinylfu`) or `lru`, typed by class: the hot paths call
   * through these, so each call site only ever sees one class and V8 inlines it, even in a process
   * whose caches use several policies (through `#policy` alone that call would be polymorphic).
   */
  #clockTiny: ClockTinyLfuPolicy | undefined;
  #tiny: TinyLfuPolicy | undefined;
  #lru: LruPolicy | undefined;
  #custom: CustomPolicy<K, V> | undefined;
  readonly #needsHash: boolean;

  readonly #options: CacheOptions<K, V>;
  readonly #clock: () => number;
  #defaultTtlMs: number;
  readonly #loadDefaults: LoadSettings;
  readonly #slidingDefault: boolean;
  readonly #cleanupIntervalMs: number;
  readonly #sizeOf: ((value: V, key: K) => number) | undefined;
  readonly #onEvict: ((key: K, value: V, reason: EvictionReason) => void) | undefined;
  readonly #onReject: ((key: K, error: CacheEntryTooLargeError) => void) | undefined;
  readonly #monitor: Monitor;
  readonly #tracer: TraceHook | undefined;
  /** True once an entry may expire or a custom strategy may veto reads: only then does `get` check. */
  #readCheck: boolean;
  /** No byte sizes and no default TTL: `set` without options takes the shortest path. */
  #plain: boolean;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** `onEvict` calls, held back while an operation removes several entries (see EvictionNotices). */
  readonly #notices: EvictionNotices<K, V>;
  #closed = false;
  readonly #inflight = new Map<K, Flight<V>>();
  readonly #controller = new AbortController();
  readonly #loads: Loads<K, V>;
  readonly #getOne = (key: K): V | undefined => this.get(key);
  /** Read-only slot access for dump and ranking. */
  readonly #view: SlotView<K, V>;
  /** Grace, sliding TTL and write time per slot, for entries with a TTL (see EntryTimes). */
  #times!: EntryTimes;
  /** True once grace, sliding expiry or refresh ahead was used: only then does a TTL write record EntryTimes. */
  #timesOn = false;
  /** True once refresh ahead was used: TTL writes then record their time. */
  #trackWrites = false;
  /** True once an entry may slide: only then does a hit check for it. */
  #sliding = false;
  // What the running #store hands to #setExpiry for EntryTimes (kept out of the hot signatures).
  #pendingNow = 0;
  #pendingTtl = 0;
  #pendingGrace = 0;
  #pendingSliding = false;
  readonly #regions = new Regions<Cache<unknown, unknown>>();

  #bytes = 0;
  #hits = 0;
  #misses = 0;
  #inserts = 0;
  #updates = 0;
  #rejected = 0;
  #staleHits = 0;
  #evicted = 0;
  /** Part of #evicted: entries a custom strategy's shouldEvict dropped on read. */
  #vetoed = 0;
  #expired = 0;
  #deleted = 0;
  #replaced = 0;
  #cleared = 0;

  /**
   * @throws TypeError / RangeError for an invalid option, with the option's name in the message.
   */
  constructor(cacheOptions: CacheOptions<K, V>) {
    // Read once: a getter runs one time, and a bag that throws when read is a TypeError naming it.
    const options = readKnownOptions('options', cacheOptions, CACHE_OPTION_KEYS) as CacheOptions<K, V>;
    this.#max = expectMaxEntries(options.maxEntries);
    const maxSizeBytes = optional('maxSizeBytes', options.maxSizeBytes, expectNonNegativeFinite, CACHE_DEFAULTS.maxSizeBytes);
    if (maxSizeBytes === 0) throw new RangeError('Expected `maxSizeBytes` to be a positive finite number, got 0 (number)');
    this.maxSizeBytes = maxSizeBytes;
    this.#sizeOf = optional('sizeOf', options.sizeOf, expectFunction, undefined) as ((value: V, key: K) => number) | undefined;
    this.#defaultTtlMs = optional('defaultTtlMs', options.defaultTtlMs, expectNonNegativeFinite, CACHE_DEFAULTS.defaultTtlMs);
    this.#loadDefaults = readLoadDefaults(options);
    this.#slidingDefault = readSlidingDefault(options);
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

    this.#notices = new EvictionNotices<K, V>(this.#onEvict, (callback, err) => this.#callbackFailed(callback, err));
    // Sized by #allocate.
    this.#sizes = maxSizeBytes !== Infinity || this.#sizeOf !== undefined ? new Float64Array(0) : undefined;
    this.#allocate(this.#max);
    this.#needsHash = this.#policy.needsHash;
    this.#readCheck = this.#custom !== undefined;
    this.#plain = this.#sizes === undefined && this.#defaultTtlMs === 0;
    this.#view = {
      policy: () => this.#policy,
      now: () => this.#clock(),
      live: (slot) => this.#live(slot),
      key: (slot) => this.#keys[slot] as K,
      value: (slot) => this.#values[slot] as V,
      expiresAt: (slot) => (this.#expiresAt === undefined ? 0 : this.#expiresAt[slot]!),
      staleUntil: (slot) => (this.#staleUntil === undefined ? 0 : this.#staleUntil[slot]!),
      tags: (slot) => this.#slotTags?.[slot],
      slidingTtlMs: (slot) => this.#times.slideOf(slot),
      sizeBytes: (slot) => (this.#sizes === undefined ? 0 : this.#sizes[slot]!),
      occupied: () => this.#occupied(),
      count: () => this.#count,
    };
    if (this.#loadDefaults.refreshAfterMs > 0) this.#trackWrites = this.#timesOn = true;
    this.#loads = new Loads<K, V>(
      {
        name: this.name,
        monitor: this.#monitor,
        tracer: this.#tracer,
        signal: this.#controller.signal,
        now: () => this.#clock(),
        isClosed: () => this.#closed,
        store: (key, value, ttlMs, tags, s) => {
          this.#store(key, value, ttlMs, s.sizeBytes, tags, s.staleWhileRevalidateMs, s.graceMs, this.#slidingDefault);
        },
      },
      this.#inflight,
      this.#max,
    );
  }

  /**
   * Empty storage for `slots` entries, all built here (construction and {@link Cache.resize}): the key
   * index, the slot arrays (those allocated on first use start unallocated again), the free list, the
   * per-slot times, the tag index, and a fresh policy, also kept typed by class for the hot paths.
   */
  #allocate(slots: number): void {
    this.#dict = createDict();
    this.#map.clear();
    this.#count = 0;
    this.#bytes = 0;
    this.#keys = new Array<K | undefined>(slots).fill(undefined);
    this.#values = new Array<V | undefined>(slots).fill(undefined);
    if (this.#sizes !== undefined) this.#sizes = new Float64Array(slots);
    this.#expiresAt = undefined;
    this.#staleUntil = undefined;
    this.#slotTags = undefined;
    this.#tagIndex = undefined;
    this.#free = undefined;
    this.#resetFree();
    this.#times = new EntryTimes(slots);
    const policy = createPolicy<K, V>(this.#options.evictionPolicy as EvictionPolicyName | EvictionStrategy<K, V>, slots, slots, {
      key: (slot) => this.#keys[slot] as K,
      value: (slot) => this.#values[slot] as V,
      expiresAt: (slot) => {
        const e = this.#expiresAt === undefined ? 0 : this.#expiresAt[slot]!;
        return e === 0 ? Infinity : e;
      },
      sizeBytes: (slot) => (this.#sizes === undefined ? 0 : this.#sizes[slot]!),
      now: () => this.#clock(),
    });
    this.#policy = policy;
    this.#custom = policy instanceof CustomPolicy ? (policy as CustomPolicy<K, V>) : undefined;
    this.#clockTiny = policy instanceof ClockTinyLfuPolicy ? policy : undefined;
    this.#tiny = policy instanceof TinyLfuPolicy ? policy : undefined;
    this.#lru = policy instanceof LruPolicy ? policy : undefined;
  }

  /** Most entries held at once; {@link Cache.resize} changes it. */
  get maxEntries(): number {
    return this.#max;
  }

  /** TTL of entries set without one, in ms (0: none); {@link Cache.setDefaultTtl} changes it. */
  get defaultTtlMs(): number {
    return this.#defaultTtlMs;
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
    if (this.#readCheck) {
      if (!this.#usable(slot)) {
        this.#misses += 1;
        return undefined;
      }
      // Sliding needs a TTL, so it is checked only here: a cache without TTLs pays nothing for it.
      if (this.#sliding) this.#slide(slot);
    }
    this.#hits += 1;
    this.#hit(slot);
    return this.#values[slot];
  }

  /**
   * The value under `key` without touching the policy or the stats. With `{ allowStale: true }`, also
   * a value past its TTL that is still inside its stale-while-revalidate or grace window.
   */
  peek(key: K, options?: PeekOptions): V | undefined {
    const allowStale = options !== undefined && readAllowStale(options);
    const slot = this.#find(key);
    if (slot === undefined) return undefined;
    if (this.#readCheck && !this.#live(slot)) return allowStale && this.#retained(slot) ? this.#values[slot] : undefined;
    return this.#values[slot];
  }

  /** ms until `key` expires: `Infinity` when it has no TTL, `undefined` when absent or expired. No stats or policy update. */
  remainingTtl(key: K): number | undefined {
    const slot = this.#find(key);
    if (slot === undefined || (this.#readCheck && !this.#live(slot))) return undefined;
    const e = this.#expiresAt === undefined ? 0 : this.#expiresAt[slot]!;
    return e === 0 ? Infinity : e - this.#clock();
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
    if (options === undefined) return this.#store(key, value, undefined, undefined, undefined, 0, 0, this.#slidingDefault);
    let ttlMs: unknown;
    let sizeBytes: unknown;
    let tags: unknown;
    let sliding: unknown;
    // Read in place (set is hot); only a bag that cannot be read pays for readOptions' TypeError.
    try {
      ttlMs = options.ttlMs;
      sizeBytes = options.sizeBytes;
      tags = options.tags;
      sliding = options.sliding;
    } catch {
      ({ ttlMs, sizeBytes, tags, sliding } = readOptions('options', options, SET_OPTION_KEYS));
    }
    // for-in over own keys: no allocation on this hot path, and only when a bag is passed.
    rejectUnknownKeys('options', options, SET_OPTION_KEYS);
    return this.#store(key, value, ttlMs, sizeBytes, tags, 0, 0, sliding === undefined ? this.#slidingDefault : expectBoolean('sliding', sliding));
  }

  /**
   * Several `set`s in one call. Every entry is checked first (values, options, duplicate keys), so an
   * invalid one stores nothing; returns how many were stored (an entry larger than `maxSizeBytes` is
   * rejected as by `set`).
   *
   * @throws {@link CacheDuplicateKeyError} (`CACHE_DUPLICATE_KEY`) when a key appears twice; TypeError /
   *   RangeError for an invalid entry, naming it (`entries[3].ttlMs`); {@link CacheClosedError}.
   */
  setMany(entries: readonly SetManyEntry<K, V>[]): number {
    const checked = checkSetMany<K, V>(this.name, entries, this.#slidingDefault, (key, value) => (this.#sizes === undefined ? undefined : this.#measure(key, value)));
    if (this.#closed) throw new CacheClosedError(this.name);
    let stored = 0;
    for (const c of checked) if (this.#store(c.key, c.value, c.ttlMs, c.sizeBytes, c.tags, 0, 0, c.sliding)) stored += 1;
    return stored;
  }

  /** Removes every key in `keys` (duplicates allowed); returns how many distinct keys were present. */
  deleteMany(keys: readonly K[]): number {
    expectArray('keys', keys);
    let removed = 0;
    for (const key of keys) if (this.delete(key)) removed += 1;
    return removed;
  }

  /**
   * The values of `keys` in order (`undefined` for a miss), one `get` per distinct key. With a loader,
   * every key that missed is loaded by ONE call `loader(missingKeys, context)` (keys loading already
   * join that load), which returns a Map or `[key, value]` pairs, stored with `options` and returned in
   * place; a key it leaves out stays `undefined`. Stale values and refresh ahead do not apply here.
   *
   * @throws (rejects) {@link CacheLoaderError} (nothing stored), `CacheLoadTimeoutError`,
   *   {@link CacheLoadAbortedError}, {@link CacheClosedError}, a backing-off key's last failure; TypeError.
   */
  getMany(keys: readonly K[]): (V | undefined)[];
  getMany(keys: readonly K[], loader: BulkLoader<K, V>, options?: GetManyOptions): Promise<(V | undefined)[]>;
  getMany(keys: readonly K[], loader?: BulkLoader<K, V>, options?: GetManyOptions): (V | undefined)[] | Promise<(V | undefined)[]> {
    if (loader === undefined) {
      expectArray('keys', keys);
      return lookupMany(keys, this.#getOne, undefined);
    }
    let settings: LoadSettings;
    try {
      expectArray('keys', keys);
      expectFunction('loader', loader);
      settings = readLoadSettings(options, this.#loadDefaults);
      if (this.#closed) throw new CacheClosedError(this.name);
    } catch (err) {
      return Promise.reject(toError(err));
    }
    const missing: K[] = [];
    const out = lookupMany(keys, this.#getOne, missing);
    if (missing.length === 0) return Promise.resolve(out);
    return this.#loads.loadMany(missing, loader, settings).then((found) => {
      for (let i = 0; i < keys.length; i += 1) if (out[i] === undefined) out[i] = found.get(keys[i] as K);
      return out;
    });
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
      this.#notices.hold();
      try {
        for (const slot of this.#occupied()) {
          this.#policy.remove(slot);
          this.#drop(slot, CLEARED);
        }
        this.#policy.clear();
        this.#resetFree();
      } finally {
        this.#notices.release();
      }
    }
    this.#regions.clear();
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
    this.#loads.invalidatedTag(tag);
    let removed = 0;
    if (this.#tagIndex !== undefined) for (const key of this.#tagIndex.keysOf(tag)) if (this.delete(key)) removed += 1;
    return removed + this.#regions.invalidateTag(tag);
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
  getOrLoad(key: K, loader: Loader<K, V>, loadOptions?: GetOrLoadOptions): Promise<V> {
    let settings: LoadSettings;
    try {
      expectFunction('loader', loader);
      settings = readLoadSettings(loadOptions, this.#loadDefaults);
      if (this.#closed) throw new CacheClosedError(this.name);
    } catch (err) {
      return Promise.reject(toError(err));
    }
    if (settings.refreshAfterMs > 0 && !this.#trackWrites) this.#trackWrites = this.#timesOn = true;
    const slot = this.#find(key);
    if (slot !== undefined) {
      if (!this.#readCheck || this.#live(slot)) {
        this.#hits += 1;
        this.#hit(slot);
        if (this.#sliding) this.#slide(slot);
        const value = this.#values[slot] as V;
        if (settings.refreshAfterMs > 0 && this.#refreshDue(slot, settings.refreshAfterMs)) {
          this.#loads.stats.staleServed += 1;
          this.#loads.refresh(key, loader, settings, value);
        }
        return Promise.resolve(value);
      }
      if (this.#inStaleWindow(slot)) {
        this.#hits += 1;
        this.#staleHits += 1;
        this.#loads.stats.staleServed += 1;
        this.#hit(slot);
        const value = this.#values[slot] as V;
        this.#loads.refresh(key, loader, settings, value);
        return Promise.resolve(value);
      }
      if (this.#retained(slot)) {
        // Past its TTL and its stale window but inside its grace window: wait for the load, with this
        // value as the fallback.
        this.#misses += 1;
        return this.#loads.load(key, loader, settings, true, this.#values[slot]);
      }
      this.#usable(slot);
    }
    this.#misses += 1;
    return this.#loads.load(key, loader, settings, false, undefined);
  }

  /**
   * A namespaced cache with its own limits, TTL, policy and stats; options default to this cache's.
   * Asking again for a name returns the same region: pass options only when creating it (an empty
   * options object counts as none). `clear`, `invalidateTag` and `close` on this cache reach its regions.
   *
   * @throws TypeError for an empty name, or when options are passed for a region that already exists.
   */
  region<RK = K, RV = V>(name: string, options?: RegionOptions<RK, RV>): Cache<RK, RV> {
    validateRegionName(name);
    return this.#regions.open(name, givesRegionOptions(options), () => {
      if (this.#closed) throw new CacheClosedError(this.name);
      return new Cache<RK, RV>(regionOptions(this.#options as unknown as CacheOptions<RK, RV>, this.name, name, options)) as unknown as Cache<unknown, unknown>;
    }) as unknown as Cache<RK, RV>;
  }

  /** Names of the regions created so far. */
  regionNames(): string[] {
    return this.#regions.names();
  }

  /**
   * A snapshot of this cache's counters (regions have their own `stats()`). With `{ reset: true }` the
   * counters are zeroed after the snapshot (gauges such as `size` and `bytes` are not); the
   * `collectMetrics()` counters restart from zero too, which Prometheus reads as a counter reset.
   */
  stats(options?: StatsOptions): CacheStats {
    const reset = options === undefined ? false : optional('reset', readKnownOptions('options', options, ['reset']).reset, expectBoolean, false);
    const snapshot = cacheStats(
      { hits: this.#hits, misses: this.#misses, inserts: this.#inserts, updates: this.#updates, rejected: this.#rejected, staleHits: this.#staleHits },
      { evicted: this.#evicted, vetoed: this.#vetoed, expired: this.#expired, deleted: this.#deleted, replaced: this.#replaced, cleared: this.#cleared },
      this.#loads.stats.snapshot(),
      this.#count,
      this.#bytes,
    );
    if (reset) {
      this.#hits = this.#misses = this.#inserts = this.#updates = this.#rejected = this.#staleHits = 0;
      this.#evicted = this.#vetoed = this.#expired = this.#deleted = this.#replaced = this.#cleared = 0;
      this.#loads.stats.reset();
    }
    return snapshot;
  }

  /**
   * The `n` keys the eviction policy values most (Caffeine's `policy().eviction().hottest(n)`), best
   * first; expired entries skipped. Costs one walk of the policy's lists (O(size) at worst, nothing
   * allocated per entry beyond the result): fine for an admin endpoint, not for a hot path. What
   * "hot" means follows the policy: recency for `lru`, frequency then recency for `tinylfu` and `lfu`,
   * insertion order for `fifo`/`ttl`, `evictionPriority` for a custom strategy.
   *
   * @throws TypeError / RangeError unless `n` is a non-negative integer.
   */
  hottest(n: number): K[] {
    return rankKeys(this.#view, expectNonNegativeInteger('n', n), true, this.#readCheck);
  }

  /** The `n` keys the eviction policy would evict first, in eviction order; see {@link Cache.hottest}. */
  coldest(n: number): K[] {
    return rankKeys(this.#view, expectNonNegativeInteger('n', n), false, this.#readCheck);
  }

  /**
   * The live entries, their remaining TTLs, stale windows, tags and sliding TTLs, for a warm restart with
   * {@link Cache.load} (lru-cache's `dump()`). Entries come coldest first, so loading them in order
   * leaves the hottest most recently used. Values are the stored references, not copies; serialize the
   * dump (JSON, msgpack) as you see fit. No stats or policy update.
   */
  dump(): CacheDump<K, V> {
    return dumpCache(this.#view, this.#readCheck);
  }

  /**
   * Stores the entries of a {@link Cache.dump} (of this or another process), their TTLs shortened by
   * the wall-clock time since `dumpedAt`; entries that expired meanwhile are skipped. An entry with
   * `slidingTtlMs` slides by it; one without follows `slidingTtl`. Returns how many were stored. The whole
   * dump is checked first: an invalid one loads nothing.
   *
   * @throws {@link CacheDumpInvalidError} (`CACHE_DUMP_INVALID`) for an unknown format or version, a
   *   malformed entry or a key that appears twice; {@link CacheClosedError}.
   */
  load(dump: CacheDump<K, V>): number {
    if (this.#closed) throw new CacheClosedError(this.name);
    return loadDump<K, V>(dump, {
      checkValue: (value) => checkStorable(value, 'value'),
      sizeOf: (key, value, dumped) => (this.#sizes === undefined ? undefined : dumped > 0 ? dumped : this.#measure(key, value)),
      maxEntries: this.#max,
      maxSizeBytes: this.maxSizeBytes,
      store: (key, value, ttlMs, sizeBytes, tags, staleMs, slidingTtlMs) => this.#storeDumped(key, value, ttlMs, sizeBytes, tags, staleMs, slidingTtlMs, this.#slidingDefault),
    });
  }

  /**
   * Stores a dumped entry (`load`, `resize`): one with `slidingTtlMs` slides by that window from its
   * remaining TTL; one without slides as `otherwise` says. False when it was rejected (too large).
   */
  #storeDumped(key: K, value: V, ttlMs: number, sizeBytes: number | undefined, tags: readonly string[] | undefined, staleMs: number, slidingTtlMs: number | undefined, otherwise: boolean): boolean {
    if (slidingTtlMs === undefined || ttlMs === 0) return this.#store(key, value, ttlMs, sizeBytes, tags, staleMs, 0, otherwise);
    if (!this.#store(key, value, ttlMs, sizeBytes, tags, staleMs, 0, true)) return false;
    // Stored with the TTL it has left, it renews its whole window on a read (EntryTimes.slide).
    const slot = this.#find(key);
    if (slot !== undefined) this.#times.slide![slot] = slidingTtlMs;
    return true;
  }

  /**
   * Changes `maxEntries` at run time (Caffeine's `setMaximum`), e.g. from a configuration change.
   * Shrinking evicts the coldest entries in the policy's order (`onEvict` reason `evicted`, counted in
   * `evictions`); growing keeps every entry. The entries left keep their values, TTLs, stale windows and
   * tags; the policy's own history (recency, frequencies) starts over from their hottest-to-coldest
   * order; sliding entries keep sliding by their window, and per-entry grace settings end. O(entries);
   * regions keep their own limits.
   *
   * @throws TypeError / RangeError unless `maxEntries` is a positive integer of at most 2^26; {@link CacheClosedError}.
   */
  resize(maxEntries: number): void {
    const max = expectMaxEntries(maxEntries);
    if (this.#closed) throw new CacheClosedError(this.name);
    if (max === this.#max) return;
    const from = this.#max;
    const inserts = this.#inserts;
    const dropped = rebuild(this.#view, this.#readCheck, max, this.#sizes !== undefined, {
      reset: (slots) => {
        this.#inflight.clear();
        this.#max = slots;
        this.#allocate(slots);
      },
      store: (key, value, ttlMs, sizeBytes, tags, staleMs, slidingTtlMs) => void this.#storeDumped(key, value, ttlMs, sizeBytes, tags, staleMs, slidingTtlMs, false),
    });
    // Entries moved, none was inserted.
    this.#inserts = inserts;
    this.#evicted += dropped.length;
    if (this.#onEvict !== undefined) for (const e of dropped) this.#notices.notify(e.key, e.value, EVICTED);
    safeRecord(this.#monitor, createEvent(CACHE_EVENTS.resized, this.name, { from, to: max, evicted: dropped.length }));
  }

  /**
   * Changes the TTL given to entries set without one from now on (0: none); entries already held keep
   * theirs.
   *
   * @throws TypeError / RangeError unless `ttlMs` is a non-negative finite number; {@link CacheClosedError}.
   */
  setDefaultTtl(ttlMs: number): void {
    const ms = expectNonNegativeFinite('ttlMs', ttlMs);
    if (this.#closed) throw new CacheClosedError(this.name);
    this.#defaultTtlMs = ms;
    this.#plain = this.#sizes === undefined && ms === 0;
  }

  /** Drops every expired entry now; returns how many went. The periodic sweep calls this. */
  purgeExpired(): number {
    if (!this.#readCheck) return 0;
    let removed = 0;
    this.#notices.hold();
    try {
      for (const slot of this.#occupied()) {
        if (!this.#live(slot) && !this.#retained(slot) && this.#keys[slot] !== undefined) {
          this.#usable(slot);
          removed += 1;
        }
      }
    } finally {
      this.#notices.release();
    }
    if (removed > 0) safeRecord(this.#monitor, createEvent(CACHE_EVENTS.swept, this.name, { expired: removed, size: this.#count }));
    return removed;
  }

  /** Pull-style metrics for a `MetricsRegistry` (`registry.addCollector(() => cache.collectMetrics())`), regions included. */
  collectMetrics(): MetricSnapshot[] {
    return this.#regions.collectMetrics(cacheMetrics(this.name, this.stats()));
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
   * Resolves once no load of this cache or its regions is running: `getOrLoad`/`getMany` loads, refreshes
   * (stale-while-revalidate, refresh ahead) and loads a caller stopped waiting for (`softTimeoutMs`,
   * `hardTimeoutMs`, its signal), including those started while it waits. Never rejects. For a planned
   * shutdown (`await cache.settled()` before `close()`) and for tests that count loader calls.
   */
  async settled(): Promise<void> {
    do {
      await this.#loads.running.settled();
      await this.#regions.settled();
    } while (this.#loads.running.size > 0);
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
    this.#regions.close();
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
  #store(key: K, value: V, ttlOption: unknown, sizeOption: unknown, tagsOption: unknown, swrMs: number, graceMs: number, sliding: boolean): boolean {
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
      if (this.#timesOn || graceMs > 0 || sliding) this.#pend(now, ttlMs, graceMs, sliding);
    }
    const slot = this.#find(key);
    if (slot !== undefined) this.#replace(slot, key, value, expiresAt, size, tags, staleUntil);
    else this.#insert(key, value, expiresAt, size, tags, staleUntil);
    return true;
  }

  /** Hands a TTL write's grace, sliding and time to #setExpiry (EntryTimes), and turns them on for good. */
  #pend(now: number, ttlMs: number, graceMs: number, sliding: boolean): void {
    this.#timesOn = true;
    if (sliding) this.#sliding = true;
    this.#pendingNow = now;
    this.#pendingTtl = ttlMs;
    this.#pendingGrace = graceMs;
    this.#pendingSliding = sliding;
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
    if (this.#count >= this.#max && this.#sizes === undefined) {
      // Full by count only (the common steady state): the victim's slot is reused as is, which
      // skips clearing and re-filling it.
      slot = this.#evictOne();
      const oldKey = this.#keys[slot] as K;
      evicted = true;
      evictedKey = oldKey;
      // The victim's value is read only for onEvict.
      if (this.#onEvict !== undefined) evictedValue = this.#values[slot];
      this.#unindex(oldKey);
      if (this.#expiresAt !== undefined) {
        this.#expiresAt[slot] = 0;
        if (this.#staleUntil !== undefined) this.#staleUntil[slot] = 0;
      }
      if (this.#slotTags !== undefined && this.#slotTags[slot] !== undefined) this.#untag(slot, oldKey);
      this.#evicted += 1;
    } else {
      if (this.#count >= this.#max || this.#bytes + size > this.maxSizeBytes) {
        // The victims are told once the newcomer has landed (see EvictionNotices).
        this.#notices.hold();
        try {
          this.#makeRoom(size);
          slot = this.#takeSlot();
          this.#place(slot, key, value, expiresAt, size, tags, staleUntil);
        } finally {
          this.#notices.release();
        }
        return;
      }
      slot = this.#takeSlot();
    }
    this.#place(slot, key, value, expiresAt, size, tags, staleUntil);
    // Told last, once the cache is consistent again, so the callback may use the cache.
    if (evicted && this.#onEvict !== undefined) this.#notices.notify(evictedKey as K, evictedValue as V, EVICTED);
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

  /**
   * #insert without TTL, size or tags: the steady-state `set` of a new key, kept small so it inlines.
   * Its full-cache branch repeats #insert's on purpose (a shared helper would add a call to the measured
   * steady-state path), except that it rekeys the reused slot itself, where #insert's #place indexes it.
   */
  #insertPlain(key: K, value: V): void {
    if (this.#inflight.size !== 0) this.#inflight.delete(key);
    const keys = this.#keys;
    const values = this.#values;
    if (this.#count < this.#max) {
      const slot = this.#takeSlot();
      this.#index(key, slot);
      keys[slot] = key;
      values[slot] = value;
      this.#inserts += 1;
      this.#policyInsert(slot, key);
      return;
    }
    // 'lru' frees its victim's slot and places the newcomer in one relink (as mnemonist's LRUCache does).
    const lru = this.#lru;
    const slot = lru !== undefined ? lru.recycle() : this.#evictOne();
    const oldKey = keys[slot] as K;
    // The victim's value is read only for onEvict; the slot changes keys in place (the count stays).
    const notify = this.#onEvict !== undefined;
    const oldValue = notify ? (values[slot] as V) : undefined;
    this.#rekey(oldKey, key, slot);
    if (this.#expiresAt !== undefined) {
      this.#expiresAt[slot] = 0;
      if (this.#staleUntil !== undefined) this.#staleUntil[slot] = 0;
    }
    if (this.#slotTags !== undefined && this.#slotTags[slot] !== undefined) this.#untag(slot, oldKey);
    this.#evicted += 1;
    keys[slot] = key;
    values[slot] = value;
    this.#inserts += 1;
    if (lru === undefined) this.#policyInsert(slot, key);
    if (notify) this.#notices.notify(oldKey, oldValue as V, EVICTED);
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
    if (overflow) this.#notices.hold();
    try {
      if (old !== value) {
        this.#replaced += 1;
        if (this.#onEvict !== undefined) this.#notices.tell(key, old, REPLACED);
      }
      if (overflow) this.#evictOverflow();
    } finally {
      if (overflow) this.#notices.release();
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
    if (this.#timesOn) this.#times.write(slot, this.#pendingNow, this.#pendingTtl, this.#pendingGrace, this.#pendingSliding, this.#trackWrites);
    if (!this.#readCheck) this.#readCheck = true;
    if (this.#timer === undefined && this.#cleanupIntervalMs > 0 && !this.#closed) {
      this.#timer = setInterval(() => this.purgeExpired(), this.#cleanupIntervalMs);
      this.#timer.unref();
    }
  }

  #makeRoom(size: number): void {
    while (this.#count >= this.#max || this.#bytes + size > this.maxSizeBytes) {
      const victim = this.#policy.evict();
      if (victim === -1) break;
      this.#drop(victim, EVICTED);
    }
  }

  #evictOverflow(): void {
    while (this.#count > this.#max || this.#bytes > this.maxSizeBytes) {
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
    if (this.#onEvict !== undefined) this.#notices.tell(key, value, reason);
  }

  #callbackFailed(callback: string, err: unknown): void {
    safeRecord(this.#monitor, createEvent(CACHE_EVENTS.callbackFailed, this.name, { callback, error: describeThrown(err) }));
  }

  #tag(slot: number, key: K, tags: readonly string[]): void {
    (this.#slotTags ??= new Array<readonly string[] | undefined>(this.#keys.length).fill(undefined))[slot] = [...tags];
    (this.#tagIndex ??= new TagIndex<K>()).add(key, tags);
  }

  #untag(slot: number, key: K): void {
    const tags = this.#slotTags![slot]!;
    this.#slotTags![slot] = undefined;
    this.#tagIndex!.remove(key, tags);
  }

  /** True when the slot is neither expired nor vetoed by a custom strategy (no side effects). */
  #live(slot: number): boolean {
    const e = this.#expiresAt === undefined ? 0 : this.#expiresAt[slot]!;
    if (e !== 0 && e <= this.#clock()) return false;
    return this.#custom === undefined || !this.#custom.shouldEvict(slot);
  }

  /** Inside its stale-while-revalidate window: served at once while one refresh runs. */
  #inStaleWindow(slot: number): boolean {
    return this.#staleUntil !== undefined && this.#staleUntil[slot]! > this.#clock() && (this.#custom === undefined || !this.#custom.shouldEvict(slot));
  }

  /** Clock ms until which an expired entry is kept: the end of its stale or grace window (0 = none). */
  #keptUntil(slot: number, expiresAt: number): number {
    const stale = this.#staleUntil === undefined ? 0 : this.#staleUntil[slot]!;
    const grace = this.#times.graceOf(slot);
    return grace > 0 && expiresAt + grace > stale ? expiresAt + grace : stale;
  }

  /** Past its TTL but still kept (stale or grace window), and not vetoed by a custom strategy. */
  #retained(slot: number): boolean {
    const e = this.#expiresAt === undefined ? 0 : this.#expiresAt[slot]!;
    return e !== 0 && this.#keptUntil(slot, e) > this.#clock() && (this.#custom === undefined || !this.#custom.shouldEvict(slot));
  }

  /** Like #live, but drops an entry that is dead (unless it is still inside its stale or grace window). */
  #usable(slot: number): boolean {
    const e = this.#expiresAt === undefined ? 0 : this.#expiresAt[slot]!;
    if (e !== 0 && e <= this.#clock()) {
      if (this.#keptUntil(slot, e) <= this.#clock()) {
        this.#policy.remove(slot);
        this.#drop(slot, EXPIRED);
      }
      return false;
    }
    if (this.#custom !== undefined && this.#custom.shouldEvict(slot)) {
      this.#vetoed += 1;
      this.#policy.remove(slot);
      this.#drop(slot, EVICTED);
      return false;
    }
    return true;
  }

  /** Sliding expiry: a read pushes a live TTL entry's expiry (and its stale window) to now + its TTL. */
  #slide(slot: number): void {
    const ttl = this.#times.slideOf(slot);
    const expiresAt = this.#expiresAt;
    if (ttl === 0 || expiresAt === undefined || expiresAt[slot] === 0) return;
    const next = this.#clock() + ttl;
    const stale = this.#staleUntil;
    if (stale !== undefined && stale[slot] !== 0) stale[slot] = stale[slot]! + next - expiresAt[slot]!;
    expiresAt[slot] = next;
  }

  /** Refresh ahead: a TTL entry written at least `refreshAfterMs` ago (unknown write times never are). */
  #refreshDue(slot: number, refreshAfterMs: number): boolean {
    if (this.#expiresAt === undefined || this.#expiresAt[slot] === 0) return false;
    return this.#clock() - this.#times.writtenAt(slot) >= refreshAfterMs;
  }

  #find(key: K): number | undefined {
    return typeof key === 'string' ? this.#dict[key] : this.#map.get(key);
  }

  #index(key: K, slot: number): void {
    if (typeof key === 'string') this.#dict[key] = slot;
    else this.#map.set(key, slot);
    this.#count += 1;
  }

  /** `slot` moves from `oldKey` to `key` (an eviction reusing it): the dictionary changes, the count does not. */
  #rekey(oldKey: K, key: K, slot: number): void {
    if (typeof oldKey === 'string') delete this.#dict[oldKey];
    else this.#map.delete(oldKey);
    if (typeof key === 'string') this.#dict[key] = slot;
    else this.#map.set(key, slot);
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

}

