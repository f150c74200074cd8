/**
 * Counters of a cache's loads, shared by `Cache` and `TieredCache`: how many ran, how many failed, the
 * time they took in total and at the 99th percentile, and how often a stale value stood in for one.
 *
 * Recording is a few stores into plain fields and one typed-array slot (no allocation per load); the
 * percentile is computed only when asked, over the last {@link LOAD_WINDOW} loads.
 */
export const LOAD_WINDOW = 1024;

/** What {@link LoadStats.snapshot} reports. */
export interface LoadStatsSnapshot {
  /** Loader calls that settled (successes and failures). */
  loads: number;
  /** Loader calls that threw, rejected, resolved to `undefined` or outlived `hardTimeoutMs`. */
  loadFailures: number;
  /** Sum of the load times, in ms. */
  loadTimeTotalMs: number;
  /** 99th percentile of the last {@link LOAD_WINDOW} load times, in ms (0 before the first load). */
  loadTimeP99Ms: number;
  /** Calls answered with a stale value (soft timeout, grace after a failure, refresh ahead, stale-while-revalidate). */
  staleServed: number;
}

export class LoadStats {
  loads = 0;
  loadFailures = 0;
  loadTimeTotalMs = 0;
  staleServed = 0;
  readonly #window = new Float64Array(LOAD_WINDOW);
  #next = 0;
  #filled = 0;

  /** Counts one settled load that took `durationMs`. */
  record(durationMs: number, ok: boolean): void {
    this.loads += 1;
    if (!ok) this.loadFailures += 1;
    this.loadTimeTotalMs += durationMs;
    this.#window[this.#next] = durationMs;
    this.#next = (this.#next + 1) % LOAD_WINDOW;
    if (this.#filled < LOAD_WINDOW) this.#filled += 1;
  }

  /** 99th percentile (nearest rank) of the load times in the window, in ms. */
  p99(): number {
    if (this.#filled === 0) return 0;
    const sorted = this.#window.slice(0, this.#filled).sort();
    return sorted[Math.ceil(0.99 * this.#filled) - 1]!;
  }

  snapshot(): LoadStatsSnapshot {
    return {
      loads: this.loads,
      loadFailures: this.loadFailures,
      loadTimeTotalMs: this.loadTimeTotalMs,
      loadTimeP99Ms: this.p99(),
      staleServed: this.staleServed,
    };
  }

  reset(): void {
    this.loads = 0;
    this.loadFailures = 0;
    this.loadTimeTotalMs = 0;
    this.staleServed = 0;
    this.#next = 0;
    this.#filled = 0;
  }
}
