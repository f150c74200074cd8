import { PoolClosedError } from '../errors.js';

// Bits of `Gate.bits`: any of them sends acquire off its fast path.
export const GATE_CLOSED = 1;
export const GATE_SUSPENDED = 2;
export const GATE_DRAINING = 4;

/** What the gate asks of the pool core. */
export interface GateHost {
  /** Reports `pool.suspended`, `pool.resumed` or `pool.draining`. */
  event(kind: 'suspended' | 'resumed' | 'draining'): void;
  /** Serves waiters (after a resume). */
  dispatch(): void;
  /** No loan, check or waiter is left: a drain is complete. */
  isQuiet(): boolean;
}

/**
 * Whether the pool lends: open, suspended (acquires wait, loans finish), draining (acquires are refused,
 * queued callers still served) or closed; and the callers of `drain()` waiting for the last loan.
 */
export class Gate {
  /** `GATE_*` bits; 0 is open. A plain field, read on every acquire. */
  bits = 0;
  readonly #poolName: string;
  readonly #host: GateHost;
  #watchers: (() => void)[] | undefined = undefined;

  constructor(poolName: string, host: GateHost) {
    this.#poolName = poolName;
    this.#host = host;
  }

  get suspended(): boolean {
    return (this.bits & GATE_SUSPENDED) !== 0;
  }

  get draining(): boolean {
    return (this.bits & GATE_DRAINING) !== 0;
  }

  /** Suspends lending; a no-op when suspended already. @throws {PoolClosedError} once closed. */
  suspend(): void {
    this.#throwIfClosed();
    if ((this.bits & GATE_SUSPENDED) !== 0) return;
    this.bits |= GATE_SUSPENDED;
    this.#host.event('suspended');
  }

  /** Ends a suspension and a drain; a no-op when neither holds. @throws {PoolClosedError} once closed. */
  resume(): void {
    this.#throwIfClosed();
    if ((this.bits & (GATE_SUSPENDED | GATE_DRAINING)) === 0) return;
    this.bits &= ~(GATE_SUSPENDED | GATE_DRAINING);
    this.#host.event('resumed');
    this.#host.dispatch();
  }

  /** Starts draining (once) and resolves when the pool is quiet, or rejects with `signal.reason`. */
  drain(signal: AbortSignal | undefined): Promise<void> {
    if ((this.bits & GATE_CLOSED) !== 0) return Promise.reject(new PoolClosedError(this.#poolName));
    // AbortSignal convention: reject with the reason exactly as the caller gave it.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if ((this.bits & GATE_DRAINING) === 0) {
      this.bits |= GATE_DRAINING;
      this.#host.event('draining');
    }
    if (this.#host.isQuiet()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const watchers = (this.#watchers ??= []);
      let onAbort: (() => void) | undefined;
      const done = (): void => {
        if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort);
        resolve();
      };
      watchers.push(done);
      if (signal !== undefined) {
        onAbort = () => {
          const i = watchers.indexOf(done);
          if (i >= 0) watchers.splice(i, 1);
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  /** Called when a loan, check or waiter ends: resolves the drain callers once the pool is quiet. */
  settled(): void {
    if (this.#watchers !== undefined && this.#host.isQuiet()) this.#release();
  }

  /** Closes for good; a pending drain resolves (nothing is lent any more). */
  close(): void {
    this.bits |= GATE_CLOSED;
    this.#release();
  }

  #release(): void {
    const watchers = this.#watchers;
    this.#watchers = undefined;
    if (watchers !== undefined) for (const done of watchers) done();
  }

  #throwIfClosed(): void {
    if ((this.bits & GATE_CLOSED) !== 0) throw new PoolClosedError(this.#poolName);
  }
}
