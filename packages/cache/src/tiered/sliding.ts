import { describeThrown } from '@patinox/errors';
import { createEvent, safeRecord, type Monitor } from '@patinox/monitor';
import { CACHE_EVENTS } from '../events.js';
import type { BackendTouch } from './backend.js';
import type { Coherence } from './coherence.js';
import type { KeyLayout } from './key-layout.js';
import type { RemoteTier } from './remote-tier.js';

/** Per-key windows kept at most; the oldest goes first (it then slides by `defaultTtlMs` or not at all). */
const MAX_TRACKED_KEYS = 100_000;

/**
 * Sliding expiry (`slidingTtl`, or `sliding` per write): a read hit of a sliding entry pushes its expiry
 * to now + its window, in L1 (the copy is stored again with that TTL) and in L2 (the keys read in one
 * tick share one pipelined PEXPIRE). The window is the TTL this instance wrote the key with; with
 * `slidingTtl`, keys written elsewhere slide by `defaultTtlMs`.
 *
 * Readers check {@link active} first: a cache that never slides pays one field read per hit.
 */
export class Sliding<V> {
  readonly #remote: RemoteTier;
  readonly #layout: KeyLayout;
  readonly #coherence: Coherence<V>;
  readonly #all: boolean;
  readonly #defaultTtlMs: number;
  readonly #monitor: Monitor;
  readonly #windows = new Map<string, number>();
  #pending: BackendTouch[] | undefined;
  /** True when some entry may slide: `slidingTtl`, or a write asked for it. */
  active: boolean;

  constructor(parts: { remote: RemoteTier; layout: KeyLayout; coherence: Coherence<V>; all: boolean; defaultTtlMs: number; monitor: Monitor }) {
    this.#monitor = parts.monitor;
    this.#remote = parts.remote;
    this.#layout = parts.layout;
    this.#coherence = parts.coherence;
    this.#all = parts.all;
    this.#defaultTtlMs = parts.defaultTtlMs;
    this.active = parts.all;
  }

  /** Whether a write with this `sliding` option slides (undefined: the cache's `slidingTtl`). */
  slides(sliding: boolean | undefined): boolean {
    return sliding ?? this.#all;
  }

  /** `key` was written with `ttlMs`; `sliding` undefined means the cache's `slidingTtl`. */
  wrote(key: string, ttlMs: number, sliding: boolean | undefined): void {
    if ((sliding ?? this.#all) && ttlMs > 0) {
      this.#windows.delete(key);
      this.#windows.set(key, ttlMs);
      if (this.#windows.size > MAX_TRACKED_KEYS) this.#windows.delete(this.#windows.keys().next().value!);
      this.active = true;
    } else if (this.#windows.size !== 0) {
      this.#windows.delete(key);
    }
  }

  /** The window this instance slides `key` by because a write asked for it (0: none known). */
  windowOf(key: string): number {
    return this.#windows.size === 0 ? 0 : (this.#windows.get(key) ?? 0);
  }

  /** A read hit of `key` (from L1 or L2). */
  touch(key: string): void {
    const window = this.#windows.get(key) ?? (this.#all ? this.#defaultTtlMs : 0);
    if (window <= 0) return;
    // The L1 copy is stored again as it is now: an L2 answer the read race kept out of L1 stays out.
    const l1 = this.#coherence.l1;
    const copy = l1?.peek(key);
    if (copy !== undefined) l1!.set(key, copy, { ttlMs: window });
    let pending = this.#pending;
    if (pending === undefined) {
      pending = this.#pending = [];
      process.nextTick(() => this.#flush());
    }
    pending.push({ key: this.#layout.value(key), ttlMs: window });
  }

  #flush(): void {
    const entries = this.#pending!;
    this.#pending = undefined;
    const backend = this.#remote.backend;
    if (backend.touch === undefined) return;
    this.#remote.call('touch', (l2) => l2.touch!(entries)).catch((err: unknown) => {
      // The read itself succeeded; those keys keep their previous expiry in L2.
      safeRecord(this.#monitor, createEvent(CACHE_EVENTS.tieredTouchFailed, 'cache.tiered', { keys: entries.length, error: describeThrown(err) }));
    });
  }

  clear(): void {
    this.#windows.clear();
    this.active = this.#all;
  }
}
