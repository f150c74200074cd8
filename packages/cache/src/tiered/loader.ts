import { randomUUID } from 'node:crypto';
import { isPatinoxError, raceAbort, toError } from '@patinox/errors';
import { createEvent, safeRecord, type Monitor, type TraceHook } from '@patinox/monitor';
import type { Cache } from '../cache.js';
import { TieredCacheError } from '../errors.js';
import type { KeyLayout } from './key-layout.js';
import type { TieredGetOrLoadOptions, TieredLoaderContext } from './options.js';
import type { RemoteTier } from './remote-tier.js';
import type { WriteThrough } from './write-through.js';

/** A `getOrLoad` loader. */
export type Loader<V> = (key: string, context: TieredLoaderContext) => V | Promise<V>;

/** What the loader needs from its cache. */
export interface LoaderHost<V> {
  /** Reads `key` from L2 (never the L1 copy when `skipL1`), filling L1 when `fillL1`. */
  read(key: string, skipL1: boolean, fillL1: boolean, l1AlreadyMissed: boolean): Promise<V | undefined>;
  /** Caches a loaded value in L2 (and L1 when `fillL1`) and announces it; never written to the store. */
  cacheLoaded(key: string, value: V, options: TieredGetOrLoadOptions, fillL1: boolean): Promise<void>;
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

  constructor(
    host: LoaderHost<V>,
    parts: { remote: RemoteTier; layout: KeyLayout; store: WriteThrough<V>; monitor: Monitor; tracer: TraceHook | undefined; namespace: string; signal: AbortSignal },
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
    this.#lockTtlMs = timing.lockTtlMs;
    this.#lockWaitMs = timing.lockWaitMs;
    this.#lockPollMs = timing.lockPollMs;
  }

  /**
   * `getOrLoad` past its argument checks; `l1` is the L1 when trusted. With `staleWhileRevalidateMs`,
   * the L1 Cache serves an expired value for that long while one distributed refresh runs.
   */
  getOrLoad(key: string, loader: Loader<V>, options: TieredGetOrLoadOptions, l1: Cache<string, V> | undefined, defaultTtlMs: number): Promise<V> {
    const staleMs = options.staleWhileRevalidateMs ?? 0;
    if (staleMs > 0 && l1 !== undefined) {
      const l1Options = { staleWhileRevalidateMs: staleMs, ttlMs: options.ttlMs ?? defaultTtlMs, tags: options.tags, signal: options.signal };
      return l1.getOrLoad(key, (k) => this.load(k, loader, options, true), l1Options).catch((err: unknown) => {
        // Keep this tier's codes: the L1 wraps loader failures in CACHE_LOADER_FAILED.
        throw isPatinoxError(err, 'CACHE_LOADER_FAILED') && err.cause !== undefined ? err.cause : toError(err);
      });
    }
    if (l1 !== undefined) {
      const hit = l1.get(key);
      if (hit !== undefined) return Promise.resolve(hit);
    }
    return this.#flight(key, loader, options, l1 !== undefined);
  }

  /** Joins the local flight for `key`, or starts one; `l1Checked` when the caller just missed a trusted L1. */
  flight(key: string, loader: Loader<V>, options: TieredGetOrLoadOptions, l1Checked: boolean): Promise<V> {
    return this.#flight(key, loader, options, l1Checked);
  }

  #flight(key: string, loader: Loader<V>, options: TieredGetOrLoadOptions, l1Checked: boolean): Promise<V> {
    let flight = this.#flights.get(key);
    if (flight === undefined) {
      flight = this.load(key, loader, options, false, l1Checked).finally(() => this.#flights.delete(key));
      this.#flights.set(key, flight);
    }
    return raceAbort(flight, options.signal);
  }

  async load(key: string, loader: Loader<V>, options: TieredGetOrLoadOptions, skipL1 = false, l1Checked = false): Promise<V> {
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
      if (cached !== undefined) return cached;
      const token = randomUUID();
      let acquired: boolean;
      try {
        acquired = await this.#remote.call('lock', (l2) => l2.acquireLock(lockKey, token, this.#lockTtlMs));
      } catch (err) {
        if (!this.#host.degradable(err)) throw err;
        return this.#run(key, loader, options, !skipL1);
      }
      if (acquired) {
        this.#acquired += 1;
        try {
          const stored = await this.#store.get(key);
          if (stored !== undefined) {
            await this.#host.cacheLoaded(key, stored, options, !skipL1);
            return stored;
          }
          return await this.#run(key, loader, options, !skipL1);
        } finally {
          await this.#remote.call('unlock', (l2) => l2.releaseLock(lockKey, token)).catch(() => undefined);
        }
      }
      if (!waited) this.#waits += 1;
      waited = true;
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        this.#timeouts += 1;
        safeRecord(this.#monitor, createEvent('cache.tiered.lock.timeout', 'cache.tiered', { namespace: this.#namespace, key }));
        throw new TieredCacheError(`Waited ${this.#lockWaitMs} ms for another instance to load key ${JSON.stringify(key)}`, 'CACHE_LOCK_TIMEOUT', { key, waitedMs: this.#lockWaitMs });
      }
      await this.#waitForKey(key, Math.min(pause, remaining));
      pause = Math.min(pause * 2, this.#lockPollMs);
      this.#host.checkOpen();
    }
  }

  async #run(key: string, loader: Loader<V>, options: TieredGetOrLoadOptions, fillL1: boolean): Promise<V> {
    const context = { signal: this.#signal };
    const value = await (this.#tracer === undefined
      ? loader(key, context)
      : this.#tracer.span('cache.load', { 'cache.namespace': this.#namespace }, () => loader(key, context)));
    if (value === undefined) throw new TypeError('Expected the loader to return a value, got undefined: undefined marks a miss and cannot be stored');
    await this.#host.cacheLoaded(key, value, options, fillL1);
    return value;
  }

  /** Wakes callers waiting for another instance to load `key` (its invalidation arrived). */
  wake(key: string): void {
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
