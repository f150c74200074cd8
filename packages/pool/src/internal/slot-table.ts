import type { PooledConnection } from '../pooled-connection.js';

// Slot states. A connection lives in a numbered slot; its per-connection data is spread over typed
// arrays indexed by slot (struct of arrays), so an idle connection costs a few dozen bytes and the
// hot path reads and writes numbers instead of allocating records.
export const FREE = 0;
export const CREATING = 1;
export const IDLE = 2;
export const BORROWED = 3;
export const CHECKING = 4;
export const RECYCLING = 5;

// Values of `broken`: why a slot must not be lent again once it comes back.
export const SOUND = 0;
/** It reported an error (through `manager.watch`). */
export const FAILED = 1;
/** `softEvictAll()` retired it. */
export const RETIRED = 2;

/** The `reason` a connection whose `broken` is not SOUND is destroyed with. */
export function brokenReason(broken: number): string {
  return broken === RETIRED ? 'evicted' : 'error';
}

/** Which per-connection fields a pool needs; fields of features that are off stay empty. */
export interface SlotFeatures {
  lifetime: boolean;
  healthChecks: boolean;
  loanTimes: boolean;
  stacks: boolean;
  watch: boolean;
}

/**
 * The pool's connections as a struct of arrays indexed by slot, the free-slot stack, and the idle
 * connections: a stack lent newest first (LIFO: the rest age out) or a ring lent oldest first (FIFO: use
 * spreads over every connection). The fields are public to the pool core, which owns every state transition.
 */
export class SlotTable<C> {
  /** Connections open or being opened: the slots in use. */
  size = 0;
  /** Connections lent out (BORROWED slots with a live loan). */
  loaned = 0;
  capacity = 0;
  conns: (C | undefined)[] = [];
  loans: (PooledConnection<C> | undefined)[] = [];
  unwatch: ((() => void) | undefined)[] = [];
  stacks: (Error | undefined)[] = [];
  state = new Uint8Array(0);
  broken = new Uint8Array(0);
  /** 1 from its creation until a connection is first lent (its `lastUsedAt` is its creation time until then). */
  fresh = new Uint8Array(0);
  leakReported = new Uint8Array(0);
  lastUsedAt = new Float64Array(0);
  expiresAt = new Float64Array(0);
  checkAt = new Float64Array(0);
  borrowedAt = new Float64Array(0);
  #freeSlots = new Int32Array(0);
  #freeTop = 0;
  #idle = new Int32Array(0);
  // The idle connections: `idleCount` entries from `#idleHead` (the longest idle) on, wrapping at
  // `capacity`; in LIFO order `#idleHead` stays 0.
  #idleHead = 0;
  idleCount = 0;
  readonly #fifo: boolean;
  readonly #features: SlotFeatures;

  constructor(fifo: boolean, features: SlotFeatures) {
    this.#fifo = fifo;
    this.#features = features;
  }

  /** A free slot for a connection being created, growing the arrays (up to `maxSize` at a time) when none is left. */
  alloc(maxSize: number): number {
    if (this.#freeTop === 0) this.#grow(maxSize);
    const slot = this.#freeSlots[--this.#freeTop]!;
    this.state[slot] = CREATING;
    this.size += 1;
    return slot;
  }

  /** Gives a slot back to the free stack, clearing its connection. */
  free(slot: number): void {
    this.conns[slot] = undefined;
    this.state[slot] = FREE;
    this.broken[slot] = SOUND;
    this.fresh[slot] = 0;
    this.#freeSlots[this.#freeTop++] = slot;
    this.size -= 1;
  }

  /** Marks every slot in use but not idle to be destroyed when it comes back; returns how many were newly marked. */
  retireInUse(): number {
    let retired = 0;
    for (let slot = 0; slot < this.capacity; slot += 1) {
      const state = this.state[slot];
      if (state !== FREE && state !== IDLE && this.broken[slot] === SOUND) {
        this.broken[slot] = RETIRED;
        retired += 1;
      }
    }
    return retired;
  }

  /** Puts `slot` with the idle ones, as the most recently used. */
  pushIdle(slot: number): void {
    this.state[slot] = IDLE;
    if (this.#fifo) {
      let at = this.#idleHead + this.idleCount;
      if (at >= this.capacity) at -= this.capacity;
      this.#idle[at] = slot;
    } else {
      this.#idle[this.idleCount] = slot;
    }
    this.idleCount += 1;
  }

  /** Takes the next idle slot to lend (the newest in LIFO order, the oldest in FIFO order); there must be one. */
  popIdle(): number {
    this.idleCount -= 1;
    if (!this.#fifo) return this.#idle[this.idleCount]!;
    const slot = this.#idle[this.#idleHead]!;
    this.#idleHead = this.#idleHead + 1 === this.capacity ? 0 : this.#idleHead + 1;
    return slot;
  }

  /** Takes the `count` longest-idle slots out (at most as many as are idle) and hands each to `take`. */
  takeOldestIdle(count: number, take: (slot: number) => void): void {
    const n = Math.min(count, this.idleCount);
    if (n <= 0) return;
    const idle = this.#idle;
    const taken = new Int32Array(n);
    if (this.#fifo) {
      for (let i = 0; i < n; i += 1) {
        taken[i] = idle[this.#idleHead]!;
        this.#idleHead = this.#idleHead + 1 === this.capacity ? 0 : this.#idleHead + 1;
      }
    } else {
      // LIFO keeps the stack at the bottom of the array (no ring), so lending is one index step.
      taken.set(idle.subarray(0, n));
      idle.copyWithin(0, n, this.idleCount);
    }
    this.idleCount -= n;
    for (let i = 0; i < n; i += 1) take(taken[i]!);
  }

  /**
   * Visits the idle slots longest idle first and keeps those for which `keep` returns true, in order;
   * the others leave the ring (the caller decides their fate).
   */
  retainIdle(keep: (slot: number) => boolean): void {
    const idle = this.#idle;
    const capacity = this.capacity;
    const count = this.idleCount;
    let read = this.#idleHead;
    let write = this.#idleHead;
    let kept = 0;
    for (let i = 0; i < count; i += 1) {
      const slot = idle[read]!;
      read = read + 1 === capacity ? 0 : read + 1;
      if (keep(slot)) {
        idle[write] = slot;
        write = write + 1 === capacity ? 0 : write + 1;
        kept += 1;
      }
    }
    this.idleCount = kept;
  }

  #grow(maxSize: number): void {
    const old = this.capacity;
    const capacity = Math.max(old + 1, Math.min(Math.max(8, old * 2), Math.max(maxSize, old + 1)));
    const features = this.#features;
    this.state = growBytes(this.state, capacity);
    this.broken = growBytes(this.broken, capacity);
    this.fresh = growBytes(this.fresh, capacity);
    this.lastUsedAt = growFloat(this.lastUsedAt, capacity);
    if (features.lifetime) this.expiresAt = growFloat(this.expiresAt, capacity);
    if (features.healthChecks) this.checkAt = growFloat(this.checkAt, capacity);
    if (features.loanTimes) {
      this.leakReported = growBytes(this.leakReported, capacity);
      this.borrowedAt = growFloat(this.borrowedAt, capacity);
    }
    if (features.stacks) this.stacks = growArray(this.stacks, capacity);
    // The ring restarts at 0 in the larger array.
    const idle = new Int32Array(capacity);
    for (let i = 0, at = this.#idleHead; i < this.idleCount; i += 1) {
      idle[i] = this.#idle[at]!;
      at = at + 1 === old ? 0 : at + 1;
    }
    this.#idle = idle;
    this.#idleHead = 0;
    const freeSlots = new Int32Array(capacity);
    freeSlots.set(this.#freeSlots.subarray(0, this.#freeTop));
    // Push new slots highest first so the lowest index is used first.
    for (let slot = capacity - 1; slot >= old; slot -= 1) freeSlots[this.#freeTop++] = slot;
    this.#freeSlots = freeSlots;
    // Exact-size backing stores: push() would leave up to 50 % slack per connection.
    this.conns = growArray(this.conns, capacity);
    this.loans = growArray(this.loans, capacity);
    if (features.watch) this.unwatch = growArray(this.unwatch, capacity);
    this.capacity = capacity;
  }
}

function growArray<T>(old: (T | undefined)[], capacity: number): (T | undefined)[] {
  const next = new Array<T | undefined>(capacity).fill(undefined);
  for (let i = 0; i < old.length; i += 1) next[i] = old[i];
  return next;
}

function growFloat(old: Float64Array<ArrayBuffer>, capacity: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(capacity);
  next.set(old);
  return next;
}

function growBytes(old: Uint8Array<ArrayBuffer>, capacity: number): Uint8Array<ArrayBuffer> {
  const next = new Uint8Array(capacity);
  next.set(old);
  return next;
}
