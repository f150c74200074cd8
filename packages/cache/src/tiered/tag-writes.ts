import { toError } from '@patinox/errors';

const noop = (): void => undefined;

/**
 * This instance's tagged writes in flight, per tag, so that a tag invalidation issued after a tagged
 * write finds its key in the tag set. Nothing else orders the two: a write may wait (for its store, for
 * an NX answer) before it adds to the tag set, and the add itself may be resent (a script the server
 * does not hold yet) after the invalidation's SMEMBERS went out; on a Redis Cluster the value and the tag
 * set also live on different masters. Untagged writes never come here.
 */
export class TagWrites {
  readonly #pending = new Map<string, Set<Promise<void>>>();

  /**
   * Starts `write` with it registered under each of `tags` until it settles, and returns its promise. It
   * is registered before it starts: an invalidation issued from inside it (a backend call) waits too.
   */
  track<T>(tags: readonly string[], write: () => Promise<T>): Promise<T> {
    let settle!: () => void;
    const gate = new Promise<void>((resolve) => (settle = resolve));
    const pending = this.#pending;
    for (const tag of tags) {
      let writes = pending.get(tag);
      if (writes === undefined) pending.set(tag, (writes = new Set()));
      writes.add(gate);
    }
    const settled = (): void => {
      for (const tag of tags) {
        const writes = pending.get(tag);
        if (writes === undefined) continue;
        writes.delete(gate);
        if (writes.size === 0) pending.delete(tag);
      }
      settle();
    };
    let promise: Promise<T>;
    try {
      promise = write();
    } catch (err) {
      promise = Promise.reject(toError(err));
    }
    // Handles the rejection on this branch only: the caller of the write still gets it.
    promise.then(settled, settled);
    return promise;
  }

  /**
   * Settles (never rejects) once every write of `tag` in flight now has settled; undefined when there is
   * none. Writes tracked later are not waited for, so a stream of them cannot hold an invalidation back.
   */
  settled(tag: string): Promise<void> | undefined {
    const writes = this.#pending.get(tag);
    return writes === undefined ? undefined : Promise.allSettled([...writes]).then(noop);
  }
}
