import { expectNonNegativeFinite, expectObject, expectPositiveInteger, optional, rejectUnknownKeys } from '@patinox/errors';

/** `closed`: calls flow; `open`: calls fail fast; `half-open`: one probe call decides. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Options of the L2 circuit breaker. */
export interface CircuitBreakerOptions {
  /** Consecutive L2 failures that open the circuit. @default 5 */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe is let through, in ms. @default 2000 */
  resetTimeoutMs?: number;
}

const CIRCUIT_BREAKER_KEYS = ['failureThreshold', 'resetTimeoutMs'] as const satisfies readonly (keyof CircuitBreakerOptions)[];

/** Counts consecutive failures and fails fast while the backend is known to be down. */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #resetMs: number;
  readonly #clock: () => number;
  readonly #onChange: (state: CircuitState) => void;
  #state: CircuitState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probing = false;
  #opens = 0;

  constructor(options: CircuitBreakerOptions, clock: () => number, onChange: (state: CircuitState) => void) {
    expectObject('circuitBreaker', options, 'an object or false');
    rejectUnknownKeys('circuitBreaker', options, CIRCUIT_BREAKER_KEYS);
    this.#threshold = optional('circuitBreaker.failureThreshold', options.failureThreshold, expectPositiveInteger, 5);
    this.#resetMs = optional('circuitBreaker.resetTimeoutMs', options.resetTimeoutMs, expectNonNegativeFinite, 2000);
    this.#clock = clock;
    this.#onChange = onChange;
  }

  get state(): CircuitState {
    if (this.#state === 'open' && this.#clock() - this.#openedAt >= this.#resetMs) return 'half-open';
    return this.#state;
  }

  /** Times the circuit opened. */
  get opens(): number {
    return this.#opens;
  }

  /** True when a call may go to the backend now; in half-open state only one probe at a time. */
  allow(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') {
      if (this.#clock() - this.#openedAt < this.#resetMs) return false;
      this.#set('half-open');
    }
    if (this.#probing) return false;
    this.#probing = true;
    return true;
  }

  success(): void {
    this.#failures = 0;
    this.#probing = false;
    if (this.#state !== 'closed') this.#set('closed');
  }

  failure(): void {
    this.#probing = false;
    this.#failures += 1;
    if (this.#state === 'half-open' || (this.#state === 'closed' && this.#failures >= this.#threshold)) {
      this.#openedAt = this.#clock();
      this.#opens += 1;
      this.#set('open');
    }
  }

  #set(state: CircuitState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#onChange(state);
  }
}
