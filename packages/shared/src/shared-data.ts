import { describeValue, expectBoolean, expectFunction, isThenable, optional, readKnownOptions, readOptions } from '@patinox/errors';
import type { MetricSnapshot } from '@patinox/monitor';
import { NotCloneableError, SharedDisposedError, SharedOwnershipError, SHARED_OWNERSHIP } from './errors.js';
import { deepFreeze, findNonCloneable } from './internal/cloneable.js';
import { expectName, optionalFunction } from './internal/validate.js';
import type { SharedDataOptions } from './options.js';
import { SharingMetrics } from './sharing-metrics.js';

/** What `tryUpdate` returns: the function's result, or `SHARED_OWNERSHIP` when `fn` was not run. */
export type TryUpdateResult<R> =
  | { readonly ok: true; readonly value: R }
  | { readonly ok: false; readonly code: typeof SHARED_OWNERSHIP; readonly error: SharedOwnershipError };

/** A structured-clone-friendly description of a {@link SharedData}, for `postMessage` / `workerData`. */
export interface SharedDataHandle<T> {
  readonly kind: 'patinox.shared-data';
  readonly value: T;
  readonly name: string;
  readonly freeze: boolean;
}

// One snapshot and how many handles point at it. Handles of one family share `Family`.
interface Box<T> {
  value: T;
  refs: number;
  frozen: boolean;
}

interface Family<T> {
  readonly clone: (value: T) => T;
  readonly checkCloneable: boolean;
  readonly freeze: boolean;
  readonly name: string;
  readonly metrics: SharingMetrics;
}

/** `fn`'s result, or a TypeError when `fn` was async: ownership is decided when it returns. */
function syncResult<R>(result: R): R {
  if (isThenable(result)) throw new TypeError('Expected `fn` to be synchronous, got a function that returned a promise');
  return result;
}

// cloneRef() builds a handle around an existing box; the constructor picks it up from here, which keeps
// the public constructor signature clean without exposing an internal overload.
let adopting: { box: Box<unknown>; family: Family<unknown> } | undefined;

/**
 * An immutable snapshot that many holders share, with copy-on-write for the one that changes it.
 *
 * Every holder has a handle (`cloneRef()` makes one for almost nothing). A writer gets its own copy only
 * when other handles still point at the snapshot, so holders of the old snapshot never see a partial
 * update. Disposing a handle (`using`, or `dispose()`) lowers the reference count; a handle never
 * disposed only costs copies, never correctness.
 *
 * @example
 * ```ts
 * const routes = new SharedData({ '/': 'home' });
 * using reader = routes.cloneRef();
 * routes.update((r) => { r['/about'] = 'about'; }); // copies: `reader` still holds the old snapshot
 * reader.get(); // { '/': 'home' }
 * ```
 * @throws {NotCloneableError} `SHARED_NOT_CLONEABLE` at construction when the value holds functions,
 * symbols or class instances and no `clone` option is given.
 */
export class SharedData<T> implements Disposable, AsyncDisposable {
  // A box's value never changes identity (writes either mutate it in place as its sole holder or move
  // this handle to a new box), so the handle keeps it in its own field: get() is then one flag test and
  // one field load, which V8 treats like a plain property read.
  #value: T;
  #disposed = false;
  #box: Box<T> | undefined;
  readonly #family: Family<T>;
  readonly #metrics: SharingMetrics;

  constructor(value: T, options: SharedDataOptions<T> = {}) {
    const adopted = adopting as { box: Box<T>; family: Family<T> } | undefined;
    adopting = undefined;
    if (adopted !== undefined) {
      this.#box = adopted.box;
      this.#value = adopted.box.value;
      this.#family = adopted.family;
      this.#metrics = adopted.family.metrics;
      return;
    }
    const bag = readKnownOptions('options', options, ['clone', 'freeze', 'name']);
    const custom = optionalFunction<(v: T) => T>('clone', bag.clone);
    const freeze = optional('freeze', bag.freeze, expectBoolean, false);
    const name = expectName(bag.name, 'shared');
    this.#family = {
      clone: custom ?? structuredClone,
      checkCloneable: custom === undefined,
      freeze,
      name,
      metrics: new SharingMetrics(),
    };
    this.#metrics = this.#family.metrics;
    this.#value = this.#accept(value);
    this.#box = { value: this.#value, refs: 1, frozen: freeze };
  }

  /** Builds a handle from a {@link SharedDataHandle} received from another thread (the value was copied by `postMessage`). */
  static from<T>(handle: SharedDataHandle<T>, options: Omit<SharedDataOptions<T>, 'name' | 'freeze'> = {}): SharedData<T> {
    const fields = typeof handle === 'object' && handle !== null ? readOptions('handle', handle, ['kind', 'value', 'name', 'freeze']) : undefined;
    if (fields?.kind !== 'patinox.shared-data') {
      throw new TypeError(`Expected \`handle\` to be a SharedDataHandle, got ${describeValue(handle)}`);
    }
    const { clone } = readKnownOptions('options', options, ['clone']);
    return new SharedData(fields.value as T, { clone: clone as SharedDataOptions<T>['clone'], name: fields.name as string, freeze: fields.freeze as boolean });
  }

  /**
   * The current snapshot of this handle, at the cost of a property read (so it is not counted in
   * `metrics.reads`). Treat it as read-only: with
   * `freeze: true` it is frozen; without, mutating it bypasses copy-on-write.
   * @throws {SharedDisposedError} `SHARED_DISPOSED` on a disposed handle.
   */
  get(): T {
    if (this.#disposed) throw new SharedDisposedError(`SharedData ${this.#family.name}`);
    return this.#value;
  }

  /** A new handle to the same snapshot; dispose it when done so the writer can skip a copy. */
  cloneRef(): SharedData<T> {
    const box = this.#live();
    if (this.#family.freeze && !box.frozen) {
      deepFreeze(box.value);
      box.frozen = true;
    }
    box.refs += 1;
    this.#metrics.clones += 1;
    adopting = { box, family: this.#family } as { box: Box<unknown>; family: Family<unknown> };
    return new SharedData<T>(undefined as T);
  }

  /**
   * This handle's private, mutable value: copied first when other handles share the snapshot (or it
   * is frozen), returned as is otherwise. Mutations show in this handle's `get()` only.
   */
  makeMut(): T {
    const box = this.#live();
    this.#metrics.writes += 1;
    if (box.refs === 1 && !box.frozen) {
      this.#metrics.exclusiveWrites += 1;
      return box.value;
    }
    const copy = this.#copy(box.value);
    this.#detach(box, copy, false);
    return copy;
  }

  /**
   * Runs `fn` on a value this handle owns alone and returns its result: in place when this handle is
   * the sole holder, on a copy otherwise. On the copy path a throwing `fn` leaves the handle on the old
   * snapshot. `fn` must be synchronous.
   * @throws TypeError when `fn` returned a promise (on the copy path the handle stays on the old snapshot).
   */
  update<R>(fn: (draft: T) => R): R {
    expectFunction('fn', fn);
    const box = this.#live();
    this.#metrics.writes += 1;
    if (box.refs === 1 && !box.frozen) {
      this.#metrics.exclusiveWrites += 1;
      return syncResult(fn(box.value));
    }
    const copy = this.#copy(box.value);
    const result = syncResult(fn(copy));
    this.#detach(box, this.#family.freeze ? deepFreeze(copy) : copy, this.#family.freeze);
    return result;
  }

  /**
   * Runs `fn` in place only when this handle is the sole holder of an unfrozen snapshot; otherwise
   * returns a `SHARED_OWNERSHIP` result without running `fn`. `fn` must be synchronous.
   * @throws TypeError when `fn` returned a promise.
   */
  tryUpdate<R>(fn: (draft: T) => R): TryUpdateResult<R> {
    expectFunction('fn', fn);
    const box = this.#live();
    if (box.refs !== 1 || box.frozen) {
      return { ok: false, code: SHARED_OWNERSHIP, error: new SharedOwnershipError(box.refs, box.frozen) };
    }
    this.#metrics.writes += 1;
    this.#metrics.exclusiveWrites += 1;
    return { ok: true, value: syncResult(fn(box.value)) };
  }

  /**
   * Replaces this handle's value (other handles keep theirs); the way to change a primitive.
   * @throws {NotCloneableError} `SHARED_NOT_CLONEABLE` as the constructor does.
   */
  set(value: T): void {
    const box = this.#live();
    const accepted = this.#accept(value);
    this.#metrics.writes += 1;
    this.#detach(box, accepted, this.#family.freeze);
  }

  /** How many live handles share this handle's snapshot (1 when it is the only one). */
  get refCount(): number {
    return this.#live().refs;
  }

  /** True when a write would happen in place (sole holder of an unfrozen snapshot). */
  get isExclusive(): boolean {
    const box = this.#live();
    return box.refs === 1 && !box.frozen;
  }

  /** True once this handle was disposed. */
  get disposed(): boolean {
    return this.#box === undefined;
  }

  /** Same as {@link SharedData.disposed}, under the name every closable shares. */
  get closed(): boolean {
    return this.#box === undefined;
  }

  /** The counters shared by this handle and every handle cloned from the same original. */
  get metrics(): SharingMetrics {
    return this.#metrics;
  }

  /** Metric snapshots labelled `{ name }`, for `MetricsRegistry.addCollector`. */
  collectMetrics(): MetricSnapshot[] {
    return this.#metrics.collect({ name: this.#family.name });
  }

  /**
   * A description of this handle's snapshot to post to a worker (`workerData`, `postMessage`); the
   * receiving side rebuilds it with {@link SharedData.from}. The value is copied by the transfer: for
   * large tables shared without copying, use a `SharedRegion`.
   */
  share(): SharedDataHandle<T> {
    const box = this.#live();
    return { kind: 'patinox.shared-data', value: box.value, name: this.#family.name, freeze: this.#family.freeze };
  }

  /** Releases this handle; further calls throw `SHARED_DISPOSED`. Idempotent. */
  dispose(): void {
    const box = this.#box;
    if (box === undefined) return;
    box.refs -= 1;
    this.#box = undefined;
    this.#disposed = true;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Same as {@link SharedData.dispose}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.dispose();
    return Promise.resolve();
  }

  #live(): Box<T> {
    const box = this.#box;
    if (box === undefined) throw new SharedDisposedError(`SharedData ${this.#family.name}`);
    return box;
  }

  #accept(value: T): T {
    if (this.#family.checkCloneable) {
      const problem = findNonCloneable(value);
      if (problem !== undefined) throw new NotCloneableError(problem.path, problem.what);
    }
    return this.#family.freeze ? deepFreeze(value) : value;
  }

  #copy(value: T): T {
    let copy: T;
    try {
      copy = this.#family.clone(value);
    } catch (error) {
      // A value made uncloneable after construction (through makeMut) fails here, with a coded error.
      throw new NotCloneableError('$', 'a value structuredClone refused', error);
    }
    this.#metrics.copies += 1;
    return copy;
  }

  #detach(old: Box<T>, value: T, frozen: boolean): void {
    old.refs -= 1;
    this.#box = { value, refs: 1, frozen };
    this.#value = value;
  }
}
