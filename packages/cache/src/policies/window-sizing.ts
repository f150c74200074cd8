/** Share of the main space (all but the window) the protected segment may hold: Caffeine's 80 %. */
const PERCENT_MAIN_PROTECTED = 0.8;
/** Share of the cache the window starts with: Caffeine's 1 %. */
const PERCENT_WINDOW = 0.01;

/**
 * The segment limits of an adaptive W-TinyLFU (`'tinylfu'` and `'clock-tinylfu'`): the window limit,
 * moved by ghost hits within 1 … maxEntries − 1, and the protected limit, 80 % of what the window leaves.
 * Fractional steps accumulate in a target; the limits are its rounding.
 */
export class WindowSizing {
  /** Current window size limit. */
  windowMax: number;
  /** Current protected segment size limit. */
  protectedMax: number;
  #target: number;
  readonly #max: number;
  readonly #maxWindow: number;

  constructor(maxEntries: number) {
    this.#max = maxEntries;
    this.windowMax = Math.max(1, maxEntries - Math.floor((1 - PERCENT_WINDOW) * maxEntries));
    this.#target = this.windowMax;
    this.#maxWindow = Math.max(1, maxEntries - 1);
    this.protectedMax = Math.floor(PERCENT_MAIN_PROTECTED * (maxEntries - this.windowMax));
  }

  /**
   * Moves the window target by `delta` entries (within 1 … maxEntries − 1) and the limits with it;
   * true when the limits changed (the caller then demotes protected's surplus).
   */
  resize(delta: number): boolean {
    return this.resizeTo(this.#target + delta);
  }

  /** Sets the window target to `target` entries (within 1 … maxEntries − 1); true when the limits changed. */
  resizeTo(target: number): boolean {
    if (target < 1) target = 1;
    else if (target > this.#maxWindow) target = this.#maxWindow;
    this.#target = target;
    const windowMax = Math.round(target);
    if (windowMax === this.windowMax) return false;
    this.windowMax = windowMax;
    this.protectedMax = Math.floor(PERCENT_MAIN_PROTECTED * (this.#max - windowMax));
    return true;
  }
}
