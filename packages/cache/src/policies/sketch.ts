/**
 * A count-min sketch of 4-bit counters (depth 4) with a doorkeeper bloom filter and periodic aging:
 * TinyLFU's compact popularity estimate of every key seen recently, resident or not.
 *
 * - Blocked layout (as in Caffeine): a key's four counters share one 64-byte block, and its two
 *   doorkeeper bits share one 32-bit word, so an increment costs two cache misses, not six.
 * - The doorkeeper absorbs the first sighting of a key, so one-hit wonders never reach the counters.
 * - After `sampleSize` additions every counter is halved and the doorkeeper is cleared, so the
 *   estimate follows the workload instead of remembering forever.
 */
export class FrequencySketch {
  /** 16 words (128 counters) per block; each of the 4 rows owns 4 words of a block. */
  readonly #table: Uint32Array;
  readonly #blockMask: number;
  readonly #door: Int32Array;
  readonly #doorMask: number;
  readonly sampleSize: number;
  #additions = 0;

  constructor(maxEntries: number) {
    // 16 counters per entry in total, like Caffeine's table of one 64-bit word per entry.
    const blocks = nextPowerOfTwo(Math.max(4, Math.ceil(maxEntries / 8)));
    this.#table = new Uint32Array(blocks * 16);
    this.#blockMask = blocks - 1;
    // 32 doorkeeper bits per entry: roomier than the usual 8, which kept OLTP and gli hit ratios
    // higher (tuned on the LIRS and ARC traces only).
    const doorWords = nextPowerOfTwo(Math.max(8, maxEntries));
    this.#door = new Int32Array(doorWords);
    this.#doorMask = doorWords - 1;
    // Aging every 15 × maxEntries additions (Caffeine: 10 ×), tuned on the LIRS and ARC traces.
    this.sampleSize = Math.max(15 * maxEntries, 64);
  }

  /** Records one sighting of the key with (well-mixed) hash `h`; true when this aged the sketch. */
  increment(h: number): boolean {
    const d = Math.imul(h, 0x2c1b3c6d);
    const w = (d >>> 10) & this.#doorMask;
    const bits = (1 << (d & 31)) | (1 << ((d >>> 5) & 31));
    const door = this.#door;
    const word = door[w]!;
    if ((word & bits) !== bits) {
      door[w] = word | bits;
    } else {
      const table = this.#table;
      const base = (h & this.#blockMask) << 4;
      const c = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
      let added = false;
      for (let row = 0; row < 4; row += 1) {
        const i = (c >>> (row * 5 + 7)) & 31;
        const at = base + (row << 2) + (i >>> 3);
        const shift = (i & 7) << 2;
        const v = table[at]!;
        if (((v >>> shift) & 15) !== 15) {
          table[at] = v + (1 << shift);
          added = true;
        }
      }
      if (!added) return false;
    }
    return this.tick();
  }

  /**
   * Counts one sighting recorded elsewhere (a resident entry's own counter) towards the aging period;
   * true when this aged the sketch.
   */
  tick(): boolean {
    if ((this.#additions += 1) < this.sampleSize) return false;
    this.#age();
    return true;
  }

  /** Raises the key's estimate to at least `target` (used when a resident's own count returns to the sketch). */
  raise(h: number, target: number): void {
    if (target <= 0) return;
    const d = Math.imul(h, 0x2c1b3c6d);
    const w = (d >>> 10) & this.#doorMask;
    this.#door[w] = this.#door[w]! | (1 << (d & 31)) | (1 << ((d >>> 5) & 31));
    const want = Math.min(15, target - 1);
    if (want === 0) return;
    const table = this.#table;
    const base = (h & this.#blockMask) << 4;
    const c = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
    for (let row = 0; row < 4; row += 1) {
      const i = (c >>> (row * 5 + 7)) & 31;
      const at = base + (row << 2) + (i >>> 3);
      const shift = (i & 7) << 2;
      const v = table[at]!;
      const current = (v >>> shift) & 15;
      if (current < want) table[at] = v + ((want - current) << shift);
    }
  }

  /** Estimated recent sightings of the key with hash `h` (0–16). */
  frequency(h: number): number {
    const table = this.#table;
    const base = (h & this.#blockMask) << 4;
    const c = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
    let min = 15;
    for (let row = 0; row < 4; row += 1) {
      const i = (c >>> (row * 5 + 7)) & 31;
      const v = (table[base + (row << 2) + (i >>> 3)]! >>> ((i & 7) << 2)) & 15;
      if (v < min) min = v;
    }
    const d = Math.imul(h, 0x2c1b3c6d);
    const bits = (1 << (d & 31)) | (1 << ((d >>> 5) & 31));
    return (this.#door[(d >>> 10) & this.#doorMask]! & bits) === bits ? min + 1 : min;
  }

  #age(): void {
    const table = this.#table;
    for (let i = 0; i < table.length; i += 1) table[i] = (table[i]! >>> 1) & 0x77777777;
    this.#door.fill(0);
    this.#additions = this.#additions >>> 1;
  }
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
