import { createLinks, SlotList } from '../internal/list.js';
import type { Policy } from './policy.js';

/**
 * SIEVE (Zhang et al., NSDI '24): a FIFO queue with a visited bit and a hand that moves from the
 * oldest entry towards the newest, clearing bits until it finds an unvisited victim. A hit only sets
 * a bit, so reads never reorder the queue.
 */
export class SievePolicy implements Policy {
  readonly needsHash = false;
  readonly #list: SlotList;
  readonly #visited: Uint8Array;
  #hand = -1;

  constructor(slots: number) {
    const links = createLinks(slots);
    this.#list = new SlotList(links);
    this.#visited = new Uint8Array(slots);
  }

  insert(slot: number): void {
    this.#visited[slot] = 0;
    this.#list.pushHead(slot);
  }

  hit(slot: number): void {
    this.#visited[slot] = 1;
  }

  update(slot: number): void {
    this.#visited[slot] = 1;
  }

  remove(slot: number): void {
    if (this.#hand === slot) this.#hand = this.#list.prevOf(slot);
    this.#list.remove(slot);
  }

  evict(): number {
    const list = this.#list;
    let slot = this.#hand === -1 ? list.tail : this.#hand;
    if (slot === -1) return -1;
    const visited = this.#visited;
    while (visited[slot] === 1) {
      visited[slot] = 0;
      slot = list.prevOf(slot);
      if (slot === -1) slot = list.tail;
    }
    this.#hand = list.prevOf(slot);
    list.remove(slot);
    return slot;
  }

  /**
   * Coldest: the unvisited entries from the hand towards the newest, wrapping round (the order the
   * hand would take them), then the visited ones oldest first. Hottest: the reverse.
   */
  ranked(n: number, hottest: boolean): number[] {
    const list = this.#list;
    const visited = this.#visited;
    const order: number[] = [];
    const start = this.#hand === -1 ? list.tail : this.#hand;
    let slot = start;
    while (slot !== -1) {
      if (visited[slot] === 0) order.push(slot);
      slot = list.prevOf(slot);
    }
    if (start !== list.tail) {
      slot = list.tail;
      while (slot !== start) {
        if (visited[slot] === 0) order.push(slot);
        slot = list.prevOf(slot);
      }
    }
    list.collect(order, list.size, false, (s) => visited[s] === 1);
    if (hottest) order.reverse();
    return order.length > n ? order.slice(0, n) : order;
  }

  clear(): void {
    this.#list.clear();
    this.#hand = -1;
  }
}
