/**
 * Tag → keys, for `invalidateTag`. The cache keeps each slot's own tags in its per-slot array and tells
 * this index when an entry with tags lands or leaves; a cache that never sees a tag never builds one.
 */
export class TagIndex<K> {
  readonly #keys = new Map<string, Set<K>>();

  /** Records that `key` carries `tags`. */
  add(key: K, tags: readonly string[]): void {
    const index = this.#keys;
    for (const tag of tags) {
      let keys = index.get(tag);
      if (keys === undefined) index.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Forgets that `key` carried `tags`; a tag left without keys is dropped. */
  remove(key: K, tags: readonly string[]): void {
    const index = this.#keys;
    for (const tag of tags) {
      const keys = index.get(tag);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) index.delete(tag);
    }
  }

  /** The keys tagged `tag`, copied so the caller may delete them while it walks the list. */
  keysOf(tag: string): K[] {
    const keys = this.#keys.get(tag);
    return keys === undefined ? [] : [...keys];
  }
}
