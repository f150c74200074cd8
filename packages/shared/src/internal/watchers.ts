import { describeValue, expectSignal, isThenable, readKnownOptions } from '@patinox/errors';

const SUBSCRIBE_OPTION_KEYS = ['signal'] as const;
import type { SubscribeOptions } from '../options.js';
import type { SharingMetrics } from '../sharing-metrics.js';

/** One version of a configuration, as subscribers see it. */
export interface ConfigSnapshot<T> {
  readonly config: T;
  readonly version: number;
}

/** Called with each new configuration; an async listener is not called again until it settles. */
export type ConfigListener<T> = (config: T, version: number) => unknown;

/** Stops a callback subscription; calling it twice is harmless. Also works with `using`. */
export interface Unsubscribe extends Disposable {
  (): void;
}

/**
 * How many rounds one notification may run: an update made from inside a listener during the last
 * round is refused (`SHARED_CONFIG_UPDATE_LOOP`), so a listener that updates on every notification
 * cannot loop for ever. Async listeners and iterators chain through microtasks instead; after this many
 * catch-up deliveries in one turn of the event loop, the next waits for the following turn.
 */
export const MAX_NOTIFY_ROUNDS = 100;

interface Listener<T> {
  readonly fn: ConfigListener<T>;
  seen: number;
  busy: boolean;
  active: boolean;
  /** Waits for the next turn of the event loop (see MAX_NOTIFY_ROUNDS). */
  deferred: boolean;
}

interface Iteration<T> {
  seen: number;
  done: boolean;
  waiting: ((result: IteratorResult<ConfigSnapshot<T>>) => void) | undefined;
  /** Pulls made while one already waits (`next()` called again without awaiting): each waits its turn. */
  queued: ((result: IteratorResult<ConfigSnapshot<T>>) => void)[] | undefined;
  finish: () => void;
}

/**
 * Watch-channel fan-out: every subscriber only ever gets the latest version, never an older one than it
 * already saw, and a slow one (a pending async listener, an iterator nobody pulls) skips versions
 * instead of queueing them or holding up the publisher.
 */
export class Watchers<T> {
  readonly #listeners = new Set<Listener<T>>();
  readonly #iterations = new Set<Iteration<T>>();
  readonly #current: () => ConfigSnapshot<T>;
  readonly #onError: (error: unknown, version: number) => void;
  readonly #metrics: SharingMetrics;
  #publishing = false;
  /** The round the running publish is in (0 when none runs). */
  #round = 0;
  #closed = false;
  /** Catch-up deliveries of async listeners and iterators in this turn of the event loop. */
  #catchUps = 0;
  /** Resets `#catchUps` and runs what waited, on the next turn; set while this turn has catch-ups. */
  #turn: ReturnType<typeof setImmediate> | undefined;
  readonly #deferred: (() => void)[] = [];
  // One shared result object per version: a fan-out to many iterators then allocates one promise
  // resolution each and nothing else, which keeps young-generation GC out of the tail latency.
  #result: IteratorResult<ConfigSnapshot<T>> | undefined;

  constructor(current: () => ConfigSnapshot<T>, onError: (error: unknown, version: number) => void, metrics: SharingMetrics) {
    this.#current = current;
    this.#onError = onError;
    this.#metrics = metrics;
  }

  get size(): number {
    return this.#listeners.size + this.#iterations.size;
  }

  listen(fn: ConfigListener<T>): Unsubscribe {
    const listener: Listener<T> = { fn, seen: this.#current().version, busy: false, active: !this.#closed, deferred: false };
    if (listener.active) this.#listeners.add(listener);
    const unsubscribe = (): void => {
      listener.active = false;
      this.#listeners.delete(listener);
    };
    return Object.assign(unsubscribe, { [Symbol.dispose]: unsubscribe });
  }

  iterate(signal: AbortSignal | undefined): AsyncIterableIterator<ConfigSnapshot<T>> {
    const iteration: Iteration<T> = {
      seen: -Infinity,
      done: false,
      waiting: undefined,
      queued: undefined,
      finish: () => {
        if (iteration.done) return;
        iteration.done = true;
        this.#iterations.delete(iteration);
        signal?.removeEventListener('abort', iteration.finish);
        const waiting = iteration.waiting;
        const queued = iteration.queued;
        iteration.waiting = undefined;
        iteration.queued = undefined;
        waiting?.({ done: true, value: undefined });
        if (queued !== undefined) for (const resolve of queued) resolve({ done: true, value: undefined });
      },
    };
    if (this.#closed || signal?.aborted === true) iteration.done = true;
    else {
      this.#iterations.add(iteration);
      signal?.addEventListener('abort', iteration.finish, { once: true });
    }
    const next = (): Promise<IteratorResult<ConfigSnapshot<T>>> => {
      if (iteration.done) return Promise.resolve({ done: true, value: undefined });
      const snapshot = this.#current();
      if (snapshot.version > iteration.seen) {
        // The first pull of an iterator is not a catch-up; a consumer that updates between pulls is.
        if (iteration.seen !== -Infinity && !this.#mayCatchUp()) {
          return new Promise((resolve) => {
            this.#defer(() => resolve(next()));
          });
        }
        iteration.seen = snapshot.version;
        this.#metrics.notifications += 1;
        return Promise.resolve(this.#resultFor(snapshot));
      }
      return new Promise((resolve) => {
        if (iteration.waiting === undefined) iteration.waiting = resolve;
        else (iteration.queued ??= []).push(resolve);
      });
    };
    const iterator: AsyncIterableIterator<ConfigSnapshot<T>> = {
      next,
      return: (): Promise<IteratorResult<ConfigSnapshot<T>>> => {
        iteration.finish();
        return Promise.resolve({ done: true, value: undefined });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * True when an update made now would need a round past {@link MAX_NOTIFY_ROUNDS}: the updater is a
   * listener of the last round, so the update must be refused.
   */
  get roundsExhausted(): boolean {
    return this.#round >= MAX_NOTIFY_ROUNDS;
  }

  /** Delivers the current version to everyone who has not seen it; re-entrant updates are folded in. */
  publish(): void {
    if (this.#publishing) return;
    this.#publishing = true;
    try {
      let version: number;
      do {
        this.#round += 1;
        version = this.#current().version;
        for (const listener of this.#listeners) this.#deliver(listener);
        for (const iteration of this.#iterations) {
          const waiting = iteration.waiting;
          if (waiting === undefined) continue;
          const snapshot = this.#current();
          // The next queued pull (if any) waits for a version newer than this one.
          iteration.waiting = iteration.queued?.shift();
          iteration.seen = snapshot.version;
          this.#metrics.notifications += 1;
          waiting(this.#resultFor(snapshot));
        }
      } while (this.#current().version !== version);
    } finally {
      this.#publishing = false;
      this.#round = 0;
    }
  }

  #resultFor(snapshot: ConfigSnapshot<T>): IteratorResult<ConfigSnapshot<T>> {
    if (this.#result?.value !== snapshot) this.#result = Object.freeze({ done: false, value: snapshot });
    return this.#result;
  }

  close(): void {
    this.#closed = true;
    for (const listener of this.#listeners) listener.active = false;
    this.#listeners.clear();
    for (const iteration of [...this.#iterations]) iteration.finish();
    // Deferred deliveries would now find every subscriber gone; run them so pending pulls end.
    if (this.#turn !== undefined) {
      clearImmediate(this.#turn);
      this.#nextTurn();
    }
  }

  // Counts a catch-up delivery; false when this turn of the event loop has had its share.
  #mayCatchUp(): boolean {
    if (this.#turn === undefined) {
      this.#turn = setImmediate(() => this.#nextTurn());
      this.#turn.unref();
    }
    this.#catchUps += 1;
    return this.#catchUps <= MAX_NOTIFY_ROUNDS;
  }

  #defer(run: () => void): void {
    this.#deferred.push(run);
    // A delivery is owed: hold the loop open for it, as a pending timer would.
    this.#turn?.ref();
  }

  #nextTurn(): void {
    this.#turn = undefined;
    this.#catchUps = 0;
    const runs = this.#deferred.splice(0);
    for (const run of runs) run();
  }

  #deliver(listener: Listener<T>): void {
    if (!listener.active || listener.busy || listener.deferred) return;
    const snapshot = this.#current();
    if (snapshot.version <= listener.seen) return;
    listener.seen = snapshot.version;
    this.#metrics.notifications += 1;
    // Busy during the call too: an update the listener makes must not call it again from inside itself
    // (the running round, or the catch-up after it settles, delivers that version).
    listener.busy = true;
    let result: unknown;
    try {
      result = listener.fn(snapshot.config, snapshot.version);
    } catch (error) {
      listener.busy = false;
      this.#onError(error, snapshot.version);
      return;
    }
    if (!isThenable(result)) {
      listener.busy = false;
      return;
    }
    const done = (): void => {
      listener.busy = false;
      // Whatever arrived while it was busy: only the latest, once.
      if (!listener.active || this.#current().version <= listener.seen) return;
      if (this.#mayCatchUp()) {
        this.#deliver(listener);
        return;
      }
      listener.deferred = true;
      this.#defer(() => {
        listener.deferred = false;
        this.#deliver(listener);
      });
    };
    // Promise.resolve reads `then` once more; a getter that throws now rejects instead of escaping.
    Promise.resolve(result).then(done, (error: unknown) => {
      this.#onError(error, snapshot.version);
      done();
    });
  }
}

/** Shared by ConfigData and ConfigReplica: the two forms of `subscribe`. */
export function subscribeTo<T>(
  watchers: Watchers<T>,
  arg: ConfigListener<T> | SubscribeOptions | undefined,
): Unsubscribe | AsyncIterableIterator<ConfigSnapshot<T>> {
  if (typeof arg === 'function') return watchers.listen(arg);
  if (arg === undefined) return watchers.iterate(undefined);
  if (typeof arg !== 'object' || arg === null) {
    throw new TypeError(`Expected \`subscribe\` to get a listener or an options object, got ${describeValue(arg)}`);
  }
  const { signal } = readKnownOptions('options', arg, SUBSCRIBE_OPTION_KEYS);
  return watchers.iterate(signal === undefined ? undefined : expectSignal('signal', signal));
}

