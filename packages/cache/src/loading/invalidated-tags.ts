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

  /** The mark a starting load keeps, to pass to {@link covers} when it is about to store. */
  mark(): number {
    return this.#epoch;
  }

  /** `tag` was invalidated while loads ran. */
  invalidated(tag: string): void {
    this.#epoch += 1;
    this.#at.set(tag, this.#epoch);
  }

  /** True when one of `tags` was invalidated after the load that holds `mark` started. */
  covers(tags: readonly string[] | undefined, mark: number): boolean {
    if (this.#at.size === 0 || tags === undefined) return false;
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
