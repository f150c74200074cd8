import { REMOVAL_REASONS } from '../cache-stats.js';
import type { EvictionReason } from '../options.js';

/**
 * The cache's `onEvict` calls. While an operation that removes several entries runs (making room,
 * `clear`, a sweep), they wait in a queue (flat key, value, reason triples) until it is done: a callback
 * that uses the cache then sees it consistent, and cannot refill it under a loop that is making room
 * (which would never end). A callback that throws is reported through `failed`, never rethrown.
 */
export class EvictionNotices<K, V> {
  readonly #onEvict: ((key: K, value: V, reason: EvictionReason) => void) | undefined;
  readonly #failed: (callback: string, err: unknown) => void;
  #holds = 0;
  #queue: unknown[] | undefined;

  constructor(onEvict: ((key: K, value: V, reason: EvictionReason) => void) | undefined, failed: (callback: string, err: unknown) => void) {
    this.#onEvict = onEvict;
    this.#failed = failed;
  }

  /** Holds notices back until the matching {@link EvictionNotices.release}; holds nest. */
  hold(): void {
    this.#holds += 1;
  }

  /** Ends one hold; the last one delivers what waited, in order. */
  release(): void {
    this.#holds -= 1;
    if (this.#holds !== 0 || this.#queue === undefined || this.#queue.length === 0) return;
    const queue = this.#queue;
    this.#queue = undefined;
    for (let i = 0; i < queue.length; i += 3) this.notify(queue[i] as K, queue[i + 1] as V, queue[i + 2] as number);
  }

  /** Calls `onEvict` now, or once the running hold ends. `reason` indexes `REMOVAL_REASONS`. */
  tell(key: K, value: V, reason: number): void {
    if (this.#holds === 0) this.notify(key, value, reason);
    else (this.#queue ??= []).push(key, value, reason);
  }

  /** Calls `onEvict` now (set: callers check for it first). */
  notify(key: K, value: V, reason: number): void {
    try {
      this.#onEvict!(key, value, REMOVAL_REASONS[reason]!);
    } catch (err) {
      this.#failed('onEvict', err);
    }
  }
}
