import type { TypedWindows, ViewHolder } from './typed-windows.js';

/** @internal Key of a slice's state object (see MappedSlice: a symbol-keyed object, not #private fields). */
export const STATE: unique symbol = Symbol('MappedSlice.state');

/** @internal What every slice reads: its range of the file's typed windows. */
export interface SliceState extends ViewHolder {
  readonly tw: TypedWindows;
  readonly start: number;
  readonly length: number;
  readonly writable: boolean;
}

/** @internal The checked `get` every slice class falls back to: closed, out of range or not an integer. */
export function slowGet(st: SliceState, index: number): number | bigint | undefined {
  st.tw.core.assertOpen();
  if (typeof index !== 'number' || index >>> 0 !== index || index >= st.length) return undefined;
  return st.tw.read(st.start + index);
}
