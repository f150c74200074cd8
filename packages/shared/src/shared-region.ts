import { describeValue, expectFunction, expectOneOf, expectPositiveInteger, readKnownOptions, readOptions } from '@patinox/errors';
import type { MetricSnapshot } from '@patinox/monitor';
import { allocateShared, expectName, expectTimeout, isSharedArrayBuffer } from './internal/validate.js';
import type { LockOptions, LockOwnerOptions } from './options.js';
import { SharedRwLock, type SharedLockGuard } from './shared-rw-lock.js';
import type { SharingMetrics } from './sharing-metrics.js';

/** The typed arrays a {@link SharedRegion} can hold, by constructor name. */
export interface TypedArrayTypes {
  Int8Array: Int8Array;
  Uint8Array: Uint8Array;
  Uint8ClampedArray: Uint8ClampedArray;
  Int16Array: Int16Array;
  Uint16Array: Uint16Array;
  Int32Array: Int32Array;
  Uint32Array: Uint32Array;
  Float32Array: Float32Array;
  Float64Array: Float64Array;
  BigInt64Array: BigInt64Array;
  BigUint64Array: BigUint64Array;
}

/** The name of a typed array a {@link SharedRegion} can hold. */
export type TypedArrayName = keyof TypedArrayTypes;

const CONSTRUCTORS: { [K in TypedArrayName]: { new (buffer: SharedArrayBuffer, byteOffset: number, length: number): TypedArrayTypes[K]; BYTES_PER_ELEMENT: number } } = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
};
const TYPE_NAMES = Object.keys(CONSTRUCTORS) as TypedArrayName[];

// The lock's 16 bytes sit in their own 64-byte cache line ahead of the data, so lock traffic does not
// bounce the line holding the table's first elements, and the data stays 8-byte aligned.
const DATA_OFFSET = 64;

/** A structured-clone-friendly description of a {@link SharedRegion}, to post to a worker. */
export interface SharedRegionHandle<K extends TypedArrayName = TypedArrayName> {
  readonly kind: 'patinox.shared-region';
  readonly buffer: SharedArrayBuffer;
  readonly type: K;
  readonly length: number;
  readonly name: string;
}

/** A granted lock on a region: `view` is the shared typed array (not a copy). */
export interface RegionGuard<A> extends SharedLockGuard {
  readonly view: A;
}

/**
 * A typed array in a `SharedArrayBuffer` guarded by a {@link SharedRwLock}, so the main thread and
 * workers read and update one large table without copying it. Post {@link SharedRegion.handle} to a
 * worker and rebuild it there with {@link SharedRegion.from}.
 *
 * The lock is advisory: `view` is reachable without it, and a reader can write through it. Keep every
 * access inside `withRead` / `withWrite` (or a guard's lifetime).
 *
 * @example
 * ```ts
 * const prices = SharedRegion.create('Float64Array', 1_000_000);
 * const worker = new Worker(file, { workerData: prices.handle });
 * await prices.withWrite((view) => view.fill(1));
 * ```
 */
export class SharedRegion<K extends TypedArrayName = TypedArrayName> {
  /** The shared typed array; touch it only while holding the lock. */
  readonly view: TypedArrayTypes[K];
  /** The lock guarding `view`. */
  readonly lock: SharedRwLock;
  readonly #handle: SharedRegionHandle<K>;

  private constructor(handle: SharedRegionHandle<K>, options: LockOwnerOptions) {
    const Ctor = CONSTRUCTORS[handle.type];
    this.view = new Ctor(handle.buffer, DATA_OFFSET, handle.length);
    this.lock = new SharedRwLock({ ...options, name: handle.name, buffer: handle.buffer, byteOffset: 0 });
    this.#handle = handle;
  }

  /** Allocates a zero-filled region of `length` elements of `type`, with its lock. */
  static create<T extends TypedArrayName>(type: T, length: number, options: LockOwnerOptions = {}): SharedRegion<T> {
    expectOneOf('type', type, TYPE_NAMES);
    expectPositiveInteger('length', length);
    const bag = readKnownOptions('options', options, ['name', 'timeoutMs']);
    const name = expectName(bag.name, 'region');
    const timeoutMs = expectTimeout('timeoutMs', bag.timeoutMs, undefined);
    const buffer = allocateShared(DATA_OFFSET + length * CONSTRUCTORS[type].BYTES_PER_ELEMENT, 'length', length);
    return new SharedRegion<T>({ kind: 'patinox.shared-region', buffer, type, length, name }, { timeoutMs });
  }

  /** Rebuilds a region from a {@link SharedRegionHandle} received from another thread; the memory is shared. */
  static from<T extends TypedArrayName>(handle: SharedRegionHandle<T>, options: Omit<LockOwnerOptions, 'name'> = {}): SharedRegion<T> {
    // Read once, as plain data: a handle or bag whose getters or traps throw is a TypeError naming it.
    const fields = (typeof handle === 'object' && handle !== null ? readOptions('handle', handle, ['kind', 'buffer', 'type', 'length', 'name']) : undefined) as
      | Partial<SharedRegionHandle<T>>
      | undefined;
    if (
      fields?.kind !== 'patinox.shared-region' ||
      !isSharedArrayBuffer(fields.buffer) ||
      !TYPE_NAMES.includes(fields.type as T) ||
      !Number.isInteger(fields.length) ||
      fields.length! < 1 ||
      DATA_OFFSET + fields.length! * CONSTRUCTORS[fields.type!].BYTES_PER_ELEMENT > fields.buffer.byteLength
    ) {
      throw new TypeError(`Expected \`handle\` to be a SharedRegionHandle, got ${describeValue(handle)}`);
    }
    const { timeoutMs } = readKnownOptions('options', options, ['timeoutMs']);
    return new SharedRegion<T>(fields as SharedRegionHandle<T>, { timeoutMs: timeoutMs as number | undefined });
  }

  /** What to post to a worker (`workerData` or `postMessage`); the buffer is shared, not copied. */
  get handle(): SharedRegionHandle<K> {
    return this.#handle;
  }

  /** Waits for a read lock; the guard carries the view. */
  async read(options?: LockOptions): Promise<RegionGuard<TypedArrayTypes[K]>> {
    return this.#wrap(await this.lock.read(options));
  }

  /** Waits for the write lock; the guard carries the view. */
  async write(options?: LockOptions): Promise<RegionGuard<TypedArrayTypes[K]>> {
    return this.#wrap(await this.lock.write(options));
  }

  /** A read lock without waiting, else `undefined`. */
  tryRead(): RegionGuard<TypedArrayTypes[K]> | undefined {
    const guard = this.lock.tryRead();
    return guard === undefined ? undefined : this.#wrap(guard);
  }

  /** The write lock without waiting, else `undefined`. */
  tryWrite(): RegionGuard<TypedArrayTypes[K]> | undefined {
    const guard = this.lock.tryWrite();
    return guard === undefined ? undefined : this.#wrap(guard);
  }

  /** Runs `fn(view)` under a read lock. */
  withRead<R>(fn: (view: TypedArrayTypes[K]) => R, options?: LockOptions): Promise<Awaited<R>> {
    expectFunction('fn', fn);
    return this.lock.withRead(() => fn(this.view), options);
  }

  /** Runs `fn(view)` under the write lock. */
  withWrite<R>(fn: (view: TypedArrayTypes[K]) => R, options?: LockOptions): Promise<Awaited<R>> {
    expectFunction('fn', fn);
    return this.lock.withWrite(() => fn(this.view), options);
  }

  get metrics(): SharingMetrics {
    return this.lock.metrics;
  }

  /** This thread's lock counters labelled `{ name }`. */
  collectMetrics(): MetricSnapshot[] {
    return this.lock.collectMetrics();
  }

  #wrap(guard: SharedLockGuard): RegionGuard<TypedArrayTypes[K]> {
    const view = this.view;
    return {
      view,
      mode: guard.mode,
      release: () => guard.release(),
      assertHeld: () => guard.assertHeld(),
      [Symbol.dispose]: () => guard.release(),
    };
  }
}
