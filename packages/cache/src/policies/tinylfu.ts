import { createLinks, SlotList } from '../internal/list.js';
import type { Policy } from './create.js';
import { FrequencySketch } from './sketch.js';

const WINDOW = 0;
const PROBATION = 1;
const PROTECTED = 2;
const HIT = 0x80;
const HIT_BATCH = 64;

// Caffeine's constants (BoundedLocalCache).
const PERCENT_MAIN = 0.99;
const PERCENT_MAIN_PROTECTED = 0.8;
const HILL_CLIMBER_RESTART_THRESHOLD = 0.05;
const HILL_CLIMBER_STEP_PERCENT = 0.0625;
const HILL_CLIMBER_STEP_DECAY_RATE = 0.98;
const ADMIT_HASHDOS_THRESHOLD = 6;
const QUEUE_TRANSFER_THRESHOLD = 1000;

/**
 * Adaptive W-TinyLFU, after Caffeine: new entries land in a small LRU window; an entry leaving the
 * window must beat the main space's victim on estimated frequency (count-min sketch with a
 * doorkeeper) to get in; the main space is a segmented LRU (probation, protected). A hill climber
 * resizes the window from the hit rate of each sample period, so recency-biased workloads get a
 * large window and frequency-biased ones a small one.
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
  #windowMax: number;
  #protectedMax: number;
  #hitsInSample = 0;
  #missesInSample = 0;
  #previousHitRate = 0;
  #stepSize: number;
  #random = 0x2545f491;
  #countdown = HIT_BATCH;
  /** Requests per hill-climber sample (Caffeine: 10 × maximum). */
  readonly #climbEvery: number;

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
    this.#windowMax = Math.max(1, maxEntries - Math.floor(PERCENT_MAIN * maxEntries));
    this.#protectedMax = Math.floor(PERCENT_MAIN_PROTECTED * (maxEntries - this.#windowMax));
    this.#stepSize = -HILL_CLIMBER_STEP_PERCENT * maxEntries;
    this.#climbEvery = 10 * maxEntries;
  }

  /** Current window size limit (for tests and tools). */
  get windowMax(): number {
    return this.#windowMax;
  }

  insert(slot: number, hash: number): void {
    this.#hash[slot] = hash;
    let f = this.#sketch.increment(hash);
    if (f === -1) {
      this.#ageResidents();
      f = this.#sketch.frequency(hash);
    }
    this.#freq[slot] = f > 15 ? 15 : f;
    this.#queue[slot] = WINDOW;
    this.#window.pushHead(slot);
    this.#missesInSample += 1;
    // While the main space has room, the window's oldest moves on to probation without a contest.
    if (this.#window.size > this.#windowMax && this.#probation.size + this.#protected.size < this.#max - this.#windowMax) {
      const moved = this.#window.popTail();
      this.#queue[moved] = PROBATION;
      this.#probation.pushHead(moved);
    }
    if (this.#hitsInSample + this.#missesInSample >= this.#climbEvery) this.#climb();
  }

  hit(slot: number): void {
    const f = this.#freq[slot]!;
    this.#freq[slot] = (f & 15) === 15 ? f | HIT : (f + 1) | HIT;
    // Hits are counted in batches (towards aging and the climber's sample), keeping the hit path to
    // one decrement and one branch.
    if ((this.#countdown -= 1) === 0) this.#flushHits();
    const queue = this.#queue[slot];
    if (queue === WINDOW) this.#window.moveToHead(slot);
    else if (queue === PROTECTED) this.#protected.moveToHead(slot);
    else {
      this.#probation.remove(slot);
      this.#queue[slot] = PROTECTED;
      this.#protected.pushHead(slot);
      if (this.#protected.size > this.#protectedMax) this.#demote();
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
    // Called before the newcomer enters the window: if it will overflow the window, the window's
    // oldest entry must win against main's victim to stay.
    if (window.size >= this.#windowMax || (this.#probation.size === 0 && this.#protected.size === 0)) {
      const candidate = window.popTail();
      let victim = this.#probation.tail;
      if (victim === -1) victim = this.#protected.tail;
      if (victim === -1) return candidate;
      if (!this.#admit(this.#freq[candidate]! & 15, this.#freq[victim]! & 15)) return candidate;
      this.#list(this.#queue[victim]!).remove(victim);
      this.#queue[candidate] = PROBATION;
      this.#probation.pushHead(candidate);
      return victim;
    }
    let victim = this.#probation.popTail();
    if (victim === -1) victim = this.#protected.popTail();
    return victim;
  }

  clear(): void {
    this.#window.clear();
    this.#probation.clear();
    this.#protected.clear();
  }

  #list(queue: number): SlotList {
    return queue === WINDOW ? this.#window : queue === PROBATION ? this.#probation : this.#protected;
  }

  #admit(candidateFreq: number, victimFreq: number): boolean {
    if (candidateFreq > victimFreq) return true;
    if (candidateFreq >= ADMIT_HASHDOS_THRESHOLD) {
      // A little randomness keeps an attacker (or a pathological trace) from pinning the victim.
      let x = this.#random;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.#random = x;
      return (x & 127) === 0;
    }
    return false;
  }

  #flushHits(): void {
    this.#countdown = HIT_BATCH;
    this.#hitsInSample += HIT_BATCH;
    if (this.#sketch.tick(HIT_BATCH)) this.#ageResidents();
    if (this.#hitsInSample + this.#missesInSample >= this.#climbEvery) this.#climb();
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
    while (this.#protected.size > this.#protectedMax) {
      const slot = this.#protected.popTail();
      if (slot === -1) return;
      this.#queue[slot] = PROBATION;
      this.#probation.pushHead(slot);
    }
  }

  /** Caffeine's hill climber: step the window size towards a higher hit rate, with decaying steps. */
  #climb(): void {
    const requests = this.#hitsInSample + this.#missesInSample;
    const hitRate = this.#hitsInSample / requests;
    const change = hitRate - this.#previousHitRate;
    let amount = change >= 0 ? this.#stepSize : -this.#stepSize;
    // A step into a bound (window already minimal, or main already all probation) would change
    // nothing and the climber would stay stuck pushing against it: explore the other way instead.
    if ((amount < 0 && this.#windowMax <= 1) || (amount > 0 && this.#protectedMax === 0)) amount = -amount;
    this.#stepSize =
      Math.abs(change) >= HILL_CLIMBER_RESTART_THRESHOLD
        ? HILL_CLIMBER_STEP_PERCENT * this.#max * (amount >= 0 ? 1 : -1)
        : HILL_CLIMBER_STEP_DECAY_RATE * amount;
    this.#previousHitRate = hitRate;
    this.#hitsInSample = 0;
    this.#missesInSample = 0;
    const adjustment = Math.trunc(amount);
    if (adjustment > 0) this.#increaseWindow(adjustment);
    else if (adjustment < 0) this.#decreaseWindow(-adjustment);
  }

  #increaseWindow(amount: number): void {
    if (this.#protectedMax === 0) return;
    let quota = Math.min(amount, this.#protectedMax);
    this.#protectedMax -= quota;
    this.#windowMax += quota;
    this.#demote();
    for (let i = 0; i < QUEUE_TRANSFER_THRESHOLD && quota > 0; i += 1) {
      let slot = this.#probation.popTail();
      if (slot === -1) slot = this.#protected.popTail();
      if (slot === -1) break;
      quota -= 1;
      this.#queue[slot] = WINDOW;
      this.#window.pushHead(slot);
    }
    // Quota not transferred (main ran dry) goes back to main.
    this.#protectedMax += quota;
    this.#windowMax -= quota;
  }

  #decreaseWindow(amount: number): void {
    if (this.#windowMax <= 1) return;
    let quota = Math.min(amount, this.#windowMax - 1);
    this.#protectedMax += quota;
    this.#windowMax -= quota;
    for (let i = 0; i < QUEUE_TRANSFER_THRESHOLD && quota > 0; i += 1) {
      const slot = this.#window.popTail();
      if (slot === -1) break;
      quota -= 1;
      this.#queue[slot] = PROBATION;
      this.#probation.pushHead(slot);
    }
    this.#protectedMax -= quota;
    this.#windowMax += quota;
  }
}
