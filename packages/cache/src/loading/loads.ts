import { describeThrown, toError } from '@patinox/errors';
import { createEvent, safeRecord, type Monitor, type TraceHook } from '@patinox/monitor';
import { CacheLoaderError, CacheLoadAbortedError, CacheLoadTimeoutError } from '../errors.js';
import { CACHE_EVENTS } from '../events.js';
import { LoadStats } from '../internal/load-stats.js';
import type { LoaderContext } from '../options.js';
import { FailureBackoff } from './failure-backoff.js';
import { InvalidatedTags } from './invalidated-tags.js';
import type { LoadSettings } from './load-options.js';
import { LoadDecision } from './loader-context.js';
import { Running } from './running.js';
import { waitForLoad, type WaitPlan } from './wait.js';

/** A `getOrLoad` loader. */
export type Loader<K, V> = (key: K, context: LoaderContext<V>) => V | Promise<V>;

/** What a `getMany` loader may return: a Map, or any iterable of `[key, value]` pairs. */
export type BulkResult<K, V> = Map<K, V> | Iterable<readonly [K, V]>;

/** A `getMany` loader: called once with every key that missed, in first-asked order, without duplicates. */
export type BulkLoader<K, V> = (keys: K[], context: LoaderContext<V>) => BulkResult<K, V> | Promise<BulkResult<K, V>>;

/** One running load of one key, shared by every caller of that key. */
export interface Flight<V> {
  promise: Promise<V>;
  /** Some caller's `hardTimeoutMs` passed before it settled: it counts as a failure. */
  outlived: boolean;
}

/** What the loads need from their cache. */
export interface LoadHost<K, V> {
  readonly name: string;
  readonly monitor: Monitor;
  readonly tracer: TraceHook | undefined;
  /** Aborts when the cache closes. */
  readonly signal: AbortSignal;
  now(): number;
  isClosed(): boolean;
  /** Stores a loaded value with the TTL and tags the loader settled on. */
  store(key: K, value: V, ttlMs: number | undefined, tags: readonly string[] | undefined, settings: LoadSettings): void;
}

function ignore(): void {
  // The failure was already counted and reported; this only marks a shared promise as handled.
}

function keyContext(key: unknown): Record<string, unknown> {
  return typeof key === 'string' || typeof key === 'number' ? { key } : {};
}

/**
 * Runs a cache's loads: one flight per key shared by its callers, the loader's context and decisions,
 * timeouts, grace fallback, failure backoff and background refreshes, and the load statistics. Only
 * the flight still registered for a key may write it, so a `set`/`delete`/`clear` meanwhile wins; and
 * a load does not store under a tag invalidated after it started (see InvalidatedTags).
 */
export class Loads<K, V> {
  readonly stats = new LoadStats();
  /** Every load not yet settled (`Cache.settled()`). */
  readonly running = new Running();
  readonly #host: LoadHost<K, V>;
  readonly #inflight: Map<K, Flight<V>>;
  readonly #backoff: FailureBackoff<K>;
  readonly #invalidated = new InvalidatedTags();

  constructor(host: LoadHost<K, V>, inflight: Map<K, Flight<V>>, maxKeys: number) {
    this.#host = host;
    this.#inflight = inflight;
    this.#backoff = new FailureBackoff(maxKeys);
  }

  /**
   * A caller that found no fresh value: joins the key's flight or starts one, then waits for it. With
   * `hasStale` (a value inside its grace window), that value stands in when the load fails, times out or
   * the key is backing off after failures.
   */
  load(key: K, loader: Loader<K, V>, settings: LoadSettings, hasStale: boolean, stale: V | undefined): Promise<V> {
    let flight = this.#inflight.get(key);
    if (flight === undefined) {
      const blocked = this.#blocked(key);
      if (blocked !== undefined) {
        if (!hasStale) return Promise.reject(blocked);
        this.stats.staleServed += 1;
        return Promise.resolve(stale as V);
      }
      flight = this.#start(key, loader, settings, hasStale, stale);
    }
    if (!hasStale && settings.hardTimeoutMs === 0 && settings.signal === undefined) return flight.promise;
    return waitForLoad(flight.promise, this.#plan(key, flight, settings, hasStale, stale));
  }

  /** Starts one background refresh of `key` unless one runs already or the key is backing off. */
  refresh(key: K, loader: Loader<K, V>, settings: LoadSettings, stale: V): void {
    if (this.#inflight.has(key) || this.#blocked(key) !== undefined) return;
    this.#start(key, loader, settings, true, stale).promise.catch(ignore);
  }

  /**
   * Loads `keys` (distinct, none of them fresh in the cache) with one loader call for those not already
   * in flight; resolves to what was found, by key (a key the loader did not return is absent).
   */
  async loadMany(keys: K[], loader: BulkLoader<K, V>, settings: LoadSettings): Promise<Map<K, V>> {
    const joined: Promise<V>[] = [];
    const joinedKeys: K[] = [];
    const toLoad: K[] = [];
    for (const key of keys) {
      const flight = this.#inflight.get(key);
      if (flight !== undefined) {
        joined.push(flight.promise);
        joinedKeys.push(key);
        continue;
      }
      const blocked = this.#blocked(key);
      if (blocked !== undefined) throw blocked;
      toLoad.push(key);
    }
    const out = new Map<K, V>();
    let bulk: Promise<Map<K, V>> | undefined;
    if (toLoad.length > 0) {
      const flight: Flight<Map<K, V>> = { promise: Promise.resolve(out), outlived: false };
      flight.promise = this.#startBulk(toLoad, loader, settings, flight);
      bulk =
        settings.hardTimeoutMs === 0 && settings.signal === undefined
          ? flight.promise
          : waitForLoad(flight.promise, this.#plan<Map<K, V>>(undefined, flight, settings, false, undefined));
    }
    const waits = joined.map((p) => (settings.signal === undefined ? p : waitForLoad(p, this.#plan<V>(undefined, { outlived: false }, settings, false, undefined))));
    const values = await Promise.all([bulk, ...waits]);
    const loaded = values[0];
    if (loaded !== undefined) for (const [k, v] of loaded) out.set(k, v);
    for (let i = 0; i < joinedKeys.length; i += 1) out.set(joinedKeys[i] as K, values[i + 1] as V);
    return out;
  }

  /**
   * `invalidateTag(tag)` ran: a load in flight that stores under `tag` would bring back what the caller
   * just invalidated, so it does not store (it still answers its callers).
   */
  invalidatedTag(tag: string): void {
    if (this.#inflight.size === 0) this.#invalidated.idle();
    else this.#invalidated.invalidated(tag);
  }

  /** A flight left the in-flight map: once none is left, no load can store, so no tag is remembered. */
  #left(): void {
    if (this.#inflight.size === 0) this.#invalidated.idle();
  }

  /** Forgets failure counts (the cache was cleared). */
  clearBackoff(): void {
    this.#backoff.clear();
  }

  #blocked(key: K): Error | undefined {
    return this.#backoff.size === 0 ? undefined : this.#backoff.blocked(key, this.#host.now());
  }

  #plan<T>(key: K | undefined, flight: { outlived: boolean }, settings: LoadSettings, hasStale: boolean, stale: T | undefined): WaitPlan<T> {
    const host = this.#host;
    const stats = this.stats;
    return {
      hasStale,
      stale,
      softTimeoutMs: settings.softTimeoutMs,
      hardTimeoutMs: settings.hardTimeoutMs,
      signal: settings.signal,
      onStale(): void {
        stats.staleServed += 1;
      },
      timeoutError(): Error {
        flight.outlived = true;
        return new CacheLoadTimeoutError({ cache: host.name, ...keyContext(key), hardTimeoutMs: settings.hardTimeoutMs });
      },
      abortError(reason: unknown): Error {
        return new CacheLoadAbortedError({ cache: host.name, ...keyContext(key) }, reason);
      },
    };
  }

  #start(key: K, loader: Loader<K, V>, settings: LoadSettings, isRefresh: boolean, stale: V | undefined): Flight<V> {
    const host = this.#host;
    const started = host.now();
    const flight: Flight<V> = { promise: Promise.resolve(undefined as V), outlived: false };
    const decision = new LoadDecision<V>(host.signal, isRefresh, stale, settings.ttlMs, settings.tags);
    const mark = this.#invalidated.mark();
    const run = async (): Promise<V> => {
      let value: V;
      try {
        value = await (host.tracer === undefined
          ? loader(key, decision)
          : host.tracer.span('cache.load', { 'cache.name': host.name, 'cache.refresh': isRefresh }, () => loader(key, decision)));
      } catch (err) {
        throw new CacheLoaderError('Cache loader failed', { cache: host.name, ...keyContext(key) }, err);
      }
      if (value === undefined) {
        throw new CacheLoaderError(
          'Cache loader resolved to undefined',
          { cache: host.name, ...keyContext(key) },
          new TypeError('Expected the loader to return a value other than undefined'),
        );
      }
      if (this.#inflight.get(key) === flight) {
        this.#inflight.delete(key);
        if (!host.isClosed() && decision.store && !this.#invalidated.covers(decision.tags, mark)) host.store(key, value, decision.ttlMs, decision.tags, settings);
        this.#left();
      }
      return value;
    };
    flight.promise = run().then(
      (value) => {
        this.stats.record(host.now() - started, !flight.outlived);
        this.#backoff.succeeded(key);
        return value;
      },
      (err: unknown) => {
        if (this.#inflight.get(key) === flight) {
          this.#inflight.delete(key);
          this.#left();
        }
        this.#failed([key], started, err, settings, isRefresh);
        throw toError(err);
      },
    );
    this.#inflight.set(key, flight);
    flight.promise.catch(ignore);
    this.running.track(flight.promise);
    return flight;
  }

  #startBulk(keys: K[], loader: BulkLoader<K, V>, settings: LoadSettings, bulk: Flight<Map<K, V>>): Promise<Map<K, V>> {
    const host = this.#host;
    const started = host.now();
    const decision = new LoadDecision<V>(host.signal, false, undefined, settings.ttlMs, settings.tags);
    const mark = this.#invalidated.mark();
    const flights = keys.map((): Flight<V> => ({ promise: Promise.resolve(undefined as V), outlived: false }));
    const context = { cache: host.name, keys: keys.length };
    const run = async (): Promise<Map<K, V>> => {
      let result: BulkResult<K, V>;
      try {
        const asked = keys.slice();
        result = await (host.tracer === undefined
          ? loader(asked, decision)
          : host.tracer.span('cache.load', { 'cache.name': host.name, 'cache.refresh': false, 'cache.keys': keys.length }, () => loader(asked, decision)));
      } catch (err) {
        throw new CacheLoaderError('Cache bulk loader failed', context, err);
      }
      const found = readBulkResult<K, V>(result, context);
      const store = decision.store && !this.#invalidated.covers(decision.tags, mark);
      for (let i = 0; i < keys.length; i += 1) {
        const key = keys[i] as K;
        if (this.#inflight.get(key) !== flights[i]) continue;
        this.#inflight.delete(key);
        const value = found.get(key);
        if (value !== undefined && !host.isClosed() && store) host.store(key, value, decision.ttlMs, decision.tags, settings);
      }
      this.#left();
      return found;
    };
    const promise = run().then(
      (found) => {
        this.stats.record(host.now() - started, !bulk.outlived);
        for (const key of keys) this.#backoff.succeeded(key);
        return found;
      },
      (err: unknown) => {
        for (let i = 0; i < keys.length; i += 1) if (this.#inflight.get(keys[i] as K) === flights[i]) this.#inflight.delete(keys[i] as K);
        this.#left();
        this.#failed(keys, started, err, settings, false);
        throw toError(err);
      },
    );
    for (let i = 0; i < keys.length; i += 1) {
      const key = keys[i] as K;
      const flight = flights[i]!;
      // A getOrLoad that joins this key while the bulk load runs gets its value, or a coded error when
      // the loader did not return it.
      flight.promise = promise.then((found) => {
        const value = found.get(key);
        if (value === undefined) {
          throw new CacheLoaderError('Cache bulk loader returned no value for this key', { cache: host.name, ...keyContext(key) }, new TypeError('Expected the bulk loader to return a value for every key it was given'));
        }
        return value;
      });
      flight.promise.catch(ignore);
      this.#inflight.set(key, flight);
    }
    promise.catch(ignore);
    this.running.track(promise);
    return promise;
  }

  #failed(keys: K[], started: number, err: unknown, settings: LoadSettings, isRefresh: boolean): void {
    const host = this.#host;
    const now = host.now();
    this.stats.record(now - started, false);
    const error = toError(err);
    for (const key of keys) this.#backoff.failed(key, error, now, settings.failureBackoffMs, settings.maxFailureBackoffMs);
    const data = keys.length === 1 ? keyContext(keys[0]) : { keys: keys.length };
    safeRecord(host.monitor, createEvent(isRefresh ? CACHE_EVENTS.refreshFailed : CACHE_EVENTS.loadFailed, host.name, { ...data, error: describeThrown(err) }));
  }
}

function isMap<K, V>(value: unknown): value is Map<K, V> {
  return value instanceof Map;
}

/**
 * The bulk loader's result as a Map.
 * @throws CacheLoaderError when it is neither a Map nor an iterable of `[key, value]` pairs.
 */
function readBulkResult<K, V>(result: unknown, context: Record<string, unknown>): Map<K, V> {
  if (isMap<K, V>(result)) return result;
  try {
    if (result === null || typeof result !== 'object' || typeof (result as Iterable<unknown>)[Symbol.iterator] !== 'function') throw new TypeError('not iterable');
    const out = new Map<K, V>();
    for (const pair of result as Iterable<unknown>) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError('not a [key, value] pair');
      const [k, v] = pair as [K, V];
      out.set(k, v);
    }
    return out;
  } catch (err) {
    throw new CacheLoaderError(
      'Cache bulk loader returned neither a Map nor [key, value] pairs',
      context,
      new TypeError(`Expected the bulk loader to return a Map or an iterable of [key, value] pairs (${describeThrown(err)})`),
    );
  }
}
