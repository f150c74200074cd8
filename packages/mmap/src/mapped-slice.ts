import { describeValue } from '@patinox/errors';
import { elementValueError, fitsElement, type ElementType, type TypedArrayOf, type ValueOf } from './element-type.js';
import { MappingReadOnlyError } from './errors.js';
import { getSwitch, trackPromotable } from './internal/promoted-get.js';
import { slowGet, STATE, type SliceState } from './internal/slice-state.js';
import type { Indexable, TypedWindows } from './internal/typed-windows.js';

/**
 * A bounds-checked, read-only view of mapped elements: what `'read'` mappings hand out. It has no setter,
 * and no public way to reach the memory behind it, so nothing can write to a read-only mapping through it.
 */
export interface ReadonlyMappedSlice<T extends ElementType> extends Iterable<ValueOf<T>> {
  /** Number of elements. */
  readonly length: number;
  /** True when `length` is 0. */
  readonly isEmpty: boolean;
  /**
   * Element `index`, or `undefined` when `index` is not an integer in `[0, length)`.
   * @throws MappingClosedError (`MMAP_CLOSED`) after the file is closed.
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
 * go straight to the mapped memory. After `close()` every access throws `MMAP_CLOSED`.
 *
 * @example
 * ```ts
 * const file = await MappedFile.open('counters.bin', { type: 'u32', mode: 'readwrite', size: 4096 });
 * const counters = file.asMappedSlice();
 * counters.set(0, (counters.get(0) ?? 0) + 1);
 * ```
 */
export class MappedSlice<T extends ElementType> implements ReadonlyMappedSlice<T> {
  // One symbol-keyed state object instead of #private fields: in Node 20, V8 reads private fields in this
  // hot getter ~2–3x slower than plain properties, and get() must stay close to raw indexing.
  declare protected readonly [STATE]: SliceState;

  /** @internal Use `MappedFile.asMappedSlice()`. */
  constructor(key: typeof SLICE_KEY, tw: TypedWindows, start: number, length: number, writable: boolean) {
    if (key !== SLICE_KEY) throw new TypeError('MappedSlice is created by MappedFile.asMappedSlice(), not with new');
    const state: SliceState = { tw, start, length, writable, arr: tw.viewOf(start, length) };
    tw.track(state);
    Object.defineProperty(this, STATE, { value: state });
  }

  get length(): number {
    return this[STATE].length;
  }

  get isEmpty(): boolean {
    return this[STATE].length === 0;
  }

  /** True when `set` may be called (mode `'readwrite'` or `'private'`). */
  get isWritable(): boolean {
    return this[STATE].writable;
  }

  get(index: number): ValueOf<T> | undefined {
    const st = this[STATE];
    // `arr` views exactly this slice's elements and is emptied on close, so the typed array's own bounds check
    // is the only one on the fast path: out of range, not an integer, or closed all read `undefined` and go to
    // slowGet. The typeof check keeps property names ('length', 'buffer') from being read off the array; V8
    // drops it when the index is known to be a number.
    if (typeof index === 'number') {
      const value = st.arr[index];
      if (value !== undefined) return value as ValueOf<T>;
    }
    return slowGet(st, index) as ValueOf<T> | undefined;
  }

  /**
   * Writes `value` at `index`.
   * @throws MappingReadOnlyError (`MMAP_READ_ONLY`) on a `'read'` mapping; MappingClosedError after close;
   * RangeError when `index` is out of bounds or `value` does not fit the element type (an integer type takes
   * only integers in its range, u64/i64 only bigints in theirs; f32/f64 take any number); TypeError when
   * `value` is not a number (a bigint for u64/i64).
   */
  set(index: number, value: ValueOf<T>): void {
    const st = this[STATE];
    const tw = st.tw;
    tw.core.assertOpen();
    if (!st.writable) throw new MappingReadOnlyError(`${tw.core.path} is mapped read-only; open it with mode 'readwrite' or 'private' to write`, { context: { path: tw.core.path } });
    if (typeof index !== 'number' || index >>> 0 !== index || index >= st.length) {
      throw new RangeError(`Expected \`index\` to be an integer in [0, ${st.length}), got ${describeValue(index)}`);
    }
    // A typed array would wrap, truncate or zero a value it cannot hold: refused instead, before anything is written.
    if (!fitsElement(tw.info, value)) {
      if (typeof value !== (tw.info.isBigInt ? 'bigint' : 'number')) {
        throw new TypeError(`Expected \`value\` to be a ${tw.info.isBigInt ? 'bigint' : 'number'} for ${tw.info.type}, got ${describeValue(value)}`);
      }
      throw elementValueError(tw.info, `\`value\` at index ${index}`, value);
    }
    const single = tw.single;
    const at = st.start + index;
    if (at < single.length) single[at] = value;
    else tw.write(at, value);
  }

  slice(start: number, end: number = this[STATE].length): MappedSlice<T> | undefined {
    const st = this[STATE];
    st.tw.core.assertOpen();
    if (!Number.isInteger(start) || !Number.isInteger(end)) {
      throw new TypeError(`Expected \`start\` and \`end\` to be integers, got ${describeValue(start)} and ${describeValue(end)}`);
    }
    if (start < 0 || end > st.length || start > end) return undefined;
    return createSlice<T>(st.tw, st.start + start, end - start, st.writable);
  }

  toTypedArray(): TypedArrayOf<T> {
    const st = this[STATE];
    st.tw.core.assertOpen();
    return st.tw.copy(st.start, st.start + st.length) as TypedArrayOf<T>;
  }

  *[Symbol.iterator](): IterableIterator<ValueOf<T>> {
    const length = this[STATE].length;
    for (let i = 0; i < length; i += 1) yield this.get(i) as ValueOf<T>;
  }
}

const WINDOWS: unique symbol = Symbol('WindowedMappedSlice.windows');

/** What the windowed `get` reads, in one flat object so its fast path skips the shared state and the TypedWindows. */
interface WindowState {
  /** The file's typed windows, whose `single` is the promoted mapping (empty until then, and after close). */
  readonly tw: TypedWindows;
  /** The file's window arrays (shared by all its slices, emptied on close, filled on first use). */
  readonly arrays: (Indexable | undefined)[];
  readonly start: number;
  readonly length: number;
  readonly shift: number;
  readonly mask: number;
}

/**
 * The typed array of the window holding element `g`, mapping it first (which re-checks the size in checked
 * mode, and throws MMAP_CLOSED or MMAP_FILE_TRUNCATED once the file is closed or poisoned).
 *
 * Windowed `get`s call this for a window that is not mapped yet and then index the array it returns, rather than
 * returning a value read on a slow path: V8 inlines a `get` together with every path that has run, and a slow
 * path's value (any type) merged into the result forces the fast path's elements to be boxed. For u32 values of
 * 2^31 and above (and floats that are not small integers) that is one heap number per call: a promoted `get` cost
 * 5–6 ns instead of ~0.8 ns in a summing loop, once its windows had been faulted through the same `get`. Indexing
 * the returned array keeps the result an element of one typed array type on every path that runs.
 */
function windowOf(w: WindowState, g: number): Indexable {
  return w.tw.array(g >>> w.shift);
}

/**
 * @internal The slice of a windowed range. A separate class keeps the single-mapping `get` monomorphic:
 * sharing one `get` with the windowed path made it ~2x slower in V8 even for single mappings.
 */
class WindowedMappedSlice<T extends ElementType> extends MappedSlice<T> {
  declare protected readonly [WINDOWS]: WindowState;

  constructor(key: typeof SLICE_KEY, tw: TypedWindows, start: number, length: number, writable: boolean) {
    super(key, tw, start, length, writable);
    // Random reads over a mapping are bound by memory latency, and every instruction the lookup adds keeps
    // fewer cache misses in flight: reading the window array, shift and mask straight from this object,
    // rather than through the shared state and the TypedWindows, took a random get from ~1.7x to ~1.5x the
    // cost of the same lookup written inline (isolated runs).
    Object.defineProperty(this, WINDOWS, { value: { tw, arrays: tw.windowArrays, start, length, shift: tw.shift, mask: tw.mask } satisfies WindowState });
  }

  override get(index: number): ValueOf<T> | undefined {
    const w = this[WINDOWS];
    if (typeof index === 'number' && index >>> 0 === index && index < w.length) {
      // Stateless lookup (power-of-two windows: a shift and a mask; element indexes stay below 2^32), so
      // random and sequential access share one stable fast path. Window arrays are dropped on close and
      // missing until first use; both cases go to windowOf, which maps the window or throws.
      const g = w.start + index;
      const array = w.arrays[g >>> w.shift] ?? windowOf(w, g);
      return array[g & w.mask] as ValueOf<T>;
    }
    return slowGet(this[STATE], index) as ValueOf<T> | undefined;
  }
}

// V8 keeps type feedback per function literal, and one keyed load that has seen more than four typed array
// classes turns megamorphic (a random windowed get then cost ~1.5x as much once five element types had
// been read in the process). So each group of at most four element types gets its own `get` literal below:
// identical source, separate feedback. A class factory would not help: its classes share one literal.

/** @internal Single-mapping slice of 32-bit and float elements (u32 i32 f32 f64). */
class WideMappedSlice<T extends ElementType> extends MappedSlice<T> {
  override get(index: number): ValueOf<T> | undefined {
    const st = this[STATE];
    if (typeof index === 'number') {
      const value = st.arr[index];
      if (value !== undefined) return value as ValueOf<T>;
    }
    return slowGet(st, index) as ValueOf<T> | undefined;
  }
}

/** @internal Single-mapping slice of 64-bit integer elements (u64 i64). */
class BigMappedSlice<T extends ElementType> extends MappedSlice<T> {
  override get(index: number): ValueOf<T> | undefined {
    const st = this[STATE];
    if (typeof index === 'number') {
      const value = st.arr[index];
      if (value !== undefined) return value as ValueOf<T>;
    }
    return slowGet(st, index) as ValueOf<T> | undefined;
  }
}

/** @internal Windowed slice of 32-bit and float elements (u32 i32 f32 f64). */
class WideWindowedMappedSlice<T extends ElementType> extends WindowedMappedSlice<T> {
  override get(index: number): ValueOf<T> | undefined {
    const w = this[WINDOWS];
    if (typeof index === 'number' && index >>> 0 === index && index < w.length) {
      const g = w.start + index;
      const array = w.arrays[g >>> w.shift] ?? windowOf(w, g);
      return array[g & w.mask] as ValueOf<T>;
    }
    return slowGet(this[STATE], index) as ValueOf<T> | undefined;
  }
}

/** @internal Windowed slice of 64-bit integer elements (u64 i64). */
class BigWindowedMappedSlice<T extends ElementType> extends WindowedMappedSlice<T> {
  override get(index: number): ValueOf<T> | undefined {
    const w = this[WINDOWS];
    if (typeof index === 'number' && index >>> 0 === index && index < w.length) {
      const g = w.start + index;
      const array = w.arrays[g >>> w.shift] ?? windowOf(w, g);
      return array[g & w.mask] as ValueOf<T>;
    }
    return slowGet(this[STATE], index) as ValueOf<T> | undefined;
  }
}

// Slices of promotable ranges (see the `promote` option) check the promoted mapping first. They are classes
// of their own so their `get` literals keep their own type feedback: sharing one literal with files that stay
// windowed made a promoted get cost up to ~1.5x a single-mapping get (isolated runs), since V8 compiled it
// for the window path; and files that never promote keep today's windowed get, without the extra compare.

/** @internal Promotable windowed slice of 8/16-bit integer elements. */
class PromotableMappedSlice<T extends ElementType> extends WindowedMappedSlice<T> {
  override get(index: number): ValueOf<T> | undefined {
    const w = this[WINDOWS];
    if (typeof index === 'number' && index >>> 0 === index && index < w.length) {
      const g = w.start + index;
      // Empty until promoted (and again after close), so before promotion this costs one compare.
      const single = w.tw.single;
      if (g < single.length) return single[g] as ValueOf<T>;
      const array = w.arrays[g >>> w.shift] ?? windowOf(w, g);
      return array[g & w.mask] as ValueOf<T>;
    }
    return slowGet(this[STATE], index) as ValueOf<T> | undefined;
  }
}

/** @internal Promotable windowed slice of 32-bit and float elements (u32 i32 f32 f64). */
class WidePromotableMappedSlice<T extends ElementType> extends WindowedMappedSlice<T> {
  override get(index: number): ValueOf<T> | undefined {
    const w = this[WINDOWS];
    if (typeof index === 'number' && index >>> 0 === index && index < w.length) {
      const g = w.start + index;
      const single = w.tw.single;
      if (g < single.length) return single[g] as ValueOf<T>;
      const array = w.arrays[g >>> w.shift] ?? windowOf(w, g);
      return array[g & w.mask] as ValueOf<T>;
    }
    return slowGet(this[STATE], index) as ValueOf<T> | undefined;
  }
}

/** @internal Promotable windowed slice of 64-bit integer elements (u64 i64). */
class BigPromotableMappedSlice<T extends ElementType> extends WindowedMappedSlice<T> {
  override get(index: number): ValueOf<T> | undefined {
    const w = this[WINDOWS];
    if (typeof index === 'number' && index >>> 0 === index && index < w.length) {
      const g = w.start + index;
      const single = w.tw.single;
      if (g < single.length) return single[g] as ValueOf<T>;
      const array = w.arrays[g >>> w.shift] ?? windowOf(w, g);
      return array[g & w.mask] as ValueOf<T>;
    }
    return slowGet(this[STATE], index) as ValueOf<T> | undefined;
  }
}

// Slices of promoted files get a fresh copy of the single-mapping `get` while no file of their group waits for
// promotion: see internal/promoted-get.ts.
const SWITCHES = [getSwitch(PromotableMappedSlice.prototype), getSwitch(WidePromotableMappedSlice.prototype), getSwitch(BigPromotableMappedSlice.prototype)] as const;

/** @internal Whether each group (8/16-bit, 32-bit and float, 64-bit) currently has the fast promoted `get`. */
export function promotedGetState(): { fast: boolean; installs: number; pending: number }[] {
  return SWITCHES.map((sw) => ({ fast: sw.fast, installs: sw.installs, pending: sw.pending.size }));
}

/**
 * @internal Creates the slice class that fits the range (single mapping or windows) and the element type's
 * group (8/16-bit integers use the base classes' `get`).
 */
export function createSlice<T extends ElementType>(tw: TypedWindows, start: number, length: number, writable: boolean): MappedSlice<T> {
  const group = tw.info.isBigInt ? 2 : tw.info.bytes >= 4 ? 1 : 0;
  if (tw.core.promotable) {
    const Promotable = group === 2 ? BigPromotableMappedSlice : group === 1 ? WidePromotableMappedSlice : PromotableMappedSlice;
    const slice = new Promotable<T>(SLICE_KEY, tw, start, length, writable);
    trackPromotable(SWITCHES[group], tw, slice);
    return slice;
  }
  if (tw.core.windowed) {
    const Windowed = group === 2 ? BigWindowedMappedSlice : group === 1 ? WideWindowedMappedSlice : WindowedMappedSlice;
    return new Windowed<T>(SLICE_KEY, tw, start, length, writable);
  }
  const Single = group === 2 ? BigMappedSlice : group === 1 ? WideMappedSlice : MappedSlice;
  return new Single<T>(SLICE_KEY, tw, start, length, writable);
}
