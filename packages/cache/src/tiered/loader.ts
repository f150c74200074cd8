import { randomUUID } from 'node:crypto';
import { isPatinoxError, raceAbort, toError } from '@patinox/errors';
import { createEvent, safeRecord, type Monitor, type TraceHook } from '@patinox/monitor';
import { CACHE_EVENTS } from '../events.js';
import type { Cache } from '../cache.js';
import { TieredCacheError } from '../errors.js';
import { LoadStats } from '../internal/load-stats.js';
import { FailureBackoff } from './failure-backoff.js';
import type { KeyLayout } from './key-layout.js';
import type { LoadGuard, LoadMark } from './load-guard.js';
import { LoadDecisions } from './loader-context.js';
import type { LoadTiming } from '../loading/load-timing.js';
import { awaitLoad } from './load-timeouts.js';
import { Running } from '../loading/running.js';
import { RefreshAhead } from './refresh-ahead.js';
import type { Sliding } from './sliding.js';
import type { TieredGetOrLoadOptions, TieredLoaderContext } from './options.js';
import type { RemoteTier } from './remote-tier.js';
import type { WriteThrough } from './write-through.js';

/** A `getOrLoad` loader. */
export type Loader<V> = (key: string, context: TieredLoaderContext<V>) => V | Promise<V>;

/** How a loaded value is cached: the call's (or the loader's) TTL and tags, and the load policy's extras. */
export interface LoadedEntry {
  ttlMs: number | undefined;
  tags: readonly string[] | undefined;
  /** Keep a grace copy this long after the TTL (0: none). */
  graceMs: number;
  /** The write time (clock ms) to record for refresh ahead, or undefined. */
  writtenAt: number | undefined;
  sliding: boolean | undefined;
}

const ignore = (): undefined => undefined;

/** What the loader needs from its cache. */
export interface LoaderHost<V> {
  /** Reads `key` from L2 (never the L1 copy when `skipL1`), filling L1 when `fillL1`. */
  read(key: string, skipL1: boolean, fillL1: boolean, l1AlreadyMissed: boolean): Promise<V | undefined>;
  /**
   * Caches a loaded value in L2 (and L1 when `fillL1`) and announces it; never written to the store.
   * Resolves false, having written nothing, when an invalidation covering it came after `mark`.
   */
  cacheLoaded(key: string, value: V, entry: LoadedEntry, fillL1: boolean, mark: LoadMark): Promise<boolean>;
  /** Time source of backoffs and refresh ages. */
  clock(): number;
  /** True when L2 being down should not fail the call (`degradeToL1`). */
  degradable(err: unknown): boolean;
  checkOpen(): void;
}

/**
 * Loads a missing key once across all instances: local callers share one flight, and instances race
 * for a Redis lock (`SET NX PX lockTtlMs` on `<ns>:l:<key>`); the winner reads the store, else runs the
 * loader, and writes; the others wait for its invalidation (or poll) and read the result from L2.
 */
export class DistributedLoader<V> {
  readonly #host: LoaderHost<V>;
  readonly #remote: RemoteTier;
  readonly #layout: KeyLayout;
  readonly #store: WriteThrough<V>;
  readonly #monitor: Monitor;
  readonly #tracer: TraceHook | undefined;
  readonly #namespace: string;
  readonly #lockTtlMs: number;
  readonly #lockWaitMs: number;
  readonly #lockPollMs: number;
  readonly #signal: AbortSignal;
  readonly #flights = new Map<string, Promise<V>>();
  readonly #waiters = new Map<string, Set<() => void>>();
  #acquired = 0;
  #waits = 0;
  #timeouts = 0;
  /** Loads, failures, load times and stale values served (`stats()`). */
  readonly loadStats = new LoadStats();
  /** Every load and background refresh not yet settled (`TieredCache.settled()`). */
  readonly running = new Running();
  readonly #backoff: FailureBackoff;
  readonly #refresh: RefreshAhead<V>;
  readonly #sliding: Sliding<V>;
  readonly #guard: LoadGuard;

  constructor(
    host: LoaderHost<V>,
    parts: { remote: RemoteTier; layout: KeyLayout; store: WriteThrough<V>; monitor: Monitor; tracer: TraceHook | undefined; namespace: string; signal: AbortSignal; sliding: Sliding<V>; guard: LoadGuard },
    timing: { lockTtlMs: number; lockWaitMs: number; lockPollMs: number },
  ) {
    this.#host = host;
    this.#remote = parts.remote;
    this.#layout = parts.layout;
    this.#store = parts.store;
    this.#monitor = parts.monitor;
    this.#tracer = parts.tracer;
    this.#namespace = parts.namespace;
    this.#signal = parts.signal;
    this.#sliding = parts.sliding;
    this.#guard = parts.guard;
    this.#lockTtlMs = timing.lockTtlMs;
    this.#lockWaitMs = timing.lockWaitMs;
    this.#lockPollMs = timing.lockPollMs;
    this.#backoff = new FailureBackoff(() => host.clock());
    this.#refresh = new RefreshAhead<V>({ remote: parts.remote, layout: parts.layout, clock: () => host.clock(), lockTtlMs: timing.lockTtlMs, monitor: parts.monitor, namespace: parts.namespace, running: this.running, signal: parts.signal });
  }

  /**
   * `getOrLoad` past its argument checks; `l1` is the L1 when trusted. With `staleWhileRevalidateMs`,
   * the L1 Cache serves an expired value for that long while one distributed refresh runs.
   */
  getOrLoad(key: string, loader: Loader<V>, options: TieredGetOrLoadOptions, policy: LoadTiming, l1: Cache<string, V> | undefined, defaultTtlMs: number): Promise<V> {
    const staleMs = options.staleWhileRevalidateMs ?? 0;
    if (staleMs > 0 && l1 !== undefined) {
      const l1Options = { staleWhileRevalidateMs: staleMs, ttlMs: options.ttlMs ?? defaultTtlMs, tags: options.tags, signal: options.signal };
      return l1.getOrLoad(key, (k) => this.load(k, loader, options, policy, true), l1Options).catch((err: unknown) => {
        // Keep this tier's codes: the L1 wraps loader failures in CACHE_LOADER_FAILED.
        throw isPatinoxError(err, 'CACHE_LOADER_FAILED') && err.cause !== undefined ? err.cause : toError(err);
      });
    }
    if (l1 !== undefined) {
      const hit = l1.get(key);
      if (hit !== undefined) {
        if (this.#sliding.active) this.#sliding.touch(key);
        if (policy.refreshAfterMs > 0) this.refreshHit(key, hit, loader, options, policy);
        return Promise.resolve(hit);
      }
    }
    return this.#flight(key, loader, options, policy, l1 !== undefined);
  }

  /** A hit under `refreshAfterMs`: one background refresh when the entry is old enough. */
  refreshHit(key: string, hit: V, loader: Loader<V>, options: TieredGetOrLoadOptions, policy: LoadTiming): void {
    this.#refresh.hit(key, hit, policy, (k, current) => this.#run(k, loader, options, policy, true, current));
  }

  /** Joins the local flight for `key`, or starts one; `l1Checked` when the caller just missed a trusted L1. */
  flight(key: string, loader: Loader<V>, options: TieredGetOrLoadOptions, policy: LoadTiming, l1Checked: boolean): Promise<V> {
    return this.#flight(key, loader, options, policy, l1Checked);
  }

  #flight(key: string, loader: Loader<V>, options: TieredGetOrLoadOptions, policy: LoadTiming, l1Checked: boolean): Promise<V> {
    let flight = this.#flights.get(key);
    if (flight === undefined) {
      flight = this.load(key, loader, options, policy, false, l1Checked).finally(() => this.#flights.delete(key));
      // A caller that gave up (timeout, signal) leaves the load running: its failure must not go unhandled.
      flight.catch(ignore);
      this.running.track(flight);
      this.#flights.set(key, flight);
    }
    const waited = awaitLoad(flight, key, policy, () => this.#grace(key, policy), () => (this.loadStats.staleServed += 1));
    return raceAbort(waited, options.signal);
  }

  async load(key: string, loader: Loader<V>, options: TieredGetOrLoadOptions, policy: LoadTiming, skipL1 = false, l1Checked = false): Promise<V> {
    const deadline = performance.now() + this.#lockWaitMs;
    const lockKey = this.#layout.lock(key);
    let pause = Math.min(10, this.#lockPollMs);
    let waited = false;
    // getOrLoad has just missed a trusted L1: the first read goes to L2 only, so one request counts one L1 miss.
    let skipL1Once = l1Checked;
    for (;;) {
      let cached: V | undefined;
      try {
        cached = await this.#host.read(key, skipL1, !skipL1, skipL1Once);
        skipL1Once = false;
      } catch (err) {
        if (!isPatinoxError(err, 'CACHE_DECODE_FAILED')) throw err;
      }
      if (cached !== undefined) {
        if (policy.refreshAfterMs > 0 && !skipL1) this.refreshHit(key, cached, loader, options, policy);
        return cached;
      }
      if (policy.failureBackoffMs > 0) {
        const blocked = this.#backoff.blocked(key);
        if (blocked !== undefined) return this.#graceOr(key, policy, blocked.error);
      }
      const token = randomUUID();
      let acquired: boolean;
      try {
        acquired = await this.#remote.call('lock', (l2) => l2.acquireLock(lockKey, token, this.#lockTtlMs));
      } catch (err) {
        if (!this.#host.degradable(err)) throw err;
        return this.#run(key, loader, options, policy, !skipL1);
      }
      if (acquired) {
        this.#acquired += 1;
        // From here the value comes from the store or the loader: an invalidation of the key from now on is newer.
        const mark = this.#guard.begin(key);
        try {
          const stored = await this.#store.get(key);
          if (stored !== undefined) {
            await this.#cache(key, stored, entryOf(options, policy, undefined), !skipL1, mark);
            return stored;
          }
          return await this.#run(key, loader, options, policy, !skipL1, undefined, mark);
        } finally {
          this.#guard.end(mark);
          await this.#remote.call('unlock', (l2) => l2.releaseLock(lockKey, token)).catch(ignore);
        }
      }
      if (!waited) this.#waits += 1;
      waited = true;
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        this.#timeouts += 1;
        safeRecord(this.#monitor, createEvent(CACHE_EVENTS.tieredLockTimeout, 'cache.tiered', { namespace: this.#namespace, key }));
        throw new TieredCacheError(`Waited ${this.#lockWaitMs} ms for another instance to load key ${JSON.stringify(key)}`, 'CACHE_LOCK_TIMEOUT', { key, waitedMs: this.#lockWaitMs });
      }
      await this.#waitForKey(key, Math.min(pause, remaining));
      pause = Math.min(pause * 2, this.#lockPollMs);
      this.#host.checkOpen();
    }
  }

  /**
   * Runs the loader (under the lock when L2 is up) and caches what it decided. A failure counts toward the
   * key's backoff and is answered with the grace copy when there is one; `current` is the live value a
   * refresh replaces (the loader's `context.stale`). `mark` is the load's, when its caller began it (under
   * the lock, before the store was read); otherwise the load begins here.
   */
  async #run(key: string, loader: Loader<V>, options: TieredGetOrLoadOptions, policy: LoadTiming, fillL1: boolean, current?: V, mark?: LoadMark): Promise<V> {
    if (mark === undefined) {
      const own = this.#guard.begin(key);
      try {
        return await this.#run(key, loader, options, policy, fillL1, current, own);
      } finally {
        this.#guard.end(own);
      }
    }
    const stale = current ?? (policy.graceMs > 0 ? await this.#grace(key, policy) : undefined);
    const context = new LoadDecisions<V>(this.#signal, stale, current !== undefined);
    const started = performance.now();
    let value: V;
    try {
      value = await (this.#tracer === undefined
        ? loader(key, context)
        : this.#tracer.span('cache.load', { 'cache.namespace': this.#namespace }, () => loader(key, context)));
      if (value === undefined) throw new TypeError('Expected the loader to return a value, got undefined: undefined marks a miss and cannot be stored');
    } catch (err) {
      this.loadStats.record(performance.now() - started, false);
      if (policy.failureBackoffMs > 0) this.#backoff.failed(key, err, policy.failureBackoffMs, policy.maxFailureBackoffMs);
      if (current === undefined && stale !== undefined) {
        this.loadStats.staleServed += 1;
        return stale;
      }
      throw err;
    }
    this.loadStats.record(performance.now() - started, true);
    this.#backoff.succeeded(key);
    // A loader that resolves after close() writes nothing; its callers see the cache closed.
    if (this.#signal.aborted) throw this.#signal.reason;
    if (context.cache) await this.#cache(key, value, entryOf(options, policy, context), fillL1, mark);
    return value;
  }

  async #cache(key: string, value: V, entry: LoadedEntry, fillL1: boolean, mark: LoadMark): Promise<void> {
    if (entry.writtenAt !== undefined) entry.writtenAt = this.#host.clock();
    const stored = await this.#host.cacheLoaded(key, value, entry, fillL1, mark);
    if (stored && entry.writtenAt !== undefined) this.#refresh.loaded(key, entry.writtenAt);
  }

  /** The grace copy of `key` while the backoff holds its loader back, else the failure it last had. */
  async #graceOr(key: string, policy: LoadTiming, error: unknown): Promise<V> {
    const stale = policy.graceMs > 0 ? await this.#grace(key, policy) : undefined;
    if (stale === undefined) throw error;
    this.loadStats.staleServed += 1;
    return stale;
  }

  /** The grace copy of `key` in L2, or undefined (also when L2 cannot answer or the copy cannot be decoded). */
  async #grace(key: string, policy: LoadTiming): Promise<V | undefined> {
    if (policy.graceMs === 0) return undefined;
    try {
      const bytes = await this.#remote.call('get', (l2) => l2.get(this.#layout.grace(key)));
      if (bytes === null) return undefined;
      return this.#remote.decode<V>(await this.#remote.serializer(), bytes, key);
    } catch {
      return undefined;
    }
  }

  /** Forgets failure backoffs and write times (the namespace was cleared). */
  forget(): void {
    this.#backoff.clear();
    this.#refresh.clear();
  }

  /** Wakes callers waiting for another instance to load `key` (its invalidation arrived). */
  wake(key: string): void {
    this.#refresh.forget(key);
    const waiters = this.#waiters.get(key);
    if (waiters !== undefined) for (const wake of waiters) wake();
  }

  #waitForKey(key: string, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let waiters = this.#waiters.get(key);
      if (waiters === undefined) {
        waiters = new Set();
        this.#waiters.set(key, waiters);
      }
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0) this.#waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      waiters.add(done);
    });
  }

  stats(): { acquired: number; waits: number; timeouts: number } {
    return { acquired: this.#acquired, waits: this.#waits, timeouts: this.#timeouts };
  }

  /** Wakes every waiter (they then see the cache closed). */
  close(): void {
    for (const waiters of this.#waiters.values()) for (const wake of waiters) wake();
  }
}

function entryOf(options: TieredGetOrLoadOptions, policy: LoadTiming, context: LoadDecisions<unknown> | undefined): LoadedEntry {
  return {
    ttlMs: context?.ttlMs ?? options.ttlMs,
    tags: context?.tags ?? options.tags,
    graceMs: policy.graceMs,
    // Stamped with the clock when written (see #cache).
    writtenAt: policy.refreshAfterMs > 0 ? 0 : undefined,
    sliding: options.sliding,
  };
}
