/** Tags remembered at most; past that every load running counts as invalidated (it stores nothing). */
const MAX_TAGS = 1024;

/**
 * The tags `invalidateTag` was called with while loads ran, so a load that started before one of those
 * calls does not store its value under that tag afterwards: its key was not in the cache yet, so the
 * invalidation could not remove it, and the caller who invalidated would read a value loaded before.
 * Kept only while some load may still store: {@link idle} empties it.
 */
export class InvalidatedTags {
  /** Counts invalidations seen while loads ran; a load's mark is its value when the load started. */
  #epoch = 0;
  readonly #at = new Map<string, number>();
  /** Epoch from which every load that began before counts as invalidated (too many tags to remember). */
  #allAt = 0;

  /** The mark a starting load keeps, to pass to {@link covers} when it is about to store. */
  mark(): number {
    return this.#epoch;
  }

  /** `tag` was invalidated while loads ran. */
  invalidated(tag: string): void {
    this.#epoch += 1;
    if (this.#at.size >= MAX_TAGS) {
      this.#at.clear();
      this.#allAt = this.#epoch;
    } else this.#at.set(tag, this.#epoch);
  }

  /** True when one of `tags` was invalidated after the load that holds `mark` started. */
  covers(tags: readonly string[] | undefined, mark: number): boolean {
    if (tags === undefined || tags.length === 0) return false;
    if (this.#allAt > mark) return true;
    if (this.#at.size === 0) return false;
    for (const tag of tags) {
      const at = this.#at.get(tag);
      if (at !== undefined && at > mark) return true;
    }
    return false;
  }

  /** No load may store any more: nothing to remember. */
  idle(): void {
    if (this.#at.size !== 0) this.#at.clear();
  }
}
