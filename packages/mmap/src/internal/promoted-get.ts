import { slowGet, STATE, type SliceState } from './slice-state.js';
import type { TypedWindows } from './typed-windows.js';

// Promoted slices can read as fast as single-mapping ones, but not through the promotable classes' `get`
// (mapped-slice.ts). V8 keeps type feedback per function literal and inlines every path of a `get` that has
// ever run: before promotion the windows were faulted through that literal, so the call on its window path
// stays in every loop that inlines it (V8 then spills the caller's loop state around it), and its explicit
// range checks stay too. Promoted sequential reads cost ~1.9x a single-mapping get in a loop taking the slice
// as a parameter, random reads ~1.2x.
//
// So while no file of a group is waiting for promotion, the group's prototype gets a freshly compiled copy of
// the single-mapping `get` (`new Function`: a new literal, so no feedback from the windowed phase), reading
// `arr`, which the file's TypedWindows points at the promoted mapping. A file of the group that opens and
// creates a slice puts the windowed `get` back until it promotes or closes. Each swap deoptimizes the code
// that inlined the old `get`; the swaps to the fast copy are capped per group, after which the windowed `get`
// stays. Where code generation from strings is disabled (`--disallow-code-generation-from-strings`), nothing
// is swapped.

/** How many times per process one group's prototype may get a fresh fast `get`. */
const MAX_FAST_INSTALLS = 32;

/** The single-mapping `get` (see MappedSlice.get), as source for a fresh literal. */
const FAST_GET_SOURCE = `const STATE = state, slowGet = slow;
return ({
  get(index) {
    const st = this[STATE];
    if (typeof index === 'number') {
      const value = st.arr[index];
      if (value !== undefined) return value;
    }
    return slowGet(st, index);
  },
}).get;`;

/** What the switch needs of a slice (a MappedSlice, which this file does not import: it imports this one). */
interface StatefulSlice {
  readonly [STATE]: SliceState;
}

type AnyGet = (this: StatefulSlice, index: number) => unknown;

/** @internal One group's prototype and which `get` it has now. */
export interface GetSwitch {
  readonly proto: object;
  /** The class's own `get`, which also serves files that are still windowed. */
  readonly windowedGet: AnyGet;
  /**
   * Files of the group with slices that are not promoted yet, each with one of its slices. Keyed by a token of
   * each file's, not the file itself: a file dropped without close() must stay collectable (with its
   * descriptor and mappings), and leaves this map when it is collected.
   */
  readonly pending: Map<object, WeakRef<StatefulSlice>>;
  /** Slices of the files promoted last (at most 8), on one of which a fresh `get` is warmed up before it is installed. */
  samples: WeakRef<StatefulSlice>[];
  fast: boolean;
  installs: number;
}

/** @internal The switch of a promotable slice class's prototype, which starts with the class's own `get`. */
export function getSwitch(proto: object): GetSwitch {
  return { proto, windowedGet: (proto as { get: AnyGet }).get, pending: new Map(), samples: [], fast: false, installs: 0 };
}

/**
 * Replaces the prototype's `get`. Deleting and redefining, rather than assigning, keeps `get` a constant of
 * the prototype's map, so V8 still inlines it at call sites that had seen the old one; after an assignment
 * those sites called it through megamorphic feedback instead (~10x slower).
 */
function installGet(proto: object, get: AnyGet): void {
  delete (proto as { get?: AnyGet }).get;
  Object.defineProperty(proto, 'get', { value: get, writable: true, enumerable: false, configurable: true });
}

function compileFastGet(): AnyGet | undefined {
  try {
    // A fresh literal is the point: it has no V8 feedback yet. The source is the constant above, never input.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const factory = new Function('state', 'slow', FAST_GET_SOURCE) as (state: typeof STATE, slow: typeof slowGet) => AnyGet;
    return factory(STATE, slowGet);
  } catch {
    return undefined;
  }
}

function maybeInstallFast(sw: GetSwitch): void {
  if (sw.fast || sw.pending.size > 0 || sw.installs >= MAX_FAST_INSTALLS) return;
  // A slice of a promoted file that is still open (closed ones read an empty array).
  const sample = sw.samples.map((ref) => ref.deref()).find((slice) => slice !== undefined && slice[STATE].arr.length > 0);
  if (sample === undefined) return;
  const get = compileFastGet();
  if (get === undefined) {
    sw.installs = MAX_FAST_INSTALLS;
    return;
  }
  // In-bounds calls first, so the new literal has feedback when the code that called the old one is optimized
  // again: without it V8 compiled those sites with a plain call to it (~10x slower, and it stayed that way).
  const warm = Math.min(sample[STATE].arr.length, 1024);
  for (let i = 0; i < warm; i += 1) get.call(sample, i);
  installGet(sw.proto, get);
  sw.fast = true;
  sw.installs += 1;
}

function addSample(sw: GetSwitch, slice: StatefulSlice): void {
  sw.samples = [new WeakRef(slice), ...sw.samples.filter((ref) => ref.deref() !== undefined && ref.deref() !== slice).slice(0, 7)];
}

/** Each pending file's key in its switch's `pending`. */
const pendingKeys = new WeakMap<TypedWindows, object>();

/** Takes a file that was dropped without close() before it promoted off its switch's `pending`. */
const droppedFiles = new FinalizationRegistry<{ sw: GetSwitch; key: object }>(({ sw, key }) => {
  if (sw.pending.delete(key)) maybeInstallFast(sw);
});

/**
 * @internal Registers a slice of a promotable file with its group's switch (see above). `promotable` is a
 * MappedSlice, whose state key is `protected`, so it arrives as an `object`.
 */
export function trackPromotable(sw: GetSwitch, tw: TypedWindows, promotable: object): void {
  const slice = promotable as StatefulSlice;
  if (tw.single.length > 0) {
    // Already promoted.
    addSample(sw, slice);
    maybeInstallFast(sw);
    return;
  }
  if (pendingKeys.has(tw)) return;
  const key = {};
  pendingKeys.set(tw, key);
  sw.pending.set(key, new WeakRef(slice));
  droppedFiles.register(tw, { sw, key }, key);
  if (sw.fast) {
    installGet(sw.proto, sw.windowedGet);
    sw.fast = false;
  }
  tw.core.onPromote(() => {
    // Runs after the TypedWindows' own hook, so the file's slices already read the promoted mapping.
    const sample = sw.pending.get(key)?.deref();
    if (sample !== undefined) addSample(sw, sample);
    sw.pending.delete(key);
    droppedFiles.unregister(key);
    maybeInstallFast(sw);
  });
  tw.core.onRelease(() => {
    droppedFiles.unregister(key);
    if (!sw.pending.delete(key)) return;
    maybeInstallFast(sw);
  });
}
