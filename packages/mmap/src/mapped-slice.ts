import { describeValue } from '@patinox/errors';
import type { ElementType, TypedArrayOf, ValueOf } from './element-type.js';
import { MappingReadOnlyError } from './errors.js';
import type { TypedWindows } from './internal/typed-windows.js';

/**
 * A bounds-checked, read-only view of mapped elements: what `'read'` mappings hand out. It has no setter,
 * and no way to reach the memory behind it, so nothing can write to a read-only mapping through it.
 */
export interface ReadonlyMappedSlice<T extends ElementType> extends Iterable<ValueOf<T>> {
  /** Number of elements. */
  readonly length: number;
  /** True when `length` is 0. */
  readonly isEmpty: boolean;
  /**
   * Element `index`, or `undefined` when `index` is not an integer in `[0, length)`.
   * @throws MappingClosedError (`MAPPING_CLOSED`) after the file is closed.
   */
  get(index: number): ValueOf<T> | undefined;
  /** Zero-copy sub-view of elements `[start, end)`, or `undefined` when the range is not inside this slice. */
  slice(start: number, end?: number): ReadonlyMappedSlice<T> | undefined;
  /** Copies the elements into a new (unmapped) typed array, which stays usable after close. */
  toTypedArray(): TypedArrayOf<T>;
}

/** @internal Constructor key: only this package creates slices. */
export const SLICE_KEY: unique symbol = Symbol('MappedSlice');

/**
 * A bounds-checked view of mapped elements with a setter for writable mappings. Zero copy: reads and writes
 * go straight to the mapped memory. After `close()` every access throws `MAPPING_CLOSED`.
 *
 * @example
 * ```ts
 * const file = await MappedFile.open('counters.bin', { type: 'u32', mode: 'readwrite', size: 4096 });
 * const counters = file.asMappedSlice();
 * counters.set(0, (counters.get(0) ?? 0) + 1);
 * ```
 */
export class MappedSlice<T extends ElementType> implements ReadonlyMappedSlice<T> {
  readonly #tw: TypedWindows;
  readonly #start: number;
  readonly #length: number;
  readonly #writable: boolean;

  /** @internal Use `MappedFile.asMappedSlice()`. */
  constructor(key: typeof SLICE_KEY, tw: TypedWindows, start: number, length: number, writable: boolean) {
    if (key !== SLICE_KEY) throw new TypeError('MappedSlice is created by MappedFile.asMappedSlice(), not with new');
    this.#tw = tw;
    this.#start = start;
    this.#length = length;
    this.#writable = writable;
  }

  get length(): number {
    return this.#length;
  }

  get isEmpty(): boolean {
    return this.#length === 0;
  }

  /** True when `set` may be called (mode `'readwrite'` or `'private'`). */
  get isWritable(): boolean {
    return this.#writable;
  }

  get(index: number): ValueOf<T> | undefined {
    // Fast path: one window, in bounds. `single` is dropped on close, so a closed file falls to #slowGet.
    const single = this.#tw.single;
    if (single !== undefined && index >>> 0 === index && index < this.#length) return single[this.#start + index] as ValueOf<T>;
    return this.#slowGet(index);
  }

  #slowGet(index: number): ValueOf<T> | undefined {
    const tw = this.#tw;
    tw.core.assertOpen();
    if (index >>> 0 !== index || index >= this.#length) return undefined;
    return tw.read(this.#start + index) as ValueOf<T>;
  }

  /**
   * Writes `value` at `index`.
   * @throws MappingReadOnlyError (`MAPPING_READ_ONLY`) on a `'read'` mapping; MappingClosedError after close;
   * RangeError when `index` is out of bounds; TypeError when `value` is not a number (a bigint for u64/i64).
   */
  set(index: number, value: ValueOf<T>): void {
    const tw = this.#tw;
    tw.core.assertOpen();
    if (!this.#writable) throw new MappingReadOnlyError(`${tw.core.path} is mapped read-only; open it with mode 'readwrite' or 'private' to write`, { context: { path: tw.core.path } });
    if (index >>> 0 !== index || index >= this.#length) {
      throw new RangeError(`Expected \`index\` to be an integer in [0, ${this.#length}), got ${describeValue(index)}`);
    }
    if (typeof value !== (tw.info.isBigInt ? 'bigint' : 'number')) {
      throw new TypeError(`Expected \`value\` to be a ${tw.info.isBigInt ? 'bigint' : 'number'} for ${tw.info.type}, got ${describeValue(value)}`);
    }
    const single = tw.single;
    if (single !== undefined) single[this.#start + index] = value;
    else tw.write(this.#start + index, value);
  }

  slice(start: number, end: number = this.#length): MappedSlice<T> | undefined {
    this.#tw.core.assertOpen();
    if (!Number.isInteger(start) || !Number.isInteger(end)) {
      throw new TypeError(`Expected \`start\` and \`end\` to be integers, got ${describeValue(start)} and ${describeValue(end)}`);
    }
    if (start < 0 || end > this.#length || start > end) return undefined;
    return new MappedSlice<T>(SLICE_KEY, this.#tw, this.#start + start, end - start, this.#writable);
  }

  toTypedArray(): TypedArrayOf<T> {
    this.#tw.core.assertOpen();
    return this.#tw.copy(this.#start, this.#start + this.#length) as TypedArrayOf<T>;
  }

  *[Symbol.iterator](): IterableIterator<ValueOf<T>> {
    for (let i = 0; i < this.#length; i += 1) yield this.get(i) as ValueOf<T>;
  }
}
