// Memory layout of a SharedMap's SharedArrayBuffer. The geometry lives in the buffer's own header, so a
// thread that attaches with SharedMap.from() reads it from the memory it shares instead of trusting a
// posted description.
//
//   [0, 64)                      header (Int32 words below; the epoch as a Float64 at byte 48)
//   [64, 64 + 64·shards)         one 64-byte line per shard: lock owner, lock stamp, waiters, live count
//   then shards × shardSlots     slots; a slot is [ver, pad] + two entries (double buffer)
//   entry = [tag, hash, keyLen, valueLen] + maxKeyBytes + maxValueBytes
//
// A slot's `ver` is a sequence counter: bit 0 set while a writer fills the inactive entry, bit 1 names
// the active (last committed) entry. Writers never touch the active entry, so whatever a writer that dies
// mid-write leaves behind is in the inactive one, which no reader looks at.

export const MAGIC = 0x50534d31; // 'PSM1'
export const LAYOUT_VERSION = 1;

export const H_MAGIC = 0;
export const H_LAYOUT = 1;
export const H_CAPACITY = 2;
export const H_SHARDS = 3;
export const H_SHARD_SLOTS = 4;
export const H_MAX_KEY = 5;
export const H_MAX_VALUE = 6;
export const H_SLOT_BYTES = 7;
export const H_LEASE_MS = 8;
/** 0: string keys (also what a buffer from before this word existed holds), 1: byte keys. */
export const H_KEY_KIND = 9;
export const EPOCH_BYTE = 48;
export const HEADER_BYTES = 64;

export const SHARD_BYTES = 64;
export const S_OWNER = 0;
export const S_STAMP = 1;
export const S_WAITERS = 2;
export const S_COUNT = 3;

export const SLOT_HEADER_BYTES = 8;
export const ENTRY_HEADER_BYTES = 16;
export const E_TAG = 0;
export const E_HASH = 1;
export const E_KEY_LEN = 2;
export const E_VALUE_LEN = 3;

export const TAG_EMPTY = 0;
export const TAG_LIVE = 1;
export const TAG_DELETED = 2;

/** The shape of a table, as stored in its header. */
export interface Geometry {
  readonly capacity: number;
  readonly shards: number;
  readonly shardSlots: number;
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
  readonly slotBytes: number;
  readonly entryBytes: number;
  readonly slotsOffset: number;
  readonly lockLeaseMs: number;
  readonly totalBytes: number;
}

const align4 = (n: number): number => (n + 3) & ~3;

/** The default shard count: one per ~256 entries, a power of two between 1 and 64. */
export function defaultShards(capacity: number): number {
  let shards = 1;
  while (shards < 64 && shards * 2 * 256 <= capacity) shards *= 2;
  return shards;
}

/**
 * Slots per shard: the shard's share of `capacity` plus 25 % and four standard deviations of headroom,
 * so random keys fill `capacity` before any shard fills, and linear probing stays short (load ≤ ~0.8).
 */
export function shardSlotsFor(capacity: number, shards: number): number {
  const perShard = Math.ceil(capacity / shards);
  return Math.ceil(perShard * 1.25 + 4 * Math.sqrt(perShard)) + 1;
}

export function computeGeometry(capacity: number, shards: number, maxKeyBytes: number, maxValueBytes: number, lockLeaseMs: number): Geometry {
  const shardSlots = shardSlotsFor(capacity, shards);
  const key = align4(maxKeyBytes);
  const value = align4(maxValueBytes);
  const entryBytes = ENTRY_HEADER_BYTES + key + value;
  const slotBytes = SLOT_HEADER_BYTES + 2 * entryBytes;
  const slotsOffset = HEADER_BYTES + shards * SHARD_BYTES;
  const totalBytes = slotsOffset + shards * shardSlots * slotBytes;
  return { capacity, shards, shardSlots, maxKeyBytes: key, maxValueBytes: value, slotBytes, entryBytes, slotsOffset, lockLeaseMs, totalBytes };
}

/** What a map's keys are: strings (stored as UTF-8) or bytes. */
export type KeyKind = 'string' | 'bytes';

export function writeHeader(buffer: SharedArrayBuffer, g: Geometry, epochMs: number, keys: KeyKind): void {
  const i32 = new Int32Array(buffer, 0, HEADER_BYTES / 4);
  i32[H_KEY_KIND] = keys === 'bytes' ? 1 : 0;
  i32[H_CAPACITY] = g.capacity;
  i32[H_SHARDS] = g.shards;
  i32[H_SHARD_SLOTS] = g.shardSlots;
  i32[H_MAX_KEY] = g.maxKeyBytes;
  i32[H_MAX_VALUE] = g.maxValueBytes;
  i32[H_SLOT_BYTES] = g.slotBytes;
  i32[H_LEASE_MS] = g.lockLeaseMs;
  new Float64Array(buffer, EPOCH_BYTE, 1)[0] = epochMs;
  i32[H_LAYOUT] = LAYOUT_VERSION;
  Atomics.store(i32, H_MAGIC, MAGIC);
}

/** The geometry stored in `buffer`, or a description of why it is not a SharedMap buffer. */
export function readHeader(buffer: SharedArrayBuffer): { geometry: Geometry; epochMs: number; keys: KeyKind } | string {
  if (buffer.byteLength < HEADER_BYTES) return `a ${buffer.byteLength}-byte buffer is too small`;
  const i32 = new Int32Array(buffer, 0, HEADER_BYTES / 4);
  if (Atomics.load(i32, H_MAGIC) !== MAGIC) return 'the buffer does not start with a SharedMap header';
  if (i32[H_LAYOUT] !== LAYOUT_VERSION) return `layout version ${i32[H_LAYOUT]!} is not the supported ${LAYOUT_VERSION}`;
  const g = computeGeometry(i32[H_CAPACITY]!, i32[H_SHARDS]!, i32[H_MAX_KEY]!, i32[H_MAX_VALUE]!, i32[H_LEASE_MS]!);
  if (g.shardSlots !== i32[H_SHARD_SLOTS] || g.slotBytes !== i32[H_SLOT_BYTES] || g.totalBytes > buffer.byteLength) {
    return 'the header does not match the buffer';
  }
  const keyKind = i32[H_KEY_KIND];
  if (keyKind !== 0 && keyKind !== 1) return `key kind ${keyKind!} is not 0 (string) or 1 (bytes)`;
  return { geometry: g, epochMs: new Float64Array(buffer, EPOCH_BYTE, 1)[0]!, keys: keyKind === 1 ? 'bytes' : 'string' };
}
