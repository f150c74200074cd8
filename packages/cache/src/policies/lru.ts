import { createLinks, SlotList } from '../internal/list.js';
import type { Policy } from './policy.js';

/** Least recently used: a hit moves the entry to the head; the tail is evicted. */
export class LruPolicy implements Policy {
  readonly needsHash = false;
  readonly #list: SlotList;

  constructor(slots: number) {
    const links = createLinks(slots);
    this.#list = new SlotList(links);
  }

  insert(slot: number): void {
    this.#list.pushHead(slot);
  }

  hit(slot: number): void {
    this.#list.moveToHead(slot);
  }

  update(slot: number): void {
    this.#list.moveToHead(slot);
  }

  remove(slot: number): void {
    this.#list.remove(slot);
  }

  evict(): number {
    return this.#list.popTail();
  }

  /**
   * `evict()` and `insert()` of the slot it frees in one relink, as a set that evicts needs them: the
   * least recently used slot moves to the head, where the newcomer it will hold belongs; -1 when empty.
   */
  recycle(): number {
    const slot = this.#list.tail;
    if (slot !== -1) this.#list.moveToHead(slot);
    return slot;
  }

  ranked(n: number, hottest: boolean): number[] {
    const out: number[] = [];
    this.#list.collect(out, n, hottest);
    return out;
  }

  clear(): void {
    this.#list.clear();
  }
}
