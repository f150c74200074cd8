import { SharedMapLockLostError } from '../errors.js';
import {
  E_HASH,
  E_KEY_LEN,
  E_TAG,
  E_VALUE_LEN,
  ENTRY_HEADER_BYTES,
  HEADER_BYTES,
  S_COUNT,
  SHARD_BYTES,
  SLOT_HEADER_BYTES,
  TAG_DELETED,
  TAG_EMPTY,
  TAG_LIVE,
  type Geometry,
} from './map-layout.js';
import type { ShardLocks } from './map-lock.js';

// The open-addressing table of a SharedMap: the key's hash picks a shard (low bits) and a start slot
// inside it; probing is linear and stays inside the shard, so one shard lock covers every slot a key
// can occupy. Slots never return to empty (deletion leaves a tombstone that keeps its key until reused),
// so a key present for the whole of a lookup is always found by a lock-free reader.
//
// Readers take no lock. For each slot they load `ver`, read the active entry, and load `ver` again: the
// entry they read was only overwritten if a writer started filling *that* entry in between, which needs
// `ver` to have moved past the next commit (see `stable`). A reader that keeps losing that race falls
// back to the shard lock after READ_RETRIES rounds, so it always finishes and never returns torn bytes.
//
// Memory-model note: entries are read with plain loads between two Atomics.load calls (a seqlock).
// V8 compiles Atomics.load as a sequentially consistent load on x64 and arm64; the copy is never used
// (decoded) before the second check has passed.

const READ_RETRIES = 32;
const RETRY = -2;

export class MapTable {
  readonly g: Geometry;
  /** After `locate`: the first reusable slot of the key's chain (deleted or empty), or -1. */
  free = -1;
  /** After `readEntry`: the entry's key and value lengths. */
  keyLen = 0;
  valueLen = 0;
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  readonly #locks: ShardLocks;
  readonly #shardMask: number;
  readonly #shardBits: number;

  constructor(buffer: SharedArrayBuffer, geometry: Geometry, locks: ShardLocks) {
    this.g = geometry;
    this.#i32 = new Int32Array(buffer);
    this.#u8 = new Uint8Array(buffer);
    this.#locks = locks;
    this.#shardMask = geometry.shards - 1;
    this.#shardBits = Math.log2(geometry.shards);
  }

  shardOf(hash: number): number {
    return hash & this.#shardMask;
  }

  get slotCount(): number {
    return this.g.shards * this.g.shardSlots;
  }

  /** Copies the value of `key` into `out` without locking; its length, or -1 when absent. */
  get(key: Uint8Array, keyLen: number, hash: number, out: Uint8Array): number {
    const shard = hash & this.#shardMask;
    for (let attempt = 0; attempt < READ_RETRIES; attempt += 1) {
      const result = this.#probe(shard, key, keyLen, hash, out, false);
      if (result !== RETRY) return result;
    }
    if (this.#locks.holds(shard)) return this.#probe(shard, key, keyLen, hash, out, true);
    this.lock(shard);
    try {
      return this.#probe(shard, key, keyLen, hash, out, true);
    } finally {
      this.#locks.release(shard);
    }
  }

  /**
   * With the shard locked: the slot holding `key` live, or -1; sets `free` to the first reusable slot of
   * its chain (-1 when the shard has none).
   */
  locate(shard: number, key: Uint8Array, keyLen: number, hash: number): number {
    const i32 = this.#i32;
    this.free = -1;
    const first = shard * this.g.shardSlots;
    let j = (hash >>> this.#shardBits) % this.g.shardSlots;
    for (let n = 0; n < this.g.shardSlots; n += 1) {
      const slot = first + j;
      const e = this.#activeEntry(slot, Atomics.load(i32, this.#verIndex(slot))) >> 2;
      const tag = i32[e + E_TAG];
      if (tag === TAG_EMPTY) {
        if (this.free === -1) this.free = slot;
        return -1;
      }
      if (i32[e + E_HASH] === hash && i32[e + E_KEY_LEN] === keyLen && this.#keyEquals((e << 2) + ENTRY_HEADER_BYTES, key, keyLen)) {
        if (tag === TAG_LIVE) return slot;
        if (this.free === -1) this.free = slot;
        return -1;
      }
      if (tag === TAG_DELETED && this.free === -1) this.free = slot;
      j = j + 1 === this.g.shardSlots ? 0 : j + 1;
    }
    return -1;
  }

  /** With the shard locked: copies `slot`'s value into `out` and returns its length. */
  valueOf(slot: number, out: Uint8Array): number {
    const e = this.#activeEntry(slot, Atomics.load(this.#i32, this.#verIndex(slot)));
    const length = this.#i32[(e >> 2) + E_VALUE_LEN]!;
    copyOut(this.#u8, e + ENTRY_HEADER_BYTES + this.g.maxKeyBytes, out, length);
    return length;
  }

  /** With the shard locked: true when `slot`'s value bytes equal `value[0, length)`. */
  valueEquals(slot: number, value: Uint8Array, length: number): boolean {
    const e = this.#activeEntry(slot, Atomics.load(this.#i32, this.#verIndex(slot)));
    if (this.#i32[(e >> 2) + E_VALUE_LEN] !== length) return false;
    return bytesEqual(this.#u8, e + ENTRY_HEADER_BYTES + this.g.maxKeyBytes, value, length);
  }

  /**
   * With the shard locked: fills `slot`'s inactive entry and commits it. A previous writer that died
   * mid-write left `ver` odd; the same inactive entry is then simply written again.
   * @throws {SharedMapLockLostError} when another thread took the lock over meanwhile (nothing committed).
   */
  write(shard: number, slot: number, tag: number, hash: number, key: Uint8Array, keyLen: number, value: Uint8Array, valueLen: number): void {
    const i32 = this.#i32;
    // Checked before touching the slot too: a holder whose lock was taken over must not scribble on
    // the entry the new holder may be filling (the lease makes the remaining window a pause that long).
    if (!this.#locks.holds(shard)) throw new SharedMapLockLostError(shard);
    const at = this.#verIndex(slot);
    const v = Atomics.load(i32, at);
    const writing = (v & 1) === 1 ? v : (v + 1) | 0;
    if (writing !== v) Atomics.store(i32, at, writing);
    const committed = (writing + 1) | 0;
    const e = this.#activeEntry(slot, committed);
    const w = e >> 2;
    i32[w + E_TAG] = tag;
    i32[w + E_HASH] = hash;
    i32[w + E_KEY_LEN] = keyLen;
    i32[w + E_VALUE_LEN] = valueLen;
    copyIn(key, this.#u8, e + ENTRY_HEADER_BYTES, keyLen);
    copyIn(value, this.#u8, e + ENTRY_HEADER_BYTES + this.g.maxKeyBytes, valueLen);
    if (!this.#locks.holds(shard)) throw new SharedMapLockLostError(shard);
    Atomics.store(i32, at, committed);
  }

  /** With the shard locked: marks every slot of `shard` empty. */
  clearShard(shard: number, scratch: Uint8Array): void {
    const first = shard * this.g.shardSlots;
    for (let slot = first; slot < first + this.g.shardSlots; slot += 1) {
      const e = this.#activeEntry(slot, Atomics.load(this.#i32, this.#verIndex(slot)));
      if (this.#i32[(e >> 2) + E_TAG] !== TAG_EMPTY) this.write(shard, slot, TAG_EMPTY, 0, scratch, 0, scratch, 0);
    }
    this.setCount(shard, 0);
  }

  /**
   * Reads `slot`'s entry (without locking) into `keyOut`/`valueOut`; returns its tag and sets
   * `keyLen`/`valueLen`. Falls back to the shard lock like `get`.
   */
  readEntry(slot: number, keyOut: Uint8Array, valueOut: Uint8Array): number {
    for (let attempt = 0; attempt < READ_RETRIES; attempt += 1) {
      const tag = this.#readEntry(slot, keyOut, valueOut, false);
      if (tag !== RETRY) return tag;
    }
    const shard = Math.floor(slot / this.g.shardSlots);
    if (this.#locks.holds(shard)) return this.#readEntry(slot, keyOut, valueOut, true);
    this.lock(shard);
    try {
      return this.#readEntry(slot, keyOut, valueOut, true);
    } finally {
      this.#locks.release(shard);
    }
  }

  /** Takes the shard lock, recounting the shard when the lock was taken over from a dead holder. */
  lock(shard: number): void {
    if (this.#locks.acquire(shard)) this.recount(shard);
  }

  count(shard: number): number {
    return Atomics.load(this.#i32, ((HEADER_BYTES + shard * SHARD_BYTES) >> 2) + S_COUNT);
  }

  setCount(shard: number, count: number): void {
    Atomics.store(this.#i32, ((HEADER_BYTES + shard * SHARD_BYTES) >> 2) + S_COUNT, count);
  }

  /** Live entries in all shards. */
  size(): number {
    let total = 0;
    for (let shard = 0; shard < this.g.shards; shard += 1) total += this.count(shard);
    return total;
  }

  /** With the shard locked: recomputes its live count from its slots (a dead writer may have left it stale). */
  recount(shard: number): void {
    const first = shard * this.g.shardSlots;
    let live = 0;
    for (let slot = first; slot < first + this.g.shardSlots; slot += 1) {
      const e = this.#activeEntry(slot, Atomics.load(this.#i32, this.#verIndex(slot)));
      if (this.#i32[(e >> 2) + E_TAG] === TAG_LIVE) live += 1;
    }
    this.setCount(shard, live);
  }

  #probe(shard: number, key: Uint8Array, keyLen: number, hash: number, out: Uint8Array, locked: boolean): number {
    const i32 = this.#i32;
    const first = shard * this.g.shardSlots;
    let j = (hash >>> this.#shardBits) % this.g.shardSlots;
    for (let n = 0; n < this.g.shardSlots; n += 1) {
      const slot = first + j;
      const at = this.#verIndex(slot);
      const v = Atomics.load(i32, at);
      const e = this.#activeEntry(slot, v);
      const w = e >> 2;
      const tag = i32[w + E_TAG];
      if (tag === TAG_EMPTY) return locked || stable(i32, at, v) ? -1 : RETRY;
      if (i32[w + E_HASH] === hash && i32[w + E_KEY_LEN] === keyLen && this.#keyEquals(e + ENTRY_HEADER_BYTES, key, keyLen)) {
        if (tag !== TAG_LIVE) return locked || stable(i32, at, v) ? -1 : RETRY;
        const length = i32[w + E_VALUE_LEN]!;
        // A torn length is caught by the check below; it must only not make the copy run wild.
        if (length < 0 || length > this.g.maxValueBytes) return locked ? -1 : RETRY;
        copyOut(this.#u8, e + ENTRY_HEADER_BYTES + this.g.maxKeyBytes, out, length);
        return locked || stable(i32, at, v) ? length : RETRY;
      }
      // A mismatch is only trusted if the entry was not being overwritten while its key was compared.
      if (!locked && !stable(i32, at, v)) return RETRY;
      j = j + 1 === this.g.shardSlots ? 0 : j + 1;
    }
    return -1;
  }

  #readEntry(slot: number, keyOut: Uint8Array, valueOut: Uint8Array, locked: boolean): number {
    const i32 = this.#i32;
    const at = this.#verIndex(slot);
    const v = Atomics.load(i32, at);
    const e = this.#activeEntry(slot, v);
    const w = e >> 2;
    const tag = i32[w + E_TAG]!;
    const keyLen = i32[w + E_KEY_LEN]!;
    const valueLen = i32[w + E_VALUE_LEN]!;
    if (tag === TAG_LIVE) {
      if (keyLen < 0 || keyLen > this.g.maxKeyBytes || valueLen < 0 || valueLen > this.g.maxValueBytes) return locked ? TAG_EMPTY : RETRY;
      copyOut(this.#u8, e + ENTRY_HEADER_BYTES, keyOut, keyLen);
      copyOut(this.#u8, e + ENTRY_HEADER_BYTES + this.g.maxKeyBytes, valueOut, valueLen);
    }
    if (!locked && !stable(i32, at, v)) return RETRY;
    this.keyLen = keyLen;
    this.valueLen = valueLen;
    return tag;
  }

  #verIndex(slot: number): number {
    return (this.g.slotsOffset + slot * this.g.slotBytes) >> 2;
  }

  /** Byte offset of the entry that `ver` value `v` names as active (bit 1 of `v`). */
  #activeEntry(slot: number, v: number): number {
    return this.g.slotsOffset + slot * this.g.slotBytes + SLOT_HEADER_BYTES + (v & 2 ? this.g.entryBytes : 0);
  }

  #keyEquals(offset: number, key: Uint8Array, keyLen: number): boolean {
    return bytesEqual(this.#u8, offset, key, keyLen);
  }
}

/**
 * True when the entry that was active at `ver` = `v` cannot have been overwritten since: a writer only
 * fills that entry once `ver` has passed the next commit. From an even `v` that is `v + 3`; from an odd
 * `v` (a write of the other entry was under way, or its writer died) it is `v + 2`.
 */
function stable(i32: Int32Array, at: number, v: number): boolean {
  return ((Atomics.load(i32, at) - v) | 0) <= ((v & 1) === 1 ? 1 : 2);
}

function bytesEqual(u8: Uint8Array, offset: number, bytes: Uint8Array, length: number): boolean {
  for (let i = 0; i < length; i += 1) if (u8[offset + i] !== bytes[i]) return false;
  return true;
}

// Loops, not `set(subarray(…))`: values are small and a subarray allocates a view per call.
function copyOut(u8: Uint8Array, offset: number, out: Uint8Array, length: number): void {
  for (let i = 0; i < length; i += 1) out[i] = u8[offset + i]!;
}

function copyIn(bytes: Uint8Array, u8: Uint8Array, offset: number, length: number): void {
  for (let i = 0; i < length; i += 1) u8[offset + i] = bytes[i]!;
}
