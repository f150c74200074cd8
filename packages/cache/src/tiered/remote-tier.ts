import { describeThrown, isPatinoxError, toError } from '@patinox/errors';
import { Histogram, type HistogramSummary, type TraceHook } from '@patinox/monitor';
import { CacheBackendError, TieredCacheError } from '../errors.js';
import type { Serializer } from '../serialization/serializer.js';
import type { CacheBackend } from './backend.js';
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker.js';
import { Deadlines } from './internal/deadlines.js';

const noop = (): void => undefined;

/** What a root cache and its regions share: one backend, one breaker, one deadline queue, one serializer. */
class SharedRemote {
  readonly backend: CacheBackend;
  readonly breaker: CircuitBreaker | undefined;
  readonly deadlines: Deadlines;
  serializer: Serializer | undefined;
  readonly serializerReady: Promise<Serializer> | undefined;
  /** Settles (never rejects) once the lazy serializer has loaded or failed to. */
  readonly serializerSettled: Promise<void> | undefined;
  readonly #circuitListeners = new Set<(state: CircuitState) => void>();

  constructor(backend: CacheBackend, serializer: Serializer | Promise<Serializer>, breaker: CircuitBreakerOptions | false, clock: () => number, timeoutMs: number) {
    this.backend = backend;
    this.deadlines = new Deadlines(timeoutMs);
    if (serializer instanceof Promise) {
      this.serializerReady = serializer.then((s) => (this.serializer = s));
      // A failed lazy load surfaces on the first operation that needs the serializer (this handles it meanwhile).
      this.serializerSettled = this.serializerReady.then(noop, noop);
    } else {
      this.serializer = serializer;
    }
    this.breaker = breaker === false ? undefined : new CircuitBreaker(breaker, clock, (state) => {
      for (const listener of this.#circuitListeners) listener(state);
    });
  }

  onCircuit(listener: (state: CircuitState) => void): () => void {
    this.#circuitListeners.add(listener);
    return () => this.#circuitListeners.delete(listener);
  }
}

/** What {@link RemoteTier.create} needs. */
export interface RemoteTierOptions {
  backend: CacheBackend;
  serializer: Serializer | Promise<Serializer>;
  breaker: CircuitBreakerOptions | false;
  clock: () => number;
  timeoutMs: number;
  namespace: string;
  /** Spans `cache.l2.<operation>` around each call when set. */
  tracer: TraceHook | undefined;
}

/** L2 counters of one cache (a region counts its own calls). */
export interface RemoteStats {
  hits: number;
  misses: number;
  /** Calls that failed because L2 was unavailable (timeouts and open circuit included). */
  errors: number;
  timeouts: number;
  /** Values that could not be decoded. */
  decodeErrors: number;
  getLatencyMs: HistogramSummary;
  setLatencyMs: HistogramSummary;
}

/**
 * Every L2 call of a cache goes through here: the circuit breaker, the deadline, the mapping of
 * failures to `CACHE_BACKEND_UNAVAILABLE`, decoding, and the L2 counters. A region gets a tier of its own
 * counters over its parent's backend, breaker and serializer ({@link RemoteTier.forRegion}).
 */
export class RemoteTier {
  readonly #shared: SharedRemote;
  readonly #namespace: string;
  readonly #tracer: TraceHook | undefined;
  readonly #spanAttributes: { 'cache.namespace': string };
  readonly #unlisten: () => void;
  #closed = false;
  // Hot-path counters are plain fields; histograms record in a few ns.
  hits = 0;
  misses = 0;
  #errors = 0;
  #timeouts = 0;
  #decodeErrors = 0;
  readonly getLatency = new Histogram();
  readonly setLatency = new Histogram();

  /** @internal use {@link RemoteTier.create} or {@link RemoteTier.forRegion}. */
  constructor(shared: SharedRemote, namespace: string, onCircuit: (state: CircuitState) => void, tracer: TraceHook | undefined) {
    this.#shared = shared;
    this.#namespace = namespace;
    this.#tracer = tracer;
    this.#spanAttributes = { 'cache.namespace': namespace };
    this.#unlisten = shared.onCircuit(onCircuit);
  }

  /** The tier of a root cache. */
  static create(options: RemoteTierOptions, onCircuit: (state: CircuitState) => void): RemoteTier {
    const shared = new SharedRemote(options.backend, options.serializer, options.breaker, options.clock, options.timeoutMs);
    return new RemoteTier(shared, options.namespace, onCircuit, options.tracer);
  }

  /** A tier for a region: same backend, breaker, deadlines and serializer; its own counters and tracer. */
  forRegion(namespace: string, onCircuit: (state: CircuitState) => void, tracer: TraceHook | undefined): RemoteTier {
    return new RemoteTier(this.#shared, namespace, onCircuit, tracer);
  }

  get backend(): CacheBackend {
    return this.#shared.backend;
  }

  get circuit(): CircuitState | 'disabled' {
    return this.#shared.breaker?.state ?? 'disabled';
  }

  get opens(): number {
    return this.#shared.breaker?.opens ?? 0;
  }

  /** The serializer, or a promise of it while the default codec is still loading. */
  serializer(): Serializer | Promise<Serializer> {
    return this.#shared.serializer ?? this.#shared.serializerReady!;
  }

  /**
   * While the default codec is still loading (a cache's first moments): a promise that settles once it
   * has, or failed to. A write that encodes nothing (delete, increment, clear, tag invalidation) waits
   * for it, so it cannot overtake a `set` issued before it that is still waiting to encode its value.
   */
  get codecLoading(): Promise<void> | undefined {
    return this.#shared.serializer === undefined ? this.#shared.serializerSettled : undefined;
  }

  /** The serializer when already loaded (the hot path avoids an await). */
  get loadedSerializer(): Serializer | undefined {
    return this.#shared.serializer;
  }

  decode<V>(serializer: Serializer, bytes: Buffer, key: string): V {
    try {
      return serializer.deserialize(bytes, key) as V;
    } catch (err) {
      this.#decodeErrors += 1;
      throw err;
    }
  }

  /** Runs one L2 call under the circuit breaker and the operation deadline. */
  call<T>(operation: string, fn: (backend: CacheBackend) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new TieredCacheError('TieredCache is closed', 'CACHE_CLOSED', { namespace: this.#namespace }));
    const breaker = this.#shared.breaker;
    if (breaker !== undefined && !breaker.allow()) {
      this.#errors += 1;
      return Promise.reject(new CacheBackendError(`L2 ${operation} skipped: the circuit is open after repeated failures`, { operation, circuit: 'open' }));
    }
    let promise: Promise<T>;
    try {
      const backend = this.#shared.backend;
      promise = this.#tracer === undefined ? fn(backend) : this.#tracer.span(`cache.l2.${operation}`, this.#spanAttributes, () => fn(backend));
    } catch (err) {
      promise = Promise.reject(toError(err));
    }
    // One promise per call: the deadline tracker settles it and reports to the breaker.
    return this.#shared.deadlines.track(promise, operation, this.#onSuccess, this.#onFailure);
  }

  readonly #onSuccess = (): void => {
    this.#shared.breaker?.success();
  };

  readonly #onFailure = (err: unknown, operation: string): Error => {
    const breaker = this.#shared.breaker;
    if (isPatinoxError(err, 'CACHE_BACKEND_UNAVAILABLE') || !isPatinoxError(err)) {
      this.#errors += 1;
      if (isPatinoxError(err) && err.context.timeout === true) this.#timeouts += 1;
      breaker?.failure();
      if (!isPatinoxError(err)) return new CacheBackendError(`L2 ${operation} failed: ${describeThrown(err)}`, { operation }, err);
      return err;
    }
    // The server answered (decode, cross-slot, counter, permission errors): L2 is up.
    breaker?.success();
    return err;
  };

  /**
   * A companion L2 call of another one (the PTTL that bounds an L1 fill): its `cache.l2.<operation>` span
   * like {@link call}, and the deadline, but outside the breaker and the counters, which its sibling call
   * already reports to. Rejects with what `fn` threw. `fn` gets `key` rather than closing over it: the
   * untraced read path allocates no closure per call.
   */
  companion<T>(operation: string, fn: (backend: CacheBackend, key: string) => Promise<T>, key: string): Promise<T> {
    let promise: Promise<T>;
    try {
      const backend = this.#shared.backend;
      promise = this.#tracer === undefined ? fn(backend, key) : this.#tracer.span(`cache.l2.${operation}`, this.#spanAttributes, () => fn(backend, key));
    } catch (err) {
      promise = Promise.reject(toError(err));
    }
    return this.#shared.deadlines.track(promise, operation, noop, toError);
  }

  /**
   * Settles with `work`, or rejects with a timeout error after the operation deadline; outside the
   * breaker. For the bus publish a write awaits: a bus server that stops answering must not hang writers.
   */
  bounded<T>(work: Promise<T>, operation: string): Promise<T> {
    return this.#shared.deadlines.track(work, operation, noop, toError);
  }

  /** PINGs L2 outside the breaker; rejects after `timeoutMs`. */
  ping(timeoutMs: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new CacheBackendError(`L2 ping did not answer within ${timeoutMs} ms`, { operation: 'ping', timeoutMs, timeout: true }));
      }, timeoutMs);
      timer.unref();
      this.#shared.backend.ping().then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(toError(err));
        },
      );
    });
  }

  stats(): RemoteStats {
    return {
      hits: this.hits,
      misses: this.misses,
      errors: this.#errors,
      timeouts: this.#timeouts,
      decodeErrors: this.#decodeErrors,
      getLatencyMs: this.getLatency.summary(),
      setLatencyMs: this.setLatency.summary(),
    };
  }

  get errors(): number {
    return this.#errors;
  }

  /** Rejects every later call with `CACHE_CLOSED`; the root also stops the shared deadline timer. */
  close(isRoot: boolean): void {
    this.#closed = true;
    this.#unlisten();
    if (isRoot) this.#shared.deadlines.stop();
  }
}
