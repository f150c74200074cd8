/**
 * An intrusive doubly linked list of slot indices over a shared links array, so several lists
 * (window, probation, protected) share one typed array and a node costs no object. A slot's next and
 * prev sit side by side (`links[2s]`, `links[2s + 1]`), so relinking a node touches one cache line.
 * `head` is the newest end, `tail` the oldest; -1 means none.
 */
export class SlotList {
  head = -1;
  tail = -1;
  size = 0;
  readonly #links: Int32Array;

  constructor(links: Int32Array) {
    this.#links = links;
  }

  /** The slot on the tail (older) side of `slot`, or -1. */
  nextOf(slot: number): number {
    return this.#links[slot << 1]!;
  }

  /** The slot on the head (newer) side of `slot`, or -1. */
  prevOf(slot: number): number {
    return this.#links[(slot << 1) + 1]!;
  }

  pushHead(slot: number): void {
    const links = this.#links;
    const head = this.head;
    links[slot << 1] = head;
    links[(slot << 1) + 1] = -1;
    if (head === -1) this.tail = slot;
    else links[(head << 1) + 1] = slot;
    this.head = slot;
    this.size += 1;
  }

  remove(slot: number): void {
    const links = this.#links;
    const n = links[slot << 1]!;
    const p = links[(slot << 1) + 1]!;
    if (p === -1) this.head = n;
    else links[p << 1] = n;
    if (n === -1) this.tail = p;
    else links[(n << 1) + 1] = p;
    this.size -= 1;
  }

  moveToHead(slot: number): void {
    const head = this.head;
    if (slot === head) return;
    const links = this.#links;
    const n = links[slot << 1]!;
    const p = links[(slot << 1) + 1]!;
    // slot is not the head, so p !== -1
    links[p << 1] = n;
    if (n === -1) this.tail = p;
    else links[(n << 1) + 1] = p;
    links[slot << 1] = head;
    links[(slot << 1) + 1] = -1;
    links[(head << 1) + 1] = slot;
    this.head = slot;
  }

  /** Links `slot` on the head side of `anchor`; anchor -1 appends at the tail. */
  insertBefore(slot: number, anchor: number): void {
    const links = this.#links;
    if (anchor === -1) {
      const tail = this.tail;
      links[slot << 1] = -1;
      links[(slot << 1) + 1] = tail;
      if (tail === -1) this.head = slot;
      else links[tail << 1] = slot;
      this.tail = slot;
    } else {
      const p = links[(anchor << 1) + 1]!;
      links[slot << 1] = anchor;
      links[(slot << 1) + 1] = p;
      links[(anchor << 1) + 1] = slot;
      if (p === -1) this.head = slot;
      else links[p << 1] = slot;
    }
    this.size += 1;
  }

  /** Removes and returns the oldest slot, or -1. */
  popTail(): number {
    const slot = this.tail;
    if (slot !== -1) this.remove(slot);
    return slot;
  }

  /**
   * Appends up to `n - out.length` slots to `out`: from the head (newest) when `fromHead`, else from
   * the tail (oldest); `keep` may skip slots.
   */
  collect(out: number[], n: number, fromHead: boolean, keep?: (slot: number) => boolean): void {
    const links = this.#links;
    let slot = fromHead ? this.head : this.tail;
    const step = fromHead ? 0 : 1;
    while (slot !== -1 && out.length < n) {
      if (keep === undefined || keep(slot)) out.push(slot);
      slot = links[(slot << 1) + step]!;
    }
  }

  clear(): void {
    this.head = -1;
    this.tail = -1;
    this.size = 0;
  }
}

/** The links array for `slots` slots (next and prev interleaved). */
export function createLinks(slots: number): Int32Array {
  return new Int32Array(slots * 2).fill(-1);
}
