import { nextPowerOfTwo } from './sketch.js';

/**
 * How far back (in each ghost's own clock) a ghost hit counts, as a share of `maxEntries`: the window
 * moves by comparing the hits a window larger by this much would have had with those a main space
 * larger by this much would have had. Tuned on the LIRS and ARC traces.
 */
const GHOST_HORIZON = 0.1;
/** Ghost table slots per horizon entry (rounded up to a power of two): sparse enough that few live ghosts collide. */
const GHOST_SLOTS_PER_ENTRY = 2;
// A ghost table entry is [stamp: 20 bits][fingerprint: 12 bits, lowest set]; 0 is empty.
const STAMP_BITS = 20;
const STAMP_MASK = (1 << STAMP_BITS) - 1;
const ADMIT_HASHDOS_THRESHOLD = 6;

/** What {@link WindowGhosts.consult} found: a recent ghost of the window (grow it) and/or of main (shrink it). */
export const GHOST_OF_WINDOW = 1;
export const GHOST_OF_MAIN = 2;

/**
 * The two ghost tables that steer an adaptive W-TinyLFU window (`'tinylfu'` and `'clock-tinylfu'`): keys
 * the window turned away and keys main evicted, each stamped with its table's clock. A miss on a key
 * still in a ghost within the horizon says a larger window (or a larger main) would have hit.
 *
 * Each table is one direct-mapped Int32 per slot holding the stamp and a fingerprint; a collision
 * overwrites the older ghost, and both tables lose alike, so the comparison between them stays fair.
 * The two tables are interleaved in one array (a hash's window ghost at 2i, its main ghost at 2i + 1),
 * so the consultation on every miss reads one cache line, not two.
 */
export class WindowGhosts {
  readonly #table: Int32Array;
  readonly #mask: number;
  readonly #horizon: number;
  /** Stamps count in units of 2^stampShift, so a horizon always fits the 20-bit stamp. */
  readonly #stampShift: number;
  /** The window ghost's clock: misses (each one pushes the window's LRU order down by one). */
  #windowClock = 0;
  /** The main ghost's clock: evictions from the main space. */
  #mainClock = 0;

  constructor(maxEntries: number) {
    this.#horizon = Math.max(1, Math.round(GHOST_HORIZON * maxEntries));
    const slots = nextPowerOfTwo(Math.max(16, GHOST_SLOTS_PER_ENTRY * this.#horizon));
    this.#table = new Int32Array(2 * slots);
    this.#mask = slots - 1;
    let shift = 0;
    while (this.#horizon >>> shift >= 1 << (STAMP_BITS - 2)) shift += 1;
    this.#stampShift = shift;
  }

  /** Memory of both tables in bytes. */
  get byteLength(): number {
    return this.#table.byteLength;
  }

  /**
   * On a miss (an insert): advances the window clock, then spends any ghost of `hash`; returns
   * {@link GHOST_OF_WINDOW} and/or {@link GHOST_OF_MAIN} for ghosts within the horizon (0 for none).
   */
  consult(hash: number): number {
    this.#windowClock += 1;
    const table = this.#table;
    const at = (hash & this.#mask) << 1;
    const fingerprint = (hash >>> 20) | 1;
    const shift = this.#stampShift;
    let found = 0;
    let e = table[at]!;
    if ((e & 0xfff) === fingerprint) {
      table[at] = 0;
      if (((((this.#windowClock >>> shift) - (e >>> 12)) & STAMP_MASK) << shift) < this.#horizon) found = GHOST_OF_WINDOW;
    }
    e = table[at + 1]!;
    if ((e & 0xfff) === fingerprint) {
      table[at + 1] = 0;
      if (((((this.#mainClock >>> shift) - (e >>> 12)) & STAMP_MASK) << shift) < this.#horizon) found |= GHOST_OF_MAIN;
    }
    return found;
  }

  /** A candidate the window turned away (stamped with the window clock). */
  buryFromWindow(hash: number): void {
    this.#table[(hash & this.#mask) << 1] = (((this.#windowClock >>> this.#stampShift) & STAMP_MASK) << 12) | (hash >>> 20) | 1;
  }

  /** An entry evicted from main (advances the main clock). */
  buryFromMain(hash: number): void {
    this.#mainClock += 1;
    this.#table[((hash & this.#mask) << 1) + 1] = (((this.#mainClock >>> this.#stampShift) & STAMP_MASK) << 12) | (hash >>> 20) | 1;
  }
}

/**
 * TinyLFU's admission: a candidate leaving the window gets in when its estimated frequency beats the
 * victim's; at a tie among frequent keys, a little randomness keeps an attacker (or a pathological
 * trace) from pinning the victim.
 */
export class Admission {
  #random = 0x2545f491;

  admit(candidateFreq: number, victimFreq: number): boolean {
    if (candidateFreq > victimFreq) return true;
    if (candidateFreq >= ADMIT_HASHDOS_THRESHOLD) {
      let x = this.#random;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.#random = x;
      return (x & 127) === 0;
    }
    return false;
  }
}
