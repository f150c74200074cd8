import { PAGE_BITS, PAGE_MASK, type Page } from './entry.js';
import type { SlotPages } from './slot-pages.js';

/** Live weak references visited per sweep step (each `deref()` costs ~0.1 µs), so a step stays near 100 µs. */
const SWEEP_BUDGET = 1024;
/** Guards held strongly at most before the nursery is flushed within the macrotask. */
const NURSERY_LIMIT = 1024;

/**
 * Finds guards collected without cleanup.
 *
 * Slots created during the current macrotask hold their guard strongly; at the macrotask's end the
 * survivors' guards are swapped for WeakRefs. A WeakRef costs ~0.1-0.2 µs (about a synchronous round
 * trip) and a guard cleaned within the macrotask that created it can never leak, so short-lived guards
 * never pay it. Bounded, so a long synchronous burst never keeps thousands of guards from young-gen GC.
 *
 * One WeakRef per guard that outlived its macrotask, swept after each GC. A single FinalizationRegistry
 * cell (a sentinel object, re-armed in its own callback) tells us a GC happened: 32 bytes per guard plus
 * one cell per GC, instead of a FinalizationRegistry cell per guard (72 bytes, 112 with an unregister
 * token). Sweeps are incremental (SWEEP_BUDGET refs per macrotask, unref'd).
 */
export class LeakDetector {
  readonly #slots: SlotPages;
  readonly #onCollected: (page: Page, i: number) => void;
  #nursery: number[] = [];
  readonly #gcSentinel: FinalizationRegistry<0>;
  #sentinelArmed = false;
  /** Slots whose guard is held by a WeakRef. */
  #weak = 0;
  /** Next slot the sweep looks at; -1 when no sweep is running. */
  #sweepCursor = -1;
  /** A GC happened during the running sweep: sweep again once it ends. */
  #sweepAgain = false;
  #sweepStartedAt = 0;
  /** performance.now() before which no sweep starts (see the end of #sweep). */
  #sweepResumeAt = 0;
  #sweepTimer: NodeJS.Timeout | undefined;
  #closed = false;

  /** `onCollected` runs for a slot whose guard was collected while its resource was still active. */
  constructor(slots: SlotPages, onCollected: (page: Page, i: number) => void) {
    this.#slots = slots;
    this.#onCollected = onCollected;
    this.#gcSentinel = new FinalizationRegistry<0>(this.#onGc);
  }

  /** Notes a slot created in this macrotask; flushes at once past the nursery limit. */
  created(slot: number): void {
    if (this.#nursery.push(slot) >= NURSERY_LIMIT) this.flush();
  }

  /** A slot whose guard was held by a WeakRef was released (or found collected). */
  forgetWeak(): void {
    this.#weak -= 1;
  }

  /** Swaps the strong guard references of this macrotask's survivors for WeakRefs; runs at the macrotask's end. */
  flush(): void {
    const slots = this.#nursery;
    if (slots.length === 0) return;
    this.#nursery = [];
    const before = this.#weak;
    const pages = this.#slots.pages;
    for (const slot of slots) {
      const page = pages[slot >>> PAGE_BITS];
      if (page === undefined) continue;
      const i = slot & PAGE_MASK;
      const ref = page.refs[i];
      // A slot may be listed twice (released and reused within the macrotask): swap only strong refs.
      if (ref === undefined || ref instanceof WeakRef || typeof page.fns[i] !== 'function') continue;
      page.refs[i] = new WeakRef(ref);
      this.#weak += 1;
    }
    if (this.#weak > before) this.#armSentinel();
  }

  /** Ends leak detection: no more sentinel, and a running sweep stops at its next step. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
  }

  #armSentinel(): void {
    if (this.#sentinelArmed || this.#closed) return;
    this.#sentinelArmed = true;
    // An object nothing references: collected by the next GC, whose callback then runs #onGc.
    this.#gcSentinel.register({}, 0);
  }

  readonly #onGc = (): void => {
    this.#sentinelArmed = false;
    if (this.#closed || this.#weak === 0) return;
    this.#armSentinel();
    this.#requestSweep();
  };

  #requestSweep(): void {
    if (this.#sweepTimer !== undefined) return;
    if (this.#sweepCursor >= 0) {
      this.#sweepAgain = true;
      return;
    }
    const waitMs = this.#sweepResumeAt - performance.now();
    if (waitMs > 0) this.#sweepTimer = setTimeout(this.#startSweep, Math.ceil(waitMs)).unref();
    else this.#startSweep();
  }

  readonly #startSweep = (): void => {
    this.#sweepTimer = undefined;
    if (this.#closed) return;
    this.#sweepCursor = 0;
    this.#sweepStartedAt = performance.now();
    setImmediate(this.#sweep).unref();
  };

  /** One bounded step of a sweep over the weakly held guards; leaked ones go to `onCollected`. */
  readonly #sweep = (): void => {
    if (this.#closed) {
      this.#sweepCursor = -1;
      return;
    }
    const pages = this.#slots.pages;
    const end = pages.length << PAGE_BITS;
    let slot = this.#sweepCursor;
    let budget = SWEEP_BUDGET;
    while (slot < end && budget > 0) {
      const page = pages[slot >>> PAGE_BITS];
      const i = slot & PAGE_MASK;
      if (page === undefined || i >= page.bump) {
        slot = ((slot >>> PAGE_BITS) + 1) << PAGE_BITS;
        continue;
      }
      const ref = page.refs[i];
      if (ref instanceof WeakRef) {
        budget -= 1;
        if (ref.deref() === undefined && typeof page.fns[i] === 'function') {
          page.refs[i] = undefined;
          this.#weak -= 1;
          this.#onCollected(page, i);
        }
      }
      slot += 1;
    }
    if (slot < end) {
      this.#sweepCursor = slot;
      setImmediate(this.#sweep).unref();
      return;
    }
    // Duty cycle: the next sweep waits 9 times as long as this one took (wall time, which bounds the CPU
    // time), so back-to-back GCs over a large registry keep sweeps under ~10% of a core. Leaks are then
    // found later, never missed: a collected guard stays dead until a sweep sees it.
    const now = performance.now();
    this.#sweepResumeAt = now + 9 * (now - this.#sweepStartedAt);
    this.#sweepCursor = -1;
    if (this.#sweepAgain) {
      this.#sweepAgain = false;
      this.#requestSweep();
    }
  };
}
