import { InvalidatedTags } from '../loading/invalidated-tags.js';

/** What a running load holds from {@link LoadGuard.begin} until it ends. */
export interface LoadMark {
  readonly key: string;
  /** The guard's epoch when the load began: key and namespace invalidations after it are newer than the loaded value. */
  readonly epoch: number;
  /** The tag log's mark when the load began (see InvalidatedTags). */
  readonly tags: number;
}

/**
 * The invalidations (a key deleted or changed elsewhere, a tag, the whole namespace; made here or
 * received through the bus) issued while loads of this instance ran, so that a load that began before
 * one covering its key does not write what it loaded into L2 or L1: the caller who invalidated would
 * otherwise read a value loaded before the invalidation. The load still answers its own callers. Tags
 * are remembered as the in-process cache remembers them ({@link InvalidatedTags}, bounded); keys and
 * the whole namespace here.
 *
 * Nothing is remembered while no load runs, and only keys that are loading: a busy cache pays one map
 * lookup per invalidated key. Invalidations from another instance count from when their message arrives,
 * so a load that ends between that instance's acknowledgement and the message's arrival still writes.
 */
export class LoadGuard {
  #epoch = 0;
  /** Loads running, per key. */
  readonly #running = new Map<string, number>();
  /** Epoch of the last invalidation of each loading key. */
  readonly #keys = new Map<string, number>();
  readonly #tags = new InvalidatedTags();
  /** Epoch of the last invalidation of everything (clear, a flush). */
  #allAt = 0;

  /** A load of `key` is about to read the store or run its loader; pass the mark to {@link end}. */
  begin(key: string): LoadMark {
    this.#running.set(key, (this.#running.get(key) ?? 0) + 1);
    return { key, epoch: this.#epoch, tags: this.#tags.mark() };
  }

  end(mark: LoadMark): void {
    const running = this.#running;
    const left = (running.get(mark.key) ?? 1) - 1;
    if (left > 0) {
      running.set(mark.key, left);
      return;
    }
    running.delete(mark.key);
    this.#keys.delete(mark.key);
    if (running.size === 0) this.#tags.idle();
  }

  /** True when an invalidation of the load's key, of one of `tags` or of everything came after it began. */
  stale(mark: LoadMark, tags: readonly string[]): boolean {
    if (this.#allAt > mark.epoch) return true;
    const keyAt = this.#keys.get(mark.key);
    if (keyAt !== undefined && keyAt > mark.epoch) return true;
    return this.#tags.covers(tags, mark.tags);
  }

  /** `key` was deleted or changed (here or on another instance). */
  key(key: string): void {
    if (this.#running.size !== 0 && this.#running.has(key)) this.#keys.set(key, ++this.#epoch);
  }

  /** `tag` was invalidated. */
  tag(tag: string): void {
    if (this.#running.size !== 0) this.#tags.invalidated(tag);
  }

  /** Everything was invalidated (clear), or L1 can no longer be trusted (a flush). */
  all(): void {
    if (this.#running.size !== 0) this.#allAt = ++this.#epoch;
  }
}
