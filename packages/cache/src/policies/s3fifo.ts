import { createLinks, SlotList } from '../internal/list.js';
import type { Policy } from './policy.js';

/**
 * S3-FIFO (Yang et al., SOSP '23): a small FIFO (10 %) filters one-hit wonders, a main FIFO with
 * 2-bit frequencies and reinsertion holds the rest, and a ghost FIFO of recently evicted key hashes
 * sends returning keys straight to main.
 */
export class S3FifoPolicy implements Policy {
  readonly needsHash = true;
  readonly #small: SlotList;
  readonly #main: SlotList;
  readonly #freq: Uint8Array;
  readonly #inMain: Uint8Array;
  readonly #hash: Int32Array;
  readonly #smallMax: number;
  // Ghost: a ring of hashes plus a count per hash (a hash may be in the ring more than once).
  readonly #ghostRing: Int32Array;
  readonly #ghostCount = new Map<number, number>();
  #ghostNext = 0;
  #ghostSize = 0;

  constructor(slots: number, maxEntries: number) {
    const links = createLinks(slots);
    this.#small = new SlotList(links);
    this.#main = new SlotList(links);
    this.#freq = new Uint8Array(slots);
    this.#inMain = new Uint8Array(slots);
    this.#hash = new Int32Array(slots);
    this.#smallMax = Math.max(1, Math.round(maxEntries * 0.1));
    this.#ghostRing = new Int32Array(Math.max(1, maxEntries - this.#smallMax));
  }

  insert(slot: number, hash: number): void {
    this.#hash[slot] = hash;
    this.#freq[slot] = 0;
    if (this.#ghostCount.has(hash | 0)) {
      this.#inMain[slot] = 1;
      this.#main.pushHead(slot);
    } else {
      this.#inMain[slot] = 0;
      this.#small.pushHead(slot);
    }
  }

  hit(slot: number): void {
    const f = this.#freq[slot]!;
    if (f < 3) this.#freq[slot] = f + 1;
  }

  update(slot: number): void {
    this.hit(slot);
  }

  remove(slot: number): void {
    if (this.#inMain[slot] === 1) this.#main.remove(slot);
    else this.#small.remove(slot);
  }

  evict(): number {
    const small = this.#small;
    const main = this.#main;
    const freq = this.#freq;
    if (small.size >= this.#smallMax || main.size === 0) {
      for (;;) {
        const slot = small.popTail();
        if (slot === -1) break;
        if (freq[slot]! > 0) {
          freq[slot] = 0;
          this.#inMain[slot] = 1;
          main.pushHead(slot);
        } else {
          this.#addGhost(this.#hash[slot]!);
          return slot;
        }
      }
    }
    for (;;) {
      const slot = main.popTail();
      if (slot === -1) return -1;
      const f = freq[slot]!;
      if (f > 0) {
        freq[slot] = f - 1;
        main.pushHead(slot);
      } else return slot;
    }
  }

  /**
   * Coldest: the small queue's unreferenced entries oldest first (the next victims), then the main
   * queue's by ascending frequency, oldest first within one; then small's referenced ones (they move to
   * main first). Hottest: the reverse.
   */
  ranked(n: number, hottest: boolean): number[] {
    const freq = this.#freq;
    const order: number[] = [];
    const all = this.#small.size + this.#main.size;
    this.#small.collect(order, all, false, (s) => freq[s] === 0);
    for (let f = 0; f <= 3; f += 1) this.#main.collect(order, all, false, (s) => freq[s] === f);
    this.#small.collect(order, all, false, (s) => freq[s]! > 0);
    if (hottest) order.reverse();
    return order.length > n ? order.slice(0, n) : order;
  }

  clear(): void {
    this.#small.clear();
    this.#main.clear();
  }

  #addGhost(hash: number): void {
    const ring = this.#ghostRing;
    const counts = this.#ghostCount;
    if (this.#ghostSize === ring.length) {
      const old = ring[this.#ghostNext]!;
      const c = counts.get(old)!;
      if (c <= 1) counts.delete(old);
      else counts.set(old, c - 1);
    } else this.#ghostSize += 1;
    ring[this.#ghostNext] = hash;
    counts.set(hash, (counts.get(hash) ?? 0) + 1);
    this.#ghostNext = (this.#ghostNext + 1) % ring.length;
  }
}
