/**
 * An intrusive doubly linked list of slot indices over shared `next`/`prev` arrays, so several lists
 * (window, probation, protected) can share one pair of typed arrays and a node costs no object.
 * `head` is the newest end, `tail` the oldest; -1 means none.
 */
export class SlotList {
  head = -1;
  tail = -1;
  size = 0;
  readonly next: Int32Array;
  readonly prev: Int32Array;

  constructor(next: Int32Array, prev: Int32Array) {
    this.next = next;
    this.prev = prev;
  }

  pushHead(slot: number): void {
    const head = this.head;
    this.prev[slot] = -1;
    this.next[slot] = head;
    if (head === -1) this.tail = slot;
    else this.prev[head] = slot;
    this.head = slot;
    this.size += 1;
  }

  remove(slot: number): void {
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p === -1) this.head = n;
    else this.next[p] = n;
    if (n === -1) this.tail = p;
    else this.prev[n] = p;
    this.size -= 1;
  }

  moveToHead(slot: number): void {
    const head = this.head;
    if (slot === head) return;
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    // slot is not the head, so p !== -1
    this.next[p] = n;
    if (n === -1) this.tail = p;
    else this.prev[n] = p;
    this.prev[slot] = -1;
    this.next[slot] = head;
    this.prev[head] = slot;
    this.head = slot;
  }

  /** Removes and returns the oldest slot, or -1. */
  popTail(): number {
    const slot = this.tail;
    if (slot !== -1) this.remove(slot);
    return slot;
  }

  clear(): void {
    this.head = -1;
    this.tail = -1;
    this.size = 0;
  }
}

/** A pair of link arrays for `slots` slots. */
export function createLinks(slots: number): [Int32Array, Int32Array] {
  return [new Int32Array(slots).fill(-1), new Int32Array(slots).fill(-1)];
}
