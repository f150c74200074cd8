import { describeValue, expectFunction, expectNonNegativeInteger, readKnownOptions, readOptions } from '@patinox/errors';
import type { MetricSnapshot } from '@patinox/monitor';
import { LockAbortedError, LockTimeoutError, SharedDisposedError } from './errors.js';
import { settle } from './internal/settle.js';
import { expectName, expectTimeout, isSharedArrayBuffer, resolveLockOptions, type WaitOptions } from './internal/validate.js';
import type { LockOptions, LockOwnerOptions, SharedRwLockOptions } from './options.js';
import { SharingMetrics } from './sharing-metrics.js';

// Phase-fair ticket lock (Brandenburg & Anderson, "PF-T") over four Int32 cells of a SharedArrayBuffer:
// readers count in and out in steps of RINC; a present writer sets PRES plus its phase bit in RIN, so
// readers that arrive during a write wait only for *that* writer's bits to change, and go before the next
// writer. Waiting uses Atomics.waitAsync, so no thread (least of all the main thread) ever blocks.
// Int32 counters wrap; only equality is ever tested, which survives the wrap.
const RIN = 0;
const ROUT = 1;
const WIN = 2;
const WOUT = 3;
const RINC = 0x100;
const WBITS = 0x3;
const PRES = 0x2;
const PHID = 0x1;
// Background waits of callers that gave up must see their turn through, whatever the defaults say.
const UNLIMITED: WaitOptions = { timeoutMs: undefined, signal: undefined };

// Node 20 has Atomics.waitAsync (V8 ≥ 8.7) but TypeScript's ES2022 lib does not declare it.
type WaitAsyncResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
const waitAsync = (Atomics as unknown as { waitAsync: (array: Int32Array, index: number, value: number) => WaitAsyncResult }).waitAsync;

// A pending Atomics.waitAsync does not keep a Node event loop alive: a worker waiting for a lock held by
// another thread would simply exit. One ref'd interval per thread is held while any wait is pending.
let pendingWaits = 0;
let keepAlive: ReturnType<typeof setInterval> | undefined;

function holdLoop(): void {
  pendingWaits += 1;
  keepAlive ??= setInterval(noop, 1 << 30);
}

function releaseLoop(): void {
  pendingWaits -= 1;
  if (pendingWaits === 0 && keepAlive !== undefined) {
    clearInterval(keepAlive);
    keepAlive = undefined;
  }
}

function noop(): void {
  // keeps the event loop alive; never does anything
}

/** A structured-clone-friendly description of a {@link SharedRwLock}, to post to a worker. */
export interface SharedRwLockHandle {
  readonly kind: 'patinox.shared-rw-lock';
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
  readonly name: string;
}

/** A granted lock of a {@link SharedRwLock}; release it (or let `using` do it) exactly once. */
export interface SharedLockGuard extends Disposable {
  /** Whether this guard holds a read or the write lock. */
  readonly mode: 'read' | 'write';
  /** Releases the lock; idempotent. */
  release(): void;
  /** Throws `SHARED_DISPOSED` once released; call before touching the guarded memory from a long task. */
  assertHeld(): void;
}

class Guard implements SharedLockGuard {
  #held = true;
  readonly mode: 'read' | 'write';
  readonly #release: () => void;

  constructor(mode: 'read' | 'write', release: () => void) {
    this.mode = mode;
    this.#release = release;
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#release();
  }

  assertHeld(): void {
    if (!this.#held) throw new SharedDisposedError(`${this.mode} guard`);
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

/**
 * A phase-fair reader-writer lock whose state lives in a `SharedArrayBuffer`, so the main thread and
 * workers can share one lock: post {@link SharedRwLock.handle} to a worker and rebuild it there with
 * {@link SharedRwLock.from}. Waiting uses `Atomics.waitAsync` and never blocks a thread.
 *
 * A thread that exits (or a worker that is terminated) while holding the lock leaves it held: waiters
 * then end only by `timeoutMs` or `signal`. A waiter that gives up is rejected at once; its place in the
 * queue is passed on in the background as soon as its turn comes, so the lock stays fair and consistent;
 * until then the thread's event loop is kept alive (for ever if the holder died: end such a thread yourself).
 *
 * @example
 * ```ts
 * const lock = new SharedRwLock();
 * new Worker(file, { workerData: { lock: lock.handle } }); // worker: SharedRwLock.from(workerData.lock)
 * await lock.withWrite(() => { table[0] = 42; });
 * ```
 * @throws {LockTimeoutError} `SHARED_LOCK_TIMEOUT` from waiting calls past `timeoutMs`.
 * @throws {LockAbortedError} `SHARED_LOCK_ABORTED` from waiting calls whose `signal` aborts.
 */
export class SharedRwLock {
  /** Bytes of lock state in the buffer. */
  static readonly BYTES = 16;

  readonly #state: Int32Array;
  readonly #buffer: SharedArrayBuffer;
  readonly #byteOffset: number;
  readonly #name: string;
  readonly #metrics = new SharingMetrics();
  readonly #defaults: WaitOptions;
  readonly #releaseRead = (): void => this.#unlockRead();
  readonly #releaseWrite = (): void => this.#unlockWrite();

  constructor(options: SharedRwLockOptions = {}) {
    const bag = readKnownOptions('options', options, ['buffer', 'byteOffset', 'name', 'timeoutMs']);
    const buffer = bag.buffer ?? new SharedArrayBuffer(SharedRwLock.BYTES);
    if (!isSharedArrayBuffer(buffer)) {
      throw new TypeError(`Expected \`buffer\` to be a SharedArrayBuffer, got ${describeValue(buffer)}`);
    }
    const byteOffset = bag.byteOffset === undefined ? 0 : expectNonNegativeInteger('byteOffset', bag.byteOffset);
    if (byteOffset % 4 !== 0 || byteOffset + SharedRwLock.BYTES > buffer.byteLength) {
      throw new RangeError(
        `Expected \`byteOffset\` to be a multiple of 4 with ${SharedRwLock.BYTES} bytes after it in a ${buffer.byteLength}-byte buffer, got ${describeValue(byteOffset)}`,
      );
    }
    this.#name = expectName(bag.name, 'shared-lock');
    this.#defaults = { timeoutMs: expectTimeout('timeoutMs', bag.timeoutMs, undefined), signal: undefined };
    this.#buffer = buffer;
    this.#byteOffset = byteOffset;
    this.#state = new Int32Array(buffer, byteOffset, 4);
  }

  /** Rebuilds a lock from a {@link SharedRwLockHandle} received from another thread. */
  static from(handle: SharedRwLockHandle, options: LockOwnerOptions = {}): SharedRwLock {
    const fields = typeof handle === 'object' && handle !== null ? readOptions('handle', handle, ['kind', 'buffer', 'byteOffset', 'name']) : undefined;
    if (fields?.kind !== 'patinox.shared-rw-lock') {
      throw new TypeError(`Expected \`handle\` to be a SharedRwLockHandle, got ${describeValue(handle)}`);
    }
    const { name, timeoutMs } = readKnownOptions('options', options, ['name', 'timeoutMs']);
    return new SharedRwLock({ name: (name ?? fields.name) as string, timeoutMs: timeoutMs as number | undefined, buffer: fields.buffer as SharedArrayBuffer, byteOffset: fields.byteOffset as number });
  }

  /** What to post to a worker (`workerData` or `postMessage`); the buffer is shared, not copied. */
  get handle(): SharedRwLockHandle {
    return { kind: 'patinox.shared-rw-lock', buffer: this.#buffer, byteOffset: this.#byteOffset, name: this.#name };
  }

  /** Waits for a read lock. */
  async read(options?: LockOptions): Promise<SharedLockGuard> {
    await this.#lockRead(this.#options(options));
    return new Guard('read', this.#releaseRead);
  }

  /** Waits for the write lock. */
  async write(options?: LockOptions): Promise<SharedLockGuard> {
    await this.#lockWrite(this.#options(options));
    return new Guard('write', this.#releaseWrite);
  }

  /** A read lock if no writer is present, else `undefined`; never waits. */
  tryRead(): SharedLockGuard | undefined {
    const s = this.#state;
    // Retry while only other readers moved RIN: failing then would be a spurious refusal.
    for (let v = Atomics.load(s, RIN); ; ) {
      if ((v & WBITS) !== 0) return undefined;
      const seen = Atomics.compareExchange(s, RIN, v, (v + RINC) | 0);
      if (seen === v) break;
      v = seen;
    }
    this.#metrics.reads += 1;
    return new Guard('read', this.#releaseRead);
  }

  /** The write lock if nobody holds or waits for the lock, else `undefined`; never waits. */
  tryWrite(): SharedLockGuard | undefined {
    const s = this.#state;
    const ticket = Atomics.load(s, WIN);
    if (Atomics.load(s, WOUT) !== ticket || Atomics.compareExchange(s, WIN, ticket, (ticket + 1) | 0) !== ticket) return undefined;
    const rticket = Atomics.add(s, RIN, PRES | (ticket & PHID));
    if (Atomics.load(s, ROUT) !== rticket) {
      // Readers are inside: step back out the way a writer leaves, which also frees readers that
      // queued behind our bits meanwhile.
      this.#unlockWrite();
      return undefined;
    }
    this.#metrics.writes += 1;
    return new Guard('write', this.#releaseWrite);
  }

  /** Runs `fn` under a read lock and releases it when `fn` returns, throws or settles. */
  async withRead<R>(fn: () => R, options?: LockOptions): Promise<Awaited<R>> {
    expectFunction('fn', fn);
    await this.#lockRead(this.#options(options));
    return settle(fn, this.#releaseRead);
  }

  /** Runs `fn` under the write lock and releases it when `fn` returns, throws or settles. */
  async withWrite<R>(fn: () => R, options?: LockOptions): Promise<Awaited<R>> {
    expectFunction('fn', fn);
    await this.#lockWrite(this.#options(options));
    return settle(fn, this.#releaseWrite);
  }

  get metrics(): SharingMetrics {
    return this.#metrics;
  }

  /** This thread's lock counters labelled `{ name }`, for `MetricsRegistry.addCollector`. */
  collectMetrics(): MetricSnapshot[] {
    return this.#metrics.collect({ name: this.#name });
  }

  #options(options: LockOptions | undefined): WaitOptions {
    return options === undefined ? this.#defaults : resolveLockOptions(options, this.#defaults.timeoutMs);
  }

  async #lockRead(wait: WaitOptions): Promise<void> {
    if (wait.signal?.aborted === true) throw this.#aborted('read', wait.signal);
    const s = this.#state;
    const w = Atomics.add(s, RIN, RINC) & WBITS;
    if (w !== 0) {
      const blocked = (v: number): boolean => (v & WBITS) === w;
      const failure = await this.#waitWhile(RIN, blocked, wait, 'read');
      if (failure !== undefined) {
        // Our RINC is already counted: a writer's drain waits for it. Leave the queue properly.
        void this.#waitWhile(RIN, blocked, UNLIMITED, 'read').then(this.#releaseRead);
        throw failure;
      }
    }
    this.#metrics.reads += 1;
  }

  async #lockWrite(wait: WaitOptions): Promise<void> {
    if (wait.signal?.aborted === true) throw this.#aborted('write', wait.signal);
    const s = this.#state;
    const startedAt = wait.timeoutMs === undefined ? 0 : performance.now();
    const ticket = Atomics.add(s, WIN, 1);
    const notMyTurn = (v: number): boolean => v !== ticket;
    if (Atomics.load(s, WOUT) !== ticket) {
      const failure = await this.#waitWhile(WOUT, notMyTurn, wait, 'write');
      if (failure !== undefined) {
        void this.#waitWhile(WOUT, notMyTurn, UNLIMITED, 'write').then(() => this.#passTurn());
        throw failure;
      }
    }
    const rticket = Atomics.add(s, RIN, PRES | (ticket & PHID));
    const readersInside = (v: number): boolean => v !== rticket;
    if (Atomics.load(s, ROUT) !== rticket) {
      // One deadline covers both phases: what the turn took is gone from the drain's budget.
      const drain = wait.timeoutMs === undefined ? wait : { ...wait, timeoutMs: Math.max(0, wait.timeoutMs - (performance.now() - startedAt)) };
      const failure = await this.#waitWhile(ROUT, readersInside, drain, 'write');
      if (failure !== undefined) {
        void this.#waitWhile(ROUT, readersInside, UNLIMITED, 'write').then(this.#releaseWrite);
        throw failure;
      }
    }
    this.#metrics.writes += 1;
  }

  // Waits until `blocked(state[index])` is false; returns the error to throw when the caller gave up.
  async #waitWhile(index: number, blocked: (v: number) => boolean, wait: WaitOptions, mode: 'read' | 'write'): Promise<Error | undefined> {
    const s = this.#state;
    let v = Atomics.load(s, index);
    if (!blocked(v)) return undefined;
    this.#metrics.lockWaits += 1;
    const { signal, timeoutMs } = wait;
    let giveUp: ((error: Error) => void) | undefined;
    let gaveUp: Promise<Error> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = (): void => giveUp?.(this.#aborted(mode, signal as AbortSignal));
    if (signal !== undefined || timeoutMs !== undefined) {
      gaveUp = new Promise<Error>((resolve) => {
        giveUp = resolve;
      });
      if (signal !== undefined) {
        if (signal.aborted) return this.#aborted(mode, signal);
        signal.addEventListener('abort', onAbort, { once: true });
      }
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.#metrics.lockTimeouts += 1;
          giveUp?.(new LockTimeoutError(mode, timeoutMs, this.#name));
        }, timeoutMs);
      }
    }
    holdLoop();
    try {
      while (blocked(v)) {
        const result = waitAsync(s, index, v);
        if (result.async) {
          if (gaveUp === undefined) {
            await result.value;
          } else {
            const outcome = await Promise.race([result.value, gaveUp]);
            if (outcome instanceof Error) {
              // The grant may have raced the give-up: if the lock is ours now, keep it.
              if (!blocked(Atomics.load(s, index))) return undefined;
              return outcome;
            }
          }
        }
        v = Atomics.load(s, index);
      }
      return undefined;
    } finally {
      releaseLoop();
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #aborted(mode: 'read' | 'write', signal: AbortSignal): LockAbortedError {
    this.#metrics.lockAborts += 1;
    return new LockAbortedError(mode, this.#name, signal.reason);
  }

  #unlockRead(): void {
    const s = this.#state;
    Atomics.add(s, ROUT, RINC);
    // Only a writer draining readers waits on ROUT; skip the notify when none is present.
    if ((Atomics.load(s, RIN) & PRES) !== 0) Atomics.notify(s, ROUT);
  }

  #unlockWrite(): void {
    const s = this.#state;
    Atomics.and(s, RIN, ~WBITS);
    Atomics.notify(s, RIN);
    this.#passTurn();
  }

  // Hands the writer turn to the next ticket.
  #passTurn(): void {
    const s = this.#state;
    Atomics.add(s, WOUT, 1);
    Atomics.notify(s, WOUT);
  }
}
