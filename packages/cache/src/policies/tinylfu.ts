import { createLinks, SlotList } from '../internal/list.js';
import type { Policy } from './policy.js';
import { Admission, GHOST_OF_MAIN, GHOST_OF_WINDOW, WindowGhosts } from './ghosts.js';
import { FrequencySketch } from './sketch.js';
import { WindowSizing } from './window-sizing.js';

const WINDOW = 0;
const PROBATION = 1;
const PROTECTED = 2;
const HIT = 0x80;
const HIT_BATCH = 64;

/** Window change per ghost hit, as a share of `maxEntries` (tuned on the LIRS and ARC traces). */
const GHOST_STEP = 0.001;

/**
 * Adaptive W-TinyLFU, after Caffeine: new entries land in an LRU window; an entry leaving the window
 * must beat the main space's victim on estimated frequency (count-min sketch with a doorkeeper) to
 * get in; the main space is a segmented LRU (probation, protected).
 *
 * The window size adapts from two ghost tables (hashes only, as in ARC) instead of Caffeine's hill
 * climber: one remembers keys the admission filter turned away, the other keys the main space
 * evicted. A miss on a key turned away within the last `horizon` misses would have hit in a window
 * that much larger, so the window grows; a miss on a key main evicted within its last `horizon`
 * evictions would have hit in a main space that much larger, so the window shrinks. Each ghost hit
 * is a measured marginal hit, so the window follows the workload within a few hundred misses (the
 * climber needed 10 × maxEntries requests per step), and can grow to all but one entry of the cache
 * on recency-biased traces, where W-TinyLFU then behaves like LRU.
 */
export class TinyLfuPolicy implements Policy {
  readonly needsHash = true;
  readonly #sketch: FrequencySketch;
  readonly #hash: Int32Array;
  /**
   * A resident's own frequency estimate: the sketch's at insert plus its hits, aged with the sketch.
   * Hits bump this byte instead of the sketch (no hashing, no cache miss); the count returns to the
   * sketch when the entry leaves, so admission sees the same history as with sketch-only counting.
   * Bit 7 (HIT) marks entries hit since insert: only those have anything to return.
   */
  readonly #freq: Uint8Array;
  readonly #queue: Uint8Array;
  readonly #window: SlotList;
  readonly #probation: SlotList;
  readonly #protected: SlotList;
  readonly #max: number;
  /** The window and protected limits (Caffeine's: the window starts at 1 %, 80 % of main is protected). */
  readonly #sizing: WindowSizing;
  readonly #step: number;
  readonly #admission = new Admission();
  #countdown = HIT_BATCH;
  readonly #ghosts: WindowGhosts;

  constructor(slots: number, maxEntries: number) {
    const links = createLinks(slots);
    this.#window = new SlotList(links);
    this.#probation = new SlotList(links);
    this.#protected = new SlotList(links);
    this.#hash = new Int32Array(slots);
    this.#freq = new Uint8Array(slots);
    this.#queue = new Uint8Array(slots);
    this.#sketch = new FrequencySketch(maxEntries);
    this.#max = maxEntries;
    this.#sizing = new WindowSizing(maxEntries);
    this.#step = GHOST_STEP * maxEntries;
    this.#ghosts = new WindowGhosts(maxEntries);
  }

  /** Current window size limit (for tests and tools). */
  get windowMax(): number {
    return this.#sizing.windowMax;
  }

  /** Current protected segment size limit (for tests and tools). */
  get protectedMax(): number {
    return this.#sizing.protectedMax;
  }

  /** Entries in the window, probation and protected segments (for tests and tools). */
  get sizes(): { window: number; probation: number; protected: number } {
    return { window: this.#window.size, probation: this.#probation.size, protected: this.#protected.size };
  }

  /** Ghost table memory in bytes (for tests and tools). */
  get ghostBytes(): number {
    return this.#ghosts.byteLength;
  }

  insert(slot: number, hash: number): void {
    this.#hash[slot] = hash;
    const ghost = this.#ghosts.consult(hash);
    if (ghost !== 0) {
      // A moved window limit moves the protected limit with it; protected entries over it are demoted at
      // once. The window itself follows at the pace of evictions: a grown window fills with newcomers as
      // main's victims leave, a shrunk one hands one entry to probation per eviction (see #pickVictim).
      // Moving a shrunk window's surplus at once was measured worse on the ARC traces: a burst of
      // main-ghost hits would dump recent entries into probation before the window-ghost evidence could answer.
      if ((ghost & GHOST_OF_WINDOW) !== 0 && this.#sizing.resize(this.#step)) this.#demote();
      if ((ghost & GHOST_OF_MAIN) !== 0 && this.#sizing.resize(-this.#step)) this.#demote();
    }
    let f = this.#sketch.increment(hash);
    if (f === -1) {
      this.#ageResidents();
      f = this.#sketch.frequency(hash);
    }
    this.#freq[slot] = f > 15 ? 15 : f;
    this.#queue[slot] = WINDOW;
    this.#window.pushHead(slot);
    // While the main space has room, the window's oldest moves on to probation without a contest.
    const windowMax = this.#sizing.windowMax;
    if (this.#window.size > windowMax && this.#probation.size + this.#protected.size < this.#max - windowMax) {
      const moved = this.#window.popTail();
      this.#queue[moved] = PROBATION;
      this.#probation.pushHead(moved);
    }
  }

  hit(slot: number): void {
    const f = this.#freq[slot]!;
    this.#freq[slot] = (f & 15) === 15 ? f | HIT : (f + 1) | HIT;
    // Hits are counted towards aging in batches, keeping the hit path to one decrement and one branch.
    if ((this.#countdown -= 1) === 0) this.#flushHits();
    const queue = this.#queue[slot];
    if (queue === WINDOW) this.#window.moveToHead(slot);
    else if (queue === PROTECTED) this.#protected.moveToHead(slot);
    else {
      this.#probation.remove(slot);
      this.#queue[slot] = PROTECTED;
      this.#protected.pushHead(slot);
      if (this.#protected.size > this.#sizing.protectedMax) this.#demote();
    }
  }

  update(slot: number): void {
    const queue = this.#queue[slot];
    if (queue === WINDOW) this.#window.moveToHead(slot);
    else if (queue === PROTECTED) this.#protected.moveToHead(slot);
    else this.#probation.moveToHead(slot);
  }

  remove(slot: number): void {
    this.#list(this.#queue[slot]!).remove(slot);
    this.#giveBack(slot);
  }

  evict(): number {
    const victim = this.#pickVictim();
    if (victim !== -1) this.#giveBack(victim);
    return victim;
  }

  #pickVictim(): number {
    const window = this.#window;
    const windowMax = this.#sizing.windowMax;
    // A window over its limit (the limit just shrank) hands its oldest entry to probation: with the
    // contest below, it then shrinks by one per eviction and never grows until back within its limit.
    if (window.size > windowMax) {
      const moved = window.popTail();
      this.#queue[moved] = PROBATION;
      this.#probation.pushHead(moved);
    }
    // Called before the newcomer enters the window: if it will overflow the window, the window's
    // oldest entry must win against main's victim to stay. A window below its limit (it just grew)
    // fills up by taking main's victims instead.
    if (window.size >= windowMax || (this.#probation.size === 0 && this.#protected.size === 0)) {
      const candidate = window.popTail();
      let victim = this.#probation.tail;
      if (victim === -1) victim = this.#protected.tail;
      if (victim === -1) return candidate;
      if (!this.#admission.admit(this.#freq[candidate]! & 15, this.#freq[victim]! & 15)) {
        this.#ghosts.buryFromWindow(this.#hash[candidate]!);
        return candidate;
      }
      this.#list(this.#queue[victim]!).remove(victim);
      this.#queue[candidate] = PROBATION;
      this.#probation.pushHead(candidate);
      this.#ghosts.buryFromMain(this.#hash[victim]!);
      return victim;
    }
    let victim = this.#probation.popTail();
    if (victim === -1) victim = this.#protected.popTail();
    this.#ghosts.buryFromMain(this.#hash[victim]!);
    return victim;
  }

  /**
   * Ranked as Caffeine's `hottest`/`coldest` do for W-TinyLFU: by frequency estimate, and within one
   * frequency by segment and recency (protected over probation over window, most recent first). One
   * walk of the three lists into 16 frequency buckets: O(size), nothing hashed.
   */
  ranked(n: number, hottest: boolean): number[] {
    const buckets: number[][] = Array.from({ length: 16 }, () => []);
    const freq = this.#freq;
    const all = this.#window.size + this.#probation.size + this.#protected.size;
    const walk: number[] = [];
    this.#protected.collect(walk, all, true);
    this.#probation.collect(walk, all, true);
    this.#window.collect(walk, all, true);
    for (const slot of walk) buckets[freq[slot]! & 15]!.push(slot);
    const out: number[] = [];
    for (let i = 0; i < 16 && out.length < n; i += 1) {
      const bucket = buckets[hottest ? 15 - i : i]!;
      if (!hottest) bucket.reverse();
      for (const slot of bucket) {
        if (out.length === n) break;
        out.push(slot);
      }
    }
    return out;
  }

  clear(): void {
    this.#window.clear();
    this.#probation.clear();
    this.#protected.clear();
  }

  #list(queue: number): SlotList {
    return queue === WINDOW ? this.#window : queue === PROBATION ? this.#probation : this.#protected;
  }


  #flushHits(): void {
    this.#countdown = HIT_BATCH;
    if (this.#sketch.tick(HIT_BATCH)) this.#ageResidents();
  }

  #ageResidents(): void {
    const freq = this.#freq;
    for (let i = 0; i < freq.length; i += 1) {
      const f = freq[i]!;
      freq[i] = ((f & 15) >>> 1) | (f & HIT);
    }
  }

  /** Returns a leaving entry's own count to the sketch, when hits raised it above what the sketch saw. */
  #giveBack(slot: number): void {
    const f = this.#freq[slot]!;
    if ((f & HIT) !== 0) this.#sketch.raise(this.#hash[slot]!, f & 15);
  }

  #demote(): void {
    while (this.#protected.size > this.#sizing.protectedMax) {
      const slot = this.#protected.popTail();
      if (slot === -1) return;
      this.#queue[slot] = PROBATION;
      this.#probation.pushHead(slot);
    }
  }
}
