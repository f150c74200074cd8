import { createLinks, SlotList } from '../internal/list.js';
import type { Policy } from './policy.js';

/**
 * Least frequently used in O(1): one list ordered by hit count from the head (highest) to the tail
 * (lowest), each count group newest first, with the newest member of each group remembered so a hit
 * moves an entry in constant time. Ties go to the oldest. Counts never age (that is plain LFU;
 * 'tinylfu' is the aging, admission-based variant).
 */
export class LfuPolicy implements Policy {
  readonly needsHash = false;
  readonly #list: SlotList;
  readonly #count: Float64Array;
  /** count → the newest slot with that count. */
  readonly #groupHead = new Map<number, number>();

  constructor(slots: number) {
    const links = createLinks(slots);
    this.#list = new SlotList(links);
    this.#count = new Float64Array(slots);
  }

  insert(slot: number): void {
    this.#count[slot] = 1;
    this.#list.insertBefore(slot, this.#groupHead.get(1) ?? -1);
    this.#groupHead.set(1, slot);
  }

  hit(slot: number): void {
    const c = this.#count[slot]!;
    const wasHead = this.#groupHead.get(c) === slot;
    this.#leaveGroup(slot);
    const target = this.#groupHead.get(c + 1);
    if (target !== undefined) {
      this.#list.remove(slot);
      this.#list.insertBefore(slot, target);
    } else if (!wasHead) {
      const head = this.#groupHead.get(c)!;
      this.#list.remove(slot);
      this.#list.insertBefore(slot, head);
    }
    this.#count[slot] = c + 1;
    this.#groupHead.set(c + 1, slot);
  }

  update(slot: number): void {
    this.hit(slot);
  }

  remove(slot: number): void {
    this.#leaveGroup(slot);
    this.#list.remove(slot);
  }

  evict(): number {
    const slot = this.#list.tail;
    if (slot === -1) return -1;
    this.#leaveGroup(slot);
    this.#list.remove(slot);
    return slot;
  }

  /** The list is ordered by count (highest at the head), ties newest first: the tail is the eviction order. */
  ranked(n: number, hottest: boolean): number[] {
    const out: number[] = [];
    this.#list.collect(out, n, hottest);
    return out;
  }

  clear(): void {
    this.#list.clear();
    this.#groupHead.clear();
  }

  #leaveGroup(slot: number): void {
    const c = this.#count[slot]!;
    if (this.#groupHead.get(c) !== slot) return;
    const older = this.#list.nextOf(slot);
    if (older !== -1 && this.#count[older] === c) this.#groupHead.set(c, older);
    else this.#groupHead.delete(c);
  }
}
