import type { SlotTable } from './slot-table.js';

const MIN_TICK_MS = 10;
const MAX_TICK_MS = 1000;

/** What a maintenance run asks of the pool core. */
export interface MaintenanceHost {
  /** Reads the clock (and records pending waits). */
  now(): number;
  /** Connections above `minSize`: how many idle ones may be closed for idleness. */
  evictable(): number;
  /** Destroys a slot already taken out of the idle ring. */
  destroy(slot: number, reason: 'lifetime' | 'idle'): void;
  /** Runs `isValid` on a slot already taken out of the idle ring. */
  healthCheck(slot: number, now: number): void;
  /** A loan has been held past `leakDetectionMs`. */
  leakSuspected(heldMs: number, stack: string | undefined): void;
  /** The run is over: serve waiters, refill `minSize`. */
  done(): void;
}

/** The maintenance periods, in ms (0 disables each), the health checks allowed per run, and the jitter source. */
export interface MaintenanceOptions {
  idleTimeoutMs: number;
  maxLifetimeMs: number;
  healthCheckIntervalMs: number;
  healthChecksPerRun: number;
  leakDetectionMs: number;
  random: () => number;
}

/**
 * The pool's background pass over idle connections, on one unref'd interval of a quarter of the
 * shortest period (10 ms to 1 s): replaces those past their lifetime, closes those idle too long
 * (never below `minSize`), health-checks those due (at most `healthChecksPerRun`, longest idle first;
 * the rest wait for the next run) and reports loans held past `leakDetectionMs`.
 */
export class Maintenance<C> {
  readonly #slots: SlotTable<C>;
  readonly #options: MaintenanceOptions;
  readonly #host: MaintenanceHost;
  #timer: NodeJS.Timeout | undefined = undefined;

  constructor(slots: SlotTable<C>, options: MaintenanceOptions, host: MaintenanceHost) {
    this.#slots = slots;
    this.#options = options;
    this.#host = host;
    const periods = [options.idleTimeoutMs, options.maxLifetimeMs, options.healthCheckIntervalMs, options.leakDetectionMs].filter((p) => p > 0);
    if (periods.length > 0) {
      const tickMs = Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, Math.floor(Math.min(...periods) / 4)));
      // Maintenance only: it must never keep the process alive.
      this.#timer = setInterval(() => this.run(), tickMs);
      this.#timer.unref();
    }
  }

  /**
   * Schedules a new connection: its end of life (up to 10 % early, so connections made together do not
   * all expire together) and its first health check (±10 %).
   */
  schedule(slot: number, now: number): void {
    const { maxLifetimeMs, healthCheckIntervalMs } = this.#options;
    if (maxLifetimeMs > 0) this.#slots.expiresAt[slot] = now + maxLifetimeMs * (1 - 0.1 * this.#rand());
    if (healthCheckIntervalMs > 0) this.#slots.checkAt[slot] = now + healthCheckIntervalMs * (0.9 + 0.2 * this.#rand());
  }

  /** Schedules the next health check of a connection that just passed one. */
  checked(slot: number, now: number): void {
    const { healthCheckIntervalMs } = this.#options;
    if (healthCheckIntervalMs > 0) this.#slots.checkAt[slot] = now + healthCheckIntervalMs * (0.9 + 0.2 * this.#rand());
  }

  /** The injected random source, clamped so a broken one cannot disable the jitter bounds. */
  #rand(): number {
    const r = this.#options.random();
    return r >= 0 && r < 1 ? r : 0.5;
  }

  /** Stops the interval for good. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One pass; also called by hand. */
  run(): void {
    const host = this.#host;
    const slots = this.#slots;
    const { idleTimeoutMs, maxLifetimeMs, healthCheckIntervalMs, healthChecksPerRun, leakDetectionMs } = this.#options;
    const now = host.now();
    let evictable = host.evictable();
    let checks = healthChecksPerRun;
    const expired: number[] = [];
    const idleOut: number[] = [];
    const due: number[] = [];
    const { expiresAt, lastUsedAt, checkAt } = slots;
    slots.retainIdle((slot) => {
      if (maxLifetimeMs > 0 && now >= expiresAt[slot]!) {
        expired.push(slot);
      } else if (idleTimeoutMs > 0 && evictable > 0 && now - lastUsedAt[slot]! >= idleTimeoutMs) {
        evictable -= 1;
        idleOut.push(slot);
      } else if (healthCheckIntervalMs > 0 && checks > 0 && now >= checkAt[slot]!) {
        checks -= 1;
        due.push(slot);
      } else {
        return true;
      }
      return false;
    });
    for (const slot of expired) host.destroy(slot, 'lifetime');
    for (const slot of idleOut) host.destroy(slot, 'idle');
    for (const slot of due) host.healthCheck(slot, now);
    if (leakDetectionMs > 0) this.#detectLeaks(now, leakDetectionMs);
    host.done();
  }

  #detectLeaks(now: number, leakDetectionMs: number): void {
    const slots = this.#slots;
    for (let slot = 0; slot < slots.capacity; slot += 1) {
      if (slots.loans[slot] === undefined || slots.leakReported[slot] !== 0) continue;
      const heldMs = now - slots.borrowedAt[slot]!;
      if (heldMs < leakDetectionMs) continue;
      slots.leakReported[slot] = 1;
      this.#host.leakSuspected(Math.round(heldMs), slots.stacks[slot]?.stack);
    }
  }
}
