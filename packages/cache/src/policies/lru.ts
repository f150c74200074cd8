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

  ranked(n: number, hottest: boolean): number[] {
    const out: number[] = [];
    this.#list.collect(out, n, hottest);
    return out;
  }

  clear(): void {
    this.#list.clear();
  }
}
