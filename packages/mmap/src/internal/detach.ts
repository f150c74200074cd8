import { isArrayBuffer } from 'node:util/types';
import { setFlagsFromString } from 'node:v8';
import { createContext, runInContext } from 'node:vm';

type Transfer = (this: ArrayBuffer, newLength?: number) => ArrayBuffer;

/** undefined: not looked up yet; null: this runtime cannot detach. */
let transfer: Transfer | null | undefined;

/**
 * `ArrayBuffer.prototype.transfer` (ES2024), the one way JavaScript can detach an `ArrayBuffer`.
 *
 * Node ≥ 21 has it. Node 20's V8 has it behind `--harmony-rab-gsab-transfer`: the flag only takes effect
 * in contexts created after it is set, so it is switched on for the creation of one private `vm` context,
 * whose `transfer` then works on this context's buffers too (same isolate), and switched off again, so
 * contexts created later (a user's `vm` contexts, jest's) are unchanged. `structuredClone` cannot do this:
 * Node marks addon-made Buffers untransferable and copies them instead.
 */
function lookUpTransfer(): Transfer | null {
  const native = (ArrayBuffer.prototype as { transfer?: unknown }).transfer;
  if (typeof native === 'function') return native as Transfer;
  try {
    setFlagsFromString('--harmony-rab-gsab-transfer');
    try {
      const fn = runInContext('ArrayBuffer.prototype.transfer', createContext({})) as unknown;
      return typeof fn === 'function' ? (fn as Transfer) : null;
    } finally {
      setFlagsFromString('--no-harmony-rab-gsab-transfer');
    }
  } catch {
    return null;
  }
}

/** @internal True when {@link detachBuffer} can detach on this runtime. */
export function canDetach(): boolean {
  transfer ??= lookUpTransfer();
  return transfer !== null;
}

/**
 * @internal Detaches the `ArrayBuffer` under an addon mapping `buffer`: every typed array over it then has
 * length 0, reads `undefined` and ignores writes, instead of reaching the mapping, and the mapping is
 * released with the (now unreferenced) backing store. Only for Buffers that own their whole
 * `ArrayBuffer` (the addon's are made one per mapping); a pooled Buffer shares its `ArrayBuffer` with
 * unrelated Buffers and is left alone. Returns false when nothing was detached.
 */
export function detachBuffer(buffer: Uint8Array): boolean {
  const ab = buffer.buffer;
  // isArrayBuffer, not instanceof: the Buffer may come from another realm (jest runs tests in vm contexts).
  if (!isArrayBuffer(ab) || buffer.byteOffset !== 0 || buffer.byteLength !== ab.byteLength || ab.byteLength === 0) return false;
  if (!canDetach()) return false;
  try {
    (transfer as Transfer).call(ab, 0);
    return true;
  } catch {
    // Not detachable (a wasm memory, or a buffer an embedder pinned): it stays as it was.
    return false;
  }
}
