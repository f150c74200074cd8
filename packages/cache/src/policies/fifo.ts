import { createLinks, SlotList } from '../internal/list.js';
import type { Policy } from './policy.js';

/**
 * First in, first out: hits change nothing, the oldest insert is evicted. With `renewOnUpdate` (the
 * `'ttl'` policy) replacing a value counts as a new insert, so the entry whose TTL was set longest ago
 * goes first.
 */
export class FifoPolicy implements Policy {
  readonly needsHash = false;
  readonly #list: SlotList;
  readonly #renewOnUpdate: boolean;

  constructor(slots: number, renewOnUpdate: boolean) {
    const links = createLinks(slots);
    this.#list = new SlotList(links);
    this.#renewOnUpdate = renewOnUpdate;
  }

  insert(slot: number): void {
    this.#list.pushHead(slot);
  }

  hit(_slot: number): void {
    // FIFO ignores reads by design.
  }

  update(slot: number): void {
    if (this.#renewOnUpdate) this.#list.moveToHead(slot);
  }

  remove(slot: number): void {
    this.#list.remove(slot);
  }

  evict(): number {
    return this.#list.popTail();
  }

  /** Newest insert first when `hottest`; otherwise the eviction order, oldest first. */
  ranked(n: number, hottest: boolean): number[] {
    const out: number[] = [];
    this.#list.collect(out, n, hottest);
    return out;
  }

  clear(): void {
    this.#list.clear();
  }
}
