import { createLinks, SlotList } from '../internal/list.js';
import type { Policy } from './policy.js';
import { rankLists } from './rank.js';
import { Admission, GHOST_OF_MAIN, GHOST_OF_WINDOW, WindowGhosts } from './ghosts.js';
import { FrequencySketch } from './sketch.js';
import { WindowSizing } from './window-sizing.js';

/**
 * A slot's byte: bits 0–3 its frequency estimate, bits 4–5 its segment, REF hit since a hand last
 * passed it, HIT hit since insert (only then has its count anything to give back to the sketch).
 */
const COUNT = 0x0f;
const QUEUE = 0x30;
const WINDOW = 0x00;
const PROBATION = 0x10;
const PROTECTED = 0x20;
const REF = 0x40;
/** Matches no slot's segment bits: what a hit compares against once the read promotion budget is spent. */
const NO_SEGMENT = -1;
const HIT = 0x80;

/**
 * Window change per ghost hit, as a share of `maxEntries`: three times TinyLfuPolicy's. Tuned on the
 * LIRS and ARC traces: with CLOCK order a larger step than 'tinylfu''s roughly halves the loss to LRU
 * on sprite at 1,000; 0.004 did as well there but let the window swing from 1 to nearly all of the cache
 * on P3 at 400,000 (−0.64 pp against LRU), where 0.003 wins (+0.14 pp; −0.27 to +0.14 with the key
 * hashes reseeded twelve ways, against −0.32 to −0.64 at 0.004). Smaller steps lose sprite again.
 */
const GHOST_STEP = 0.003;

/**
 * Promotions a read may make between two writes (inserts or evictions): at least 4,096, or an eighth
 * of `maxEntries`. Past it, a probation entry's first hit only marks its byte, and the entry is promoted
 * when a write's victim search reaches it. With that many, the hit ratios of every trace trace-sim replays
 * equal promoting on every hit at every capacity but one (P3 at 200,000, +0.01 pp); a flat 4,096 moved P3
 * at 200,000 by −0.9 pp, and promoting only at the victim search lost about 1 pp on P3 at 200,000 and
 * 400,000 and on loop at 1,000.
 */
const PROMOTION_BUDGET_MIN = 4_096;
const PROMOTION_BUDGET_SHIFT = 3;

/**
 * Marked entries one victim search promotes at most; past it, the marked entry at probation's tail is
 * the victim like any other. Without the bound, the first write after a read-only phase that marked
 * most of probation promoted all of it at once: 11.6 ms for that one `set` at 100k entries after
 * every key was read (0.8 ms with the bound, as before the budget). Hit ratios on every trace: the same
 * with 16 or 64.
 */
const LATE_PROMOTIONS_PER_SEARCH = 64;

/**
 * W-TinyLFU whose hit is one byte store (plus, on an entry's first hit in probation, its promotion): the default policy.
 *
 * The same design as 'tinylfu' (window → TinyLFU admission → probation / protected main space, the
 * window sized by two ghost tables), with the window and the protected segment kept in CLOCK order
 * instead of LRU order. A hit sets a reference bit and raises the entry's own frequency count, both
 * in the one byte per slot that also holds its segment; the reordering LRU does on every read happens
 * on the write path, when an entry must leave: the window's oldest entry, if referenced, goes back to
 * the window's head (second chance), and protected's oldest, if referenced, goes back to its head
 * instead of being demoted. Each step of that search clears one bit, so an eviction costs O(1)
 * amortised. A hit on a probation entry still promotes it to protected at once, as W-TinyLFU does:
 * that happens once per admitted entry, not per read, and promoting lazily (when the entry reaches
 * probation's tail, the entry marked promoted in its byte meanwhile) kept the mean share of the
 * optimum on the LIRS and ARC traces but lost about 1 pp on P3 at 400,000 (−0.95 against LRU), so it
 * was dropped. The protected entry that a promotion pushes out goes to probation without the second
 * chance (see #demoteOldest), so a read never runs a hand. That demotion stays in the read: moving it
 * to the write path (protected over its limit until the next victim search) made a Zipf get-hit
 * 12–16 % faster but lost 7.5 pp on the LIRS loop trace at 750 and 0.45 pp of the mean share of the
 * optimum (LIRS and ARC traces, six key-hash seeds), with or without a second chance at the write.
 * What a promotion costs a read is the cold byte of the entry it demotes, not the relinks: ring
 * buffers with lazy removal for probation and protected (same decisions) read no faster.
 *
 * A read-only phase does not pay for promotions: a read promotes at most a budget of entries (see
 * PROMOTION_BUDGET_MIN) until the next write; past it, a probation hit only marks the entry's byte and
 * the entry is promoted when the victim search reaches it (probation's tail, REF set), before anything
 * is evicted (up to LATE_PROMOTIONS_PER_SEARCH per write). While nothing is written nothing is evicted, so the order a promotion sets matters only
 * from the next write on; the work moves there. With writes between reads, as in every trace replayed,
 * the budget is almost never spent and the policy promotes on the hit as before.
 */
export class ClockTinyLfuPolicy implements Policy {
  readonly needsHash = true;
  readonly #sketch: FrequencySketch;
  readonly #hash: Int32Array;
  readonly #freq: Uint8Array;
  readonly #window: SlotList;
  readonly #probation: SlotList;
  readonly #protected: SlotList;
  readonly #max: number;
  readonly #sizing: WindowSizing;
  readonly #step: number;
  readonly #admission = new Admission();
  /** Reference bits consumed by the hands since the sketch last heard of them (hits, for its aging period). */
  #seen = 0;
  /** Promotions a read may still make before the next write (see PROMOTION_BUDGET_MIN). */
  #budget = 0;
  readonly #budgetPerWrite: number;
  /** The segment whose hit promotes: PROBATION while #budget lasts, NO_SEGMENT once it is spent. */
  #promoting = PROBATION;
  /** Marked probation entries this write's victim search has promoted (see LATE_PROMOTIONS_PER_SEARCH). */
  #latePromotions = 0;
  readonly #ghosts: WindowGhosts;

  /**
   * `promotionBudget` overrides the promotions a read may make between writes; `fixedWindow`, a share of
   * `maxEntries` (0 … 1), fixes the window there and turns its adaptation off (both for tests and tools).
   */
  constructor(
    slots: number,
    maxEntries: number,
    promotionBudget = Math.max(PROMOTION_BUDGET_MIN, maxEntries >>> PROMOTION_BUDGET_SHIFT),
    fixedWindow?: number,
  ) {
    const links = createLinks(slots);
    this.#window = new SlotList(links);
    this.#probation = new SlotList(links);
    this.#protected = new SlotList(links);
    this.#hash = new Int32Array(slots);
    this.#freq = new Uint8Array(slots);
    this.#sketch = new FrequencySketch(maxEntries);
    this.#max = maxEntries;
    this.#sizing = new WindowSizing(maxEntries);
    this.#ghosts = new WindowGhosts(maxEntries);
    this.#budgetPerWrite = promotionBudget;
    this.#refillBudget();
    if (fixedWindow === undefined) this.#step = GHOST_STEP * maxEntries;
    else {
      this.#step = 0;
      this.resizeWindow(fixedWindow);
    }
  }

  /**
   * Sets the window limit to `share` of `maxEntries` (within 1 … maxEntries − 1), protected's limit with it
   * (for tools that steer the window themselves, with `fixedWindow` set; ghost hits still move an adaptive one).
   */
  resizeWindow(share: number): void {
    if (this.#sizing.resizeTo(share * this.#max)) this.#demote();
  }

  /** Current window size limit (for tests and tools). */
  get windowMax(): number {
    return this.#sizing.windowMax;
  }

  /** Entries in the window, probation and protected segments (for tests and tools). */
  get sizes(): { window: number; probation: number; protected: number } {
    return { window: this.#window.size, probation: this.#probation.size, protected: this.#protected.size };
  }

  insert(slot: number, hash: number): void {
    this.#refillBudget();
    this.#hash[slot] = hash;
    const ghost = this.#ghosts.consult(hash);
    if (ghost !== 0) {
      if ((ghost & GHOST_OF_WINDOW) !== 0 && this.#sizing.resize(this.#step)) this.#demote();
      if ((ghost & GHOST_OF_MAIN) !== 0 && this.#sizing.resize(-this.#step)) this.#demote();
    }
    let f = this.#sketch.increment(hash);
    if (f === -1) {
      this.#ageResidents();
      f = this.#sketch.frequency(hash);
    }
    this.#freq[slot] = (f > COUNT ? COUNT : f) | WINDOW;
    this.#window.pushHead(slot);
    const windowMax = this.#sizing.windowMax;
    if (this.#window.size > windowMax && this.#probation.size + this.#protected.size < this.#max - windowMax) {
      const moved = this.#window.popTail();
      this.#toProbation(moved);
    }
  }

  hit(slot: number): void {
    const freq = this.#freq;
    const f = freq[slot]!;
    // Count + 1 unless it is at 15 (then (count + 1) >> 4 is 1), REF and HIT set, segment kept: no branch.
    freq[slot] = (f + 1 - (((f & COUNT) + 1) >> 4)) | REF | HIT;
    // #promoting is PROBATION while the budget lasts, then a value no segment has: the test is then always
    // false, so a hit on probation's many unpromoted entries costs no mispredicted branch.
    if ((f & QUEUE) === this.#promoting) this.#promoteOnRead(slot);
  }

  update(slot: number): void {
    this.#freq[slot]! |= REF;
  }

  remove(slot: number): void {
    this.#list(this.#freq[slot]! & QUEUE).remove(slot);
    this.#giveBack(slot);
  }

  evict(): number {
    // The read budget is refilled by the insert that follows; this search's own bound starts here.
    this.#latePromotions = 0;
    const victim = this.#pickVictim();
    if (victim !== -1) this.#giveBack(victim);
    if (this.#seen >= 64) {
      if (this.#sketch.tick(this.#seen)) this.#ageResidents();
      this.#seen = 0;
    }
    return victim;
  }

  clear(): void {
    this.#window.clear();
    this.#probation.clear();
    this.#protected.clear();
  }

  /**
   * Up to `n` slots, hottest first (protected, then probation, then window, each newest first) or
   * coldest first (the reverse): the order in which entries would be kept or leave, as far as a
   * CLOCK order tells without running the hands.
   */
  ranked(n: number, hottest: boolean): number[] {
    return rankLists([this.#protected, this.#probation, this.#window], n, hottest);
  }

  #pickVictim(): number {
    const window = this.#window;
    const windowMax = this.#sizing.windowMax;
    if (window.size > windowMax) {
      const moved = this.#windowTail();
      window.remove(moved);
      this.#toProbation(moved);
    }
    if (window.size >= windowMax || (this.#probation.size === 0 && this.#protected.size === 0)) {
      const candidate = this.#windowTail();
      if (candidate === -1) return this.#mainVictim();
      const victim = this.#mainVictim();
      window.remove(candidate);
      if (victim === -1) return candidate;
      if (!this.#admission.admit(this.#freq[candidate]! & COUNT, this.#freq[victim]! & COUNT)) {
        this.#ghosts.buryFromWindow(this.#hash[candidate]!);
        return candidate;
      }
      this.#list(this.#freq[victim]! & QUEUE).remove(victim);
      this.#toProbation(candidate);
      this.#ghosts.buryFromMain(this.#hash[victim]!);
      return victim;
    }
    const victim = this.#mainVictim();
    if (victim === -1) return -1;
    this.#list(this.#freq[victim]! & QUEUE).remove(victim);
    this.#ghosts.buryFromMain(this.#hash[victim]!);
    return victim;
  }

  /** The window's oldest unreferenced entry (still linked); referenced ones met on the way go back to its head. */
  #windowTail(): number {
    const window = this.#window;
    const freq = this.#freq;
    for (;;) {
      const slot = window.tail;
      if (slot === -1) return -1;
      const f = freq[slot]!;
      if ((f & REF) === 0) return slot;
      freq[slot] = f & ~REF;
      this.#seen += 1;
      window.moveToHead(slot);
    }
  }

  /**
   * Main's victim (still linked): probation's oldest unreferenced entry, or protected's oldest
   * unreferenced entry when probation is empty; -1 when main is empty. A referenced probation entry
   * met on the way is one a read left unpromoted (its budget spent): it is promoted now, as a read
   * would have (#promote), up to LATE_PROMOTIONS_PER_SEARCH per write.
   */
  #mainVictim(): number {
    const probation = this.#probation;
    const freq = this.#freq;
    for (;;) {
      const oldest = probation.tail;
      if (oldest === -1) break;
      if ((freq[oldest]! & REF) === 0 || this.#latePromotions >= LATE_PROMOTIONS_PER_SEARCH) return oldest;
      this.#latePromotions += 1;
      this.#seen += 1;
      this.#promote(oldest);
    }
    const prot = this.#protected;
    for (;;) {
      const slot = prot.tail;
      if (slot === -1) return -1;
      const f = freq[slot]!;
      if ((f & REF) === 0) return slot;
      freq[slot] = f & ~REF;
      this.#seen += 1;
      prot.moveToHead(slot);
    }
  }

  /** A probation entry's first hit while the read budget lasts (the last one spends it). */
  #promoteOnRead(slot: number): void {
    if ((this.#budget -= 1) <= 0) this.#promoting = NO_SEGMENT;
    this.#promote(slot);
  }

  /** A write (every new key is inserted, after any eviction it needed): reads may promote again, up to the budget. */
  #refillBudget(): void {
    this.#budget = this.#budgetPerWrite;
    this.#promoting = this.#budgetPerWrite > 0 ? PROBATION : NO_SEGMENT;
  }

  /** A probation entry's first hit: it moves to protected's head (protected's oldest making room, see #demoteOldest). */
  #promote(slot: number): void {
    this.#probation.remove(slot);
    const freq = this.#freq;
    freq[slot] = (freq[slot]! & ~(QUEUE | REF)) | PROTECTED;
    this.#protected.pushHead(slot);
    if (this.#protected.size > this.#sizing.protectedMax) this.#demoteOldest();
  }

  /**
   * Protected over its limit after a promotion (a read): its oldest entries move to probation as they
   * are, without the second chance #demote gives referenced ones on the write path. A promotion then
   * costs two relinks, not a hand sweep over protected's cold end inside a `get` (with 100k entries and
   * Zipf reads, that sweep averaged three extra relinks per promotion, each a likely cache miss). On the
   * LIRS and ARC traces it kept as many hits or more: mean share of the optimum +0.13 pp over six
   * key-hash seeds, the worst point against LRU unchanged.
   */
  #demoteOldest(): void {
    const prot = this.#protected;
    const freq = this.#freq;
    while (prot.size > this.#sizing.protectedMax) {
      const slot = prot.tail;
      // A reference bit dropped unswept still counts as a hit towards the sketch's aging period.
      if ((freq[slot]! & REF) !== 0) this.#seen += 1;
      prot.remove(slot);
      this.#toProbation(slot);
    }
  }

  /** Links `slot` (unlinked) at probation's head, unreferenced: a hit there must promote it. */
  #toProbation(slot: number): void {
    const freq = this.#freq;
    freq[slot] = (freq[slot]! & ~(QUEUE | REF)) | PROBATION;
    this.#probation.pushHead(slot);
  }

  #list(queue: number): SlotList {
    return queue === WINDOW ? this.#window : queue === PROBATION ? this.#probation : this.#protected;
  }


  #ageResidents(): void {
    const freq = this.#freq;
    for (let i = 0; i < freq.length; i += 1) {
      const f = freq[i]!;
      freq[i] = ((f & COUNT) >>> 1) | (f & ~COUNT);
    }
  }

  #giveBack(slot: number): void {
    const f = this.#freq[slot]!;
    if ((f & HIT) !== 0) this.#sketch.raise(this.#hash[slot]!, f & COUNT);
  }

  /** Protected over its limit: its oldest unreferenced entries move to probation; referenced ones get a second chance. */
  #demote(): void {
    const prot = this.#protected;
    const freq = this.#freq;
    while (prot.size > this.#sizing.protectedMax) {
      const slot = prot.tail;
      if (slot === -1) return;
      const f = freq[slot]!;
      if ((f & REF) !== 0) {
        freq[slot] = f & ~REF;
        this.#seen += 1;
        prot.moveToHead(slot);
        continue;
      }
      prot.remove(slot);
      this.#toProbation(slot);
    }
  }
}
