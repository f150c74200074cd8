import { expectFunction, readKnownOptions } from '@patinox/errors';
import type { MetricSnapshot } from '@patinox/monitor';
import { LockAbortedError, SharedDisposedError } from './errors.js';
import { PhaseFairLock } from './internal/phase-fair-lock.js';
import { settle } from './internal/settle.js';
import { expectName, expectTimeout, resolveLockOptions, type WaitOptions } from './internal/validate.js';
import type { LockOptions, LockOwnerOptions } from './options.js';
import { SharingMetrics } from './sharing-metrics.js';

/** A granted read lock: `value` is readable until `release()` (or `using` ends the block). */
export interface ReadGuard<T> extends Disposable {
  /** The protected value; throws `SHARED_DISPOSED` after release. */
  readonly value: T;
  /** Releases the lock; idempotent. */
  release(): void;
}

/** A granted write lock: `value` can be changed in place or replaced until `release()`. */
export interface WriteGuard<T> extends Disposable {
  /** The protected value; assigning replaces it. Throws `SHARED_DISPOSED` after release. */
  value: T;
  /** Releases the lock; idempotent. */
  release(): void;
}

/** How many hold and wait for a lock right now. */
export interface LockState {
  readonly readers: number;
  readonly writing: boolean;
  readonly waitingReaders: number;
  readonly waitingWriters: number;
}

/** What both guards share: a release that runs once, by `release()` or by `using`. */
class HeldLock implements Disposable {
  #release: (() => void) | undefined;

  constructor(release: () => void) {
    this.#release = release;
  }

  /** @throws {SharedDisposedError} `SHARED_DISPOSED` once released. */
  protected assertHeld(what: string): void {
    if (this.#release === undefined) throw new SharedDisposedError(what);
  }

  release(): void {
    const release = this.#release;
    if (release === undefined) return;
    this.#release = undefined;
    release();
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

class MutableReadGuard<T> extends HeldLock implements ReadGuard<T> {
  readonly #read: () => T;

  constructor(read: () => T, release: () => void) {
    super(release);
    this.#read = read;
  }

  get value(): T {
    this.assertHeld('read guard');
    return this.#read();
  }
}

class MutableWriteGuard<T> extends HeldLock implements WriteGuard<T> {
  readonly #read: () => T;
  readonly #write: (value: T) => void;

  constructor(read: () => T, write: (value: T) => void, release: () => void) {
    super(release);
    this.#read = read;
    this.#write = write;
  }

  get value(): T {
    this.assertHeld('write guard');
    return this.#read();
  }

  set value(next: T) {
    this.assertHeld('write guard');
    this.#write(next);
  }
}

/**
 * A value behind an async, phase-fair reader-writer lock: many readers at once, one writer alone, no
 * reader ever sees a writer's half-done change across an `await`.
 *
 * Writers are not starved by a stream of readers (readers arriving after a waiting writer queue behind
 * it), and readers are not starved by writers (all readers queued during a write go in together before
 * the next writer).
 *
 * @example
 * ```ts
 * const table = new MutableSharedData(new Map<string, number>());
 * await table.withWrite(async (map) => { map.set('a', await fetchCount()); });
 * const n = await table.withRead((map) => map.get('a'));
 * ```
 * @throws {LockTimeoutError} `SHARED_LOCK_TIMEOUT` from waiting calls past `timeoutMs`.
 * @throws {LockAbortedError} `SHARED_LOCK_ABORTED` from waiting calls whose `signal` aborts.
 */
export class MutableSharedData<T> {
  #value: T;
  readonly #lock: PhaseFairLock;
  readonly #metrics = new SharingMetrics();
  readonly #name: string;
  readonly #timeoutMs: number | undefined;
  readonly #defaults: WaitOptions;
  readonly #readValue = (): T => this.#value;
  readonly #writeValue = (next: T): void => {
    this.#value = next;
  };
  readonly #releaseRead = (): void => this.#lock.releaseRead();
  readonly #releaseWrite = (): void => this.#lock.releaseWrite();

  constructor(value: T, options: LockOwnerOptions = {}) {
    const { name, timeoutMs } = readKnownOptions('options', options, ['name', 'timeoutMs']);
    this.#name = expectName(name, 'mutable');
    this.#timeoutMs = expectTimeout('timeoutMs', timeoutMs, undefined);
    this.#value = value;
    this.#lock = new PhaseFairLock(this.#name, this.#metrics);
    this.#defaults = { timeoutMs: this.#timeoutMs, signal: undefined };
  }

  /**
   * Waits for a read lock.
   * @throws {LockTimeoutError} `SHARED_LOCK_TIMEOUT`; {@link LockAbortedError} `SHARED_LOCK_ABORTED`.
   */
  async read(options?: LockOptions): Promise<ReadGuard<T>> {
    const wait = this.#options(options);
    const aborted = this.#abortedEarly('read', wait);
    if (aborted !== undefined) throw aborted;
    if (!this.#lock.tryRead()) await this.#lock.acquire('read', wait.timeoutMs, wait.signal);
    this.#metrics.reads += 1;
    return this.#readGuard();
  }

  /**
   * Waits for the write lock.
   * @throws {LockTimeoutError} `SHARED_LOCK_TIMEOUT`; {@link LockAbortedError} `SHARED_LOCK_ABORTED`.
   */
  async write(options?: LockOptions): Promise<WriteGuard<T>> {
    const wait = this.#options(options);
    const aborted = this.#abortedEarly('write', wait);
    if (aborted !== undefined) throw aborted;
    if (!this.#lock.tryWrite()) await this.#lock.acquire('write', wait.timeoutMs, wait.signal);
    this.#metrics.writes += 1;
    return this.#writeGuard();
  }

  /** A read lock if one can be had without waiting, else `undefined`. */
  tryRead(): ReadGuard<T> | undefined {
    if (!this.#lock.tryRead()) return undefined;
    this.#metrics.reads += 1;
    return this.#readGuard();
  }

  /** The write lock if it can be had without waiting, else `undefined`. */
  tryWrite(): WriteGuard<T> | undefined {
    if (!this.#lock.tryWrite()) return undefined;
    this.#metrics.writes += 1;
    return this.#writeGuard();
  }

  /** Runs `fn` under a read lock and releases it when `fn` returns, throws or settles. */
  withRead<R>(fn: (value: T) => R, options?: LockOptions): Promise<Awaited<R>> {
    expectFunction('fn', fn);
    const wait = this.#options(options);
    const aborted = this.#abortedEarly('read', wait);
    if (aborted !== undefined) return Promise.reject(aborted);
    if (this.#lock.tryRead()) {
      this.#metrics.reads += 1;
      return settle(() => fn(this.#value), this.#releaseRead);
    }
    return this.#lock.acquire('read', wait.timeoutMs, wait.signal).then(() => {
      this.#metrics.reads += 1;
      return settle(() => fn(this.#value), this.#releaseRead);
    });
  }

  /**
   * Runs `fn` under the write lock and releases it when `fn` returns, throws or settles. `fn` may change
   * the value in place or replace it with `set(next)`, until it returns or settles; a `set` called after
   * that throws {@link SharedDisposedError} (`SHARED_DISPOSED`) instead of writing without the lock.
   */
  withWrite<R>(fn: (value: T, set: (next: T) => void) => R, options?: LockOptions): Promise<Awaited<R>> {
    expectFunction('fn', fn);
    const wait = this.#options(options);
    const aborted = this.#abortedEarly('write', wait);
    if (aborted !== undefined) return Promise.reject(aborted);
    if (this.#lock.tryWrite()) {
      this.#metrics.writes += 1;
      return this.#runWrite(fn);
    }
    return this.#lock.acquire('write', wait.timeoutMs, wait.signal).then(() => {
      this.#metrics.writes += 1;
      return this.#runWrite(fn);
    });
  }

  /**
   * `fn` under the write lock just taken. Its `set` is a guard of its own: one kept past the release
   * (an un-awaited callback, a reference saved for later) throws `SHARED_DISPOSED` instead of writing
   * without the lock, as a released write guard's `value` setter does.
   */
  #runWrite<R>(fn: (value: T, set: (next: T) => void) => R): Promise<Awaited<R>> {
    const guard = this.#writeGuard();
    return settle(
      () =>
        fn(this.#value, (next: T): void => {
          guard.value = next;
        }),
      () => guard.release(),
    );
  }

  /** Who holds and waits for the lock right now. */
  get state(): LockState {
    return {
      readers: this.#lock.readers,
      writing: this.#lock.writing,
      waitingReaders: this.#lock.waitingReaders,
      waitingWriters: this.#lock.waitingWriters,
    };
  }

  get metrics(): SharingMetrics {
    return this.#metrics;
  }

  /** Metric snapshots labelled `{ name }`, for `MetricsRegistry.addCollector`. */
  collectMetrics(): MetricSnapshot[] {
    return this.#metrics.collect({ name: this.#name });
  }

  #options(options: LockOptions | undefined): WaitOptions {
    if (options === undefined) return this.#defaults;
    return resolveLockOptions(options, this.#timeoutMs);
  }

  // An already-aborted signal refuses even an uncontended lock, as every other abortable API does.
  #abortedEarly(mode: 'read' | 'write', wait: WaitOptions): LockAbortedError | undefined {
    if (wait.signal?.aborted !== true) return undefined;
    this.#metrics.lockAborts += 1;
    return new LockAbortedError(mode, this.#name, wait.signal.reason);
  }

  #readGuard(): ReadGuard<T> {
    return new MutableReadGuard(this.#readValue, this.#releaseRead);
  }

  #writeGuard(): WriteGuard<T> {
    return new MutableWriteGuard(this.#readValue, this.#writeValue, this.#releaseWrite);
  }
}
