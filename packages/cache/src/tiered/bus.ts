import { TieredCacheError } from '../errors.js';

/** What one instance tells the others after a write: drop these keys (or tags, or everything) from L1. */
export interface InvalidationMessage {
  /** Namespace of the cache that wrote. */
  namespace: string;
  /** Keys (without namespace) to drop. */
  keys?: string[];
  /** Tags whose entries to drop. */
  tags?: string[];
  /** Drop the whole namespace. */
  clear?: boolean;
  /** Id of the sending instance; an instance ignores its own messages. */
  origin: string;
  /** Sender's wall clock in ms (fractional), for the bus lag figure. */
  sentAt: number;
}

/** Connection state of a bus; messages sent while `disconnected` may be lost. */
export type BusState = 'connected' | 'disconnected';

/** A subscriber of an {@link InvalidationBus}. */
export interface BusListener {
  onMessage(message: InvalidationMessage): void;
  onStateChange(state: BusState): void;
}

/**
 * Carries invalidations between instances. A bus may lose messages while disconnected, so it must
 * report every disconnect and reconnect through `onStateChange`; `TieredCache` drops L1 entries older
 * than the outage when that happens.
 */
export interface InvalidationBus {
  readonly state: BusState;
  publish(message: InvalidationMessage): Promise<void>;
  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: BusListener): () => void;
  close(): Promise<void>;
}

/** Wall clock with sub-millisecond resolution, comparable across processes on one machine. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * An in-process {@link InvalidationBus}: connects several `TieredCache` instances sharing one
 * `MemoryBackend` (tests, workers of one process). `setState` simulates an outage; messages published
 * while disconnected are dropped, as a real bus would lose them.
 *
 * @example
 * ```ts
 * const l2 = new MemoryBackend();
 * const bus = new MemoryBus();
 * const a = new TieredCache({ l2, bus, namespace: 'app' });
 * const b = new TieredCache({ l2, bus, namespace: 'app' });
 * ```
 */
export class MemoryBus implements InvalidationBus {
  readonly #listeners = new Set<BusListener>();
  #state: BusState = 'connected';
  #closed = false;

  get state(): BusState {
    return this.#state;
  }

  async publish(message: InvalidationMessage): Promise<void> {
    if (this.#closed) throw new TieredCacheError('MemoryBus is closed', 'CACHE_CLOSED');
    if (this.#state === 'disconnected') return;
    // Delivered on a later microtask, like a message arriving from the network.
    const copy = JSON.parse(JSON.stringify(message)) as InvalidationMessage;
    await Promise.resolve();
    for (const listener of [...this.#listeners]) listener.onMessage(copy);
  }

  subscribe(listener: BusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Simulates losing (`disconnected`) and regaining (`connected`) the connection. */
  setState(state: BusState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of [...this.#listeners]) listener.onStateChange(state);
  }

  /** True once {@link MemoryBus.close} ran: `publish` then fails with `CACHE_CLOSED`. */
  get closed(): boolean {
    return this.#closed;
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    return Promise.resolve();
  }

  /** Same as {@link MemoryBus.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
