/**
 * A count-min sketch of 4-bit counters (depth 4) with a doorkeeper bloom filter and periodic aging:
 * TinyLFU's compact popularity estimate of every key seen recently, resident or not.
 *
 * - Blocked layout: a key's four counters and its two doorkeeper bits share one 64-byte block
 *   (12 words of counters, 3 per row, then 4 words of doorkeeper bits), so a lookup or an increment
 *   touches one cache line.
 * - The doorkeeper absorbs the first sighting of a key, so one-hit wonders never reach the counters.
 * - After `sampleSize` sightings every counter is halved and the doorkeeper is cleared, so the
 *   estimate follows the workload instead of remembering forever.
 */
export class FrequencySketch {
  readonly #table: Uint32Array;
  readonly #blockMask: number;
  readonly sampleSize: number;
  #additions = 0;

  constructor(maxEntries: number, entriesPerBlock = BLOCK_ENTRIES) {
    const blocks = nextPowerOfTwo(Math.max(4, Math.ceil(maxEntries / entriesPerBlock)));
    this.#table = new Uint32Array(blocks * 16);
    this.#blockMask = blocks - 1;
    this.sampleSize = Math.max(SAMPLE_FACTOR * maxEntries, 64);
  }

  /**
   * Records one sighting of the key with (well-mixed) hash `h` and returns its new estimate (as
   * `frequency` would), or -1 when this sighting aged the sketch (call `frequency` then).
   */
  increment(h: number): number {
    const table = this.#table;
    const base = (h & this.#blockMask) << 4;
    const d = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    const b1 = d & 127;
    const b2 = (d >>> 7) & 127;
    const w1 = base + 12 + (b1 >>> 5);
    const w2 = base + 12 + (b2 >>> 5);
    const m1 = 1 << (b1 & 31);
    const m2 = 1 << (b2 & 31);
    let estimate: number;
    if ((table[w1]! & m1) === 0 || (table[w2]! & m2) === 0) {
      table[w1] = table[w1]! | m1;
      table[w2] = table[w2]! | m2;
      // First sighting since the last aging (or a doorkeeper false positive cleared): counters untouched.
      estimate = 1 + this.#min(table, base, h);
    } else {
      const c = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
      let added = false;
      let min = 15;
      for (let row = 0; row < 4; row += 1) {
        const i = (((c >>> (row << 3)) & 255) * 24) >>> 8;
        const at = base + row * 3 + (i >>> 3);
        const shift = (i & 7) << 2;
        const v = table[at]!;
        let count = (v >>> shift) & 15;
        if (count !== 15) {
          table[at] = v + (1 << shift);
          added = true;
          count += 1;
        }
        if (count < min) min = count;
      }
      estimate = min + 1;
      if (!added) return estimate;
    }
    return this.tick() ? -1 : estimate;
  }

  #min(table: Uint32Array, base: number, h: number): number {
    const c = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
    let min = 15;
    for (let row = 0; row < 4; row += 1) {
      const i = (((c >>> (row << 3)) & 255) * 24) >>> 8;
      const v = (table[base + row * 3 + (i >>> 3)]! >>> ((i & 7) << 2)) & 15;
      if (v < min) min = v;
    }
    return min;
  }

  /**
   * Counts sightings recorded elsewhere (resident entries' own counters) towards the aging period;
   * true when this aged the sketch.
   */
  tick(sightings = 1): boolean {
    if ((this.#additions += sightings) < this.sampleSize) return false;
    this.#age();
    return true;
  }

  /** Estimated recent sightings of the key with hash `h` (0–16). */
  frequency(h: number): number {
    const table = this.#table;
    const base = (h & this.#blockMask) << 4;
    const min = this.#min(table, base, h);
    const d = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    const b1 = d & 127;
    const b2 = (d >>> 7) & 127;
    const inDoor = (table[base + 12 + (b1 >>> 5)]! & (1 << (b1 & 31))) !== 0 && (table[base + 12 + (b2 >>> 5)]! & (1 << (b2 & 31))) !== 0;
    return inDoor ? min + 1 : min;
  }

  /** Raises the key's estimate to at least `target` (a resident's own count returning to the sketch). */
  raise(h: number, target: number): void {
    if (target <= 0) return;
    const table = this.#table;
    const base = (h & this.#blockMask) << 4;
    const d = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    const b1 = d & 127;
    const b2 = (d >>> 7) & 127;
    table[base + 12 + (b1 >>> 5)] = table[base + 12 + (b1 >>> 5)]! | (1 << (b1 & 31));
    table[base + 12 + (b2 >>> 5)] = table[base + 12 + (b2 >>> 5)]! | (1 << (b2 & 31));
    const want = Math.min(15, target - 1);
    if (want === 0) return;
    const c = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
    for (let row = 0; row < 4; row += 1) {
      const i = (((c >>> (row << 3)) & 255) * 24) >>> 8;
      const at = base + row * 3 + (i >>> 3);
      const shift = (i & 7) << 2;
      const v = table[at]!;
      const current = (v >>> shift) & 15;
      if (current < want) table[at] = v + ((want - current) << shift);
    }
  }

  #age(): void {
    const table = this.#table;
    for (let i = 0; i < table.length; i += 16) {
      for (let j = i; j < i + 12; j += 1) table[j] = (table[j]! >>> 1) & 0x77777777;
      table[i + 12] = 0;
      table[i + 13] = 0;
      table[i + 14] = 0;
      table[i + 15] = 0;
    }
    this.#additions = this.#additions >>> 1;
  }
}

/** Entries per 64-byte block: 16 bytes of sketch per entry (tuned on the LIRS and ARC traces). */
const BLOCK_ENTRIES = 4;
/** Aging period in sightings per entry (Caffeine: 10; tuned on the LIRS and ARC traces). */
const SAMPLE_FACTOR = 15;

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
