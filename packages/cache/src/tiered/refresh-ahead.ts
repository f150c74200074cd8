import { randomUUID } from 'node:crypto';
import { describeThrown } from '@patinox/errors';
import { createEvent, safeRecord, type Monitor } from '@patinox/monitor';
import { CACHE_EVENTS } from '../events.js';
import type { KeyLayout } from './key-layout.js';
import type { LoadTiming } from '../loading/load-timing.js';
import type { Running } from '../loading/running.js';
import type { RemoteTier } from './remote-tier.js';

/** Keys whose write time is remembered at most; the oldest goes first. */
const MAX_TRACKED_KEYS = 10_000;

/** Runs one refresh load: the loader with `current` as its stale value, caching what it decided. */
export type RefreshRun<V> = (key: string, current: V) => Promise<unknown>;

/**
 * `refreshAfterMs` (Caffeine's `refreshAfterWrite`): a hit on an entry older than that is answered at
 * once and starts one background load. A load records its write time (`clock`) in L2 (`<ns>:w:<key>`),
 * so every instance knows an entry's age; the refresh takes the `getOrLoad` lock without waiting and
 * reads the write time again under it, so across instances one refresh runs and the others skip.
 */
export class RefreshAhead<V> {
  readonly #remote: RemoteTier;
  readonly #layout: KeyLayout;
  readonly #clock: () => number;
  readonly #lockTtlMs: number;
  readonly #monitor: Monitor;
  readonly #namespace: string;
  readonly #runningLoads: Running;
  /** Aborts when the cache closes. */
  readonly #signal: AbortSignal;
  /** Write times (clock ms) of entries this instance saw. */
  readonly #writtenAt = new Map<string, number>();
  readonly #running = new Set<string>();
  /** Background refreshes started (their loads count in the load stats). */
  refreshes = 0;

  constructor(parts: { remote: RemoteTier; layout: KeyLayout; clock: () => number; lockTtlMs: number; monitor: Monitor; namespace: string; running: Running; signal: AbortSignal }) {
    this.#runningLoads = parts.running;
    this.#signal = parts.signal;
    this.#monitor = parts.monitor;
    this.#namespace = parts.namespace;
    this.#remote = parts.remote;
    this.#layout = parts.layout;
    this.#clock = parts.clock;
    this.#lockTtlMs = parts.lockTtlMs;
  }

  /** A `getOrLoad` hit with `refreshAfterMs`: starts a background refresh when the entry is old enough. */
  hit(key: string, current: V, policy: LoadTiming, run: RefreshRun<V>): void {
    if (this.#running.has(key)) return;
    const writtenAt = this.#writtenAt.get(key);
    if (writtenAt !== undefined && this.#clock() - writtenAt < policy.refreshAfterMs) return;
    this.#running.add(key);
    // Tracked from the start: a refresh that only reads the age, or finds another instance refreshing, counts too.
    this.#runningLoads.track(this.#refresh(key, current, writtenAt, policy, run).finally(() => this.#running.delete(key)));
  }

  /** This instance wrote `key` at `writtenAt` (clock ms). */
  loaded(key: string, writtenAt: number): void {
    this.#writtenAt.delete(key);
    this.#writtenAt.set(key, writtenAt);
    if (this.#writtenAt.size > MAX_TRACKED_KEYS) this.#writtenAt.delete(this.#writtenAt.keys().next().value!);
  }

  /** `key` changed elsewhere: its age is learnt again from L2 on the next hit. */
  forget(key: string): void {
    if (this.#writtenAt.size !== 0) this.#writtenAt.delete(key);
  }

  clear(): void {
    this.#writtenAt.clear();
  }

  async #refresh(key: string, current: V, known: number | undefined, policy: LoadTiming, run: RefreshRun<V>): Promise<void> {
    try {
      // An entry without a recorded write time (written by `set`, or before refresh was on) ages from now.
      const writtenAt = known ?? (await this.#readWrittenAt(key)) ?? this.#clock();
      this.loaded(key, writtenAt);
      if (this.#clock() - writtenAt < policy.refreshAfterMs) return;
      const lockKey = this.#layout.lock(key);
      const token = randomUUID();
      // Another instance holding the lock is loading this key already: no wait, no second load.
      if (!(await this.#remote.call('lock', (l2) => l2.acquireLock(lockKey, token, this.#lockTtlMs)))) return;
      try {
        // Under the lock: another instance may have refreshed it just before.
        const latest = await this.#readWrittenAt(key);
        if (latest !== undefined && this.#clock() - latest < policy.refreshAfterMs) {
          this.loaded(key, latest);
          return;
        }
        this.refreshes += 1;
        await run(key, current);
      } finally {
        await this.#remote.call('unlock', (l2) => l2.releaseLock(lockKey, token)).catch(() => undefined);
      }
    } catch (err) {
      // Closing aborted it (the loader saw the close signal, or L2 was closed): nothing to report.
      if (this.#signal.aborted) return;
      // The live value stays; a loader failure is also counted in the load stats.
      safeRecord(this.#monitor, createEvent(CACHE_EVENTS.tieredRefreshFailed, 'cache.tiered', { namespace: this.#namespace, key, error: describeThrown(err) }));
    }
  }

  async #readWrittenAt(key: string): Promise<number | undefined> {
    const bytes = await this.#remote.call('get', (l2) => l2.get(this.#layout.written(key)));
    const at = bytes === null ? Number.NaN : Number(bytes.toString());
    return Number.isFinite(at) ? at : undefined;
  }
}
