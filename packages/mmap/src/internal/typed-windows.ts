import { ELEMENT_INFO, type ElementInfo, type ElementType, type TypedArrayOf } from '../element-type.js';
import type { MappingCore } from './mapping-core.js';

/** @internal Numeric index signature shared by every typed array. */
export type Indexable = { [index: number]: number | bigint; readonly length: number };

/**
 * @internal What a slice reads on its bounds-check-only path: `arr` views exactly elements `[start, start + length)`
 * of the single mapping (from open, or from promotion), and is emptied on release.
 */
export interface ViewHolder {
  arr: Indexable;
  readonly start: number;
  readonly length: number;
}

/**
 * @internal Typed arrays over each window of a core, created on first use. Element `g` of the range lives in
 * window `floor(g / perWindow)`; windows past the addon's offset limit start earlier than their stride, which
 * `core.base(k)` accounts for.
 */
export class TypedWindows {
  readonly core: MappingCore;
  readonly info: ElementInfo;
  readonly length: number;
  readonly perWindow: number;
  /**
   * The whole range as one typed array when it is a single window (the fast path); an empty array of the same
   * type when windowed, empty or released. Never `undefined` and assigned once per state change, so V8 keeps
   * tracking the field's map and indexing it stays as cheap as indexing a local typed array.
   */
  declare single: Indexable;
  /** log2 of `perWindow` and `perWindow - 1`: window sizes are powers of two, so lookups are a shift and a mask. */
  readonly shift: number;
  readonly mask: number;
  readonly windowArrays: (Indexable | undefined)[];
  /** An empty array of the element type: what `single` and every view hold once released. */
  readonly empty: Indexable;
  /** Holders given a view of `single` (see {@link track}), weakly: a slice that is collected drops out. */
  #views: WeakRef<ViewHolder>[] = [];
  #pruneAt = 64;

  constructor(core: MappingCore, type: ElementType) {
    this.core = core;
    this.info = ELEMENT_INFO[type];
    this.length = core.byteLength / this.info.bytes;
    this.perWindow = core.windowBytes / this.info.bytes;
    this.shift = Math.log2(this.perWindow);
    this.mask = this.perWindow - 1;
    this.windowArrays = new Array<Indexable | undefined>(core.windowCount);
    const empty = this.info.empty() as Indexable;
    this.empty = empty;
    this.single = core.byteLength === 0 || core.windowed ? empty : this.array(0);
    core.onRelease(() => {
      this.single = empty;
      this.windowArrays.fill(undefined);
      for (const ref of this.#views) {
        const holder = ref.deref();
        if (holder !== undefined) holder.arr = empty;
      }
      this.#views = [];
    });
    core.onPromote((whole) => {
      // Same constructor as `empty`, so the field keeps its map and the windowed get's check stays monomorphic.
      this.single = new this.info.ctor(whole.buffer, whole.byteOffset, this.length);
      // Typed arrays over the old windows would keep those mappings alive; their slow paths now map nothing.
      this.windowArrays.fill(undefined);
      for (const ref of this.#views) {
        const holder = ref.deref();
        if (holder !== undefined) holder.arr = this.#view(holder.start, holder.length);
      }
    });
  }

  /**
   * The typed array a slice of elements `[start, start + length)` reads: a view of the single mapping, or an
   * empty array while the range is windowed (such slices read through the windows).
   */
  viewOf(start: number, length: number): Indexable {
    return this.single.length === 0 ? this.empty : this.#view(start, length);
  }

  /**
   * Points `holder.arr` at its view of the promoted mapping once promoted, and empties it on release, so a
   * slice that outlives `close()` cannot read the mapping. Held weakly.
   */
  track(holder: ViewHolder): void {
    if (holder.arr === this.empty && !this.core.promotable) return;
    // Collected holders are dropped once the list has doubled since the last prune (amortized O(1)).
    if (this.#views.length >= this.#pruneAt) {
      this.#views = this.#views.filter((ref) => ref.deref() !== undefined);
      this.#pruneAt = Math.max(64, this.#views.length * 2);
    }
    this.#views.push(new WeakRef(holder));
  }

  #view(start: number, length: number): Indexable {
    const single = this.single as unknown as TypedArrayOf<ElementType>;
    return start === 0 && length === single.length ? this.single : single.subarray(start, start + length);
  }

  /** Typed array over window `k` (exactly the window's stride, without overlap). */
  array(k: number): Indexable {
    return this.windowArrays[k] ?? this.#make(k);
  }

  #make(k: number): Indexable {
    const buffer = this.core.window(k);
    const start = k * this.core.windowBytes;
    const end = Math.min(start + this.core.windowBytes, this.core.byteLength);
    const byteOffset = buffer.byteOffset + (start - this.core.base(k));
    const array = new this.info.ctor(buffer.buffer, byteOffset, (end - start) / this.info.bytes) as Indexable;
    this.windowArrays[k] = array;
    return array;
  }

  /** Reads element `g`, mapping its window on first use. */
  read(g: number): number | bigint {
    if (g < this.single.length) return this.single[g] as number | bigint;
    const k = Math.floor(g / this.perWindow);
    return (this.windowArrays[k] ?? this.#make(k))[g - k * this.perWindow] as number | bigint;
  }

  write(g: number, value: number | bigint): void {
    const k = Math.floor(g / this.perWindow);
    (this.windowArrays[k] ?? this.#make(k))[g - k * this.perWindow] = value;
  }

  /** Copies elements `[from, to)` into a fresh typed array. */
  copy(from: number, to: number): TypedArrayOf<ElementType> {
    const out = new this.info.ctor(new ArrayBuffer((to - from) * this.info.bytes), 0, to - from);
    let g = from;
    while (g < to) {
      const k = Math.floor(g / this.perWindow);
      const array = this.array(k) as unknown as TypedArrayOf<ElementType>;
      const local = g - k * this.perWindow;
      const n = Math.min(to - g, array.length - local);
      (out as Uint8Array).set(array.subarray(local, local + n) as Uint8Array, g - from);
      g += n;
    }
    return out;
  }
}
