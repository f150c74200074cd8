import { LockTimeoutError, SharedMapReentrantError } from '../errors.js';
import { HEADER_BYTES, S_OWNER, S_STAMP, S_WAITERS, SHARD_BYTES } from './map-layout.js';

// Shard write locks of a SharedMap: one Int32 owner word per shard holding the owner's token (its
// threadId + 1; 0 = free) and a stamp word holding when it was taken (ms since the map's epoch, which
// every thread shares through Date.now()). Taking a lock is one compareExchange; a contended taker spins
// briefly, then parks in Atomics.wait with a short timeout so it keeps checking the lease.
//
// Recovery: a lock whose owner and stamp have not changed for `leaseMs` — judged both by the stamp and
// by the waiter's own observation, so a stamp not yet written by a fresh owner cannot fool it — is
// taken over, and the taker repairs the shard's bookkeeping before using it. `recoverThread` does the
// same at once for a thread known to be dead (a worker's 'exit' event).

const SPINS = 64;
const MAX_PARK_MS = 10;

/** How a lock was recovered, for the map's monitor event. */
export type RecoveredHow = 'lease' | 'exit';

export class ShardLocks {
  readonly #i32: Int32Array;
  readonly #token: number;
  readonly #leaseMs: number;
  readonly #epochMs: number;
  readonly #timeoutMs: number | undefined;
  readonly #name: string;
  readonly #onRecovered: (shard: number, threadId: number, heldMs: number, how: RecoveredHow) => void;

  constructor(
    buffer: SharedArrayBuffer,
    options: {
      token: number;
      leaseMs: number;
      epochMs: number;
      timeoutMs: number | undefined;
      name: string;
      onRecovered: (shard: number, threadId: number, heldMs: number, how: RecoveredHow) => void;
    },
  ) {
    this.#i32 = new Int32Array(buffer);
    this.#token = options.token;
    this.#leaseMs = options.leaseMs;
    this.#epochMs = options.epochMs;
    this.#timeoutMs = options.timeoutMs;
    this.#name = options.name;
    this.#onRecovered = options.onRecovered;
  }

  /**
   * Takes `shard`'s lock. Returns true when it was taken over from an owner that held it past the lease:
   * the caller must then repair the shard (its count may be stale) before relying on it.
   * @throws {SharedMapReentrantError} when this thread already holds it.
   * @throws {LockTimeoutError} past `timeoutMs`.
   */
  acquire(shard: number): boolean {
    const owner = base(shard) + S_OWNER;
    if (Atomics.compareExchange(this.#i32, owner, 0, this.#token) === 0) {
      Atomics.store(this.#i32, owner + 1, this.#now());
      return false;
    }
    return this.#contended(shard);
  }

  /** Frees `shard`'s lock; false when another thread had taken it over (this holder outlived its lease). */
  release(shard: number): boolean {
    const at = base(shard);
    const previous = Atomics.compareExchange(this.#i32, at + S_OWNER, this.#token, 0);
    if (Atomics.load(this.#i32, at + S_WAITERS) > 0) Atomics.notify(this.#i32, at + S_OWNER, 1);
    return previous === this.#token;
  }

  /** True while this thread holds `shard`'s lock. */
  holds(shard: number): boolean {
    return Atomics.load(this.#i32, base(shard) + S_OWNER) === this.#token;
  }

  /**
   * Takes over every lock `threadId` holds (call it once that thread is known to be gone), runs `repair`
   * on each shard, then frees it. Returns how many locks were recovered.
   */
  recoverThread(threadId: number, shards: number, repair: (shard: number) => void): number {
    const dead = threadId + 1;
    if (dead === this.#token) return 0;
    let recovered = 0;
    for (let shard = 0; shard < shards; shard += 1) {
      const at = base(shard);
      if (Atomics.compareExchange(this.#i32, at + S_OWNER, dead, this.#token) !== dead) continue;
      const heldMs = (this.#now() - Atomics.load(this.#i32, at + S_STAMP)) | 0;
      Atomics.store(this.#i32, at + S_STAMP, this.#now());
      try {
        repair(shard);
      } finally {
        this.release(shard);
      }
      recovered += 1;
      this.#onRecovered(shard, threadId, heldMs, 'exit');
    }
    return recovered;
  }

  #contended(shard: number): boolean {
    const i32 = this.#i32;
    const at = base(shard);
    const started = performance.now();
    let spins = 0;
    let seenOwner = 0;
    let seenStamp = 0;
    let seenSince = 0;
    for (;;) {
      const owner = Atomics.load(i32, at + S_OWNER);
      if (owner === 0) {
        if (Atomics.compareExchange(i32, at + S_OWNER, 0, this.#token) === 0) {
          Atomics.store(i32, at + S_STAMP, this.#now());
          return false;
        }
        continue;
      }
      if (owner === this.#token) throw new SharedMapReentrantError(this.#name);
      const stamp = Atomics.load(i32, at + S_STAMP);
      const now = Date.now();
      // The waiter's own observation runs on the monotonic clock, so a wall-clock jump alone (which
      // moves every stamp's apparent age) cannot make it take a live holder's lock.
      const watched = performance.now();
      if (owner !== seenOwner || stamp !== seenStamp) {
        seenOwner = owner;
        seenStamp = stamp;
        seenSince = watched;
      } else if (watched - seenSince >= this.#leaseMs) {
        const heldMs = (now - this.#epochMs - stamp) | 0;
        if (heldMs >= this.#leaseMs && Atomics.compareExchange(i32, at + S_OWNER, owner, this.#token) === owner) {
          Atomics.store(i32, at + S_STAMP, this.#now());
          this.#onRecovered(shard, owner - 1, heldMs, 'lease');
          return true;
        }
      }
      if (this.#timeoutMs !== undefined && watched - started >= this.#timeoutMs) {
        throw new LockTimeoutError('write', this.#timeoutMs, `${this.#name} shard ${shard}`);
      }
      if (spins < SPINS) {
        spins += 1;
        continue;
      }
      Atomics.add(i32, at + S_WAITERS, 1);
      Atomics.wait(i32, at + S_OWNER, owner, Math.max(1, Math.min(MAX_PARK_MS, this.#leaseMs / 4)));
      Atomics.sub(i32, at + S_WAITERS, 1);
    }
  }

  #now(): number {
    return (Date.now() - this.#epochMs) | 0;
  }
}

function base(shard: number): number {
  return (HEADER_BYTES + shard * SHARD_BYTES) >> 2;
}
