import { threadId } from 'node:worker_threads';
import { describeValue, expectFunction, expectNonNegativeInteger, isThenable } from '@patinox/errors';
import { createEvent, safeRecord, type HealthCheck, type Monitor } from '@patinox/monitor';
import { SharedMapFullError, SharedMapReentrantError, SharedMapTooLargeError } from './errors.js';
import { SHARED_EVENTS } from './events.js';
import { decodeText, encodeText, hashBytes, scratch, type SharedMapCodecName, type SlotCodec } from './internal/map-codec.js';
import { TAG_DELETED, TAG_LIVE, type Geometry } from './internal/map-layout.js';
import { ShardLocks, type RecoveredHow } from './internal/map-lock.js';
import { MapTable } from './internal/map-table.js';
import { attachMap, createMap, type MapInit } from './internal/map-open.js';
import type { SharedMapAttachOptions, SharedMapOptions } from './options.js';

export type { SharedMapCodec, SharedMapCodecName } from './internal/map-codec.js';

/** What {@link SharedMap.recoverOnExit} needs of a thread: a `node:worker_threads` `Worker` fits. */
export interface ExitingThread {
  readonly threadId: number;
  once(event: 'exit', listener: (exitCode: number) => void): unknown;
  off(event: 'exit', listener: (exitCode: number) => void): unknown;
}

/** A key of a {@link SharedMap}: a string, or bytes in a map created with `keys: 'bytes'`. */
export type SharedMapKey = string | Uint8Array;

/** A structured-clone-friendly description of a {@link SharedMap}, to post to a worker. */
export interface SharedMapHandle {
  readonly kind: 'patinox.shared-map';
  readonly buffer: SharedArrayBuffer;
  readonly name: string;
  /** The value codec's name; `'custom'` means `SharedMap.from` needs the same codec passed again. */
  readonly codec: SharedMapCodecName | 'custom';
}

/**
 * A hash map in a `SharedArrayBuffer` that the main thread and workers read and write at once, like
 * Rust's DashMap: keys are strings, values go through a codec (JSON by default). Capacity is fixed at
 * creation; every operation is synchronous.
 *
 * Reads take no lock (each slot is a double-buffered seqlock); writes lock one shard. A worker terminated
 * mid-write never exposes a torn value: writers fill the slot's inactive copy and publish it with one
 * atomic store, and a lock left by a dead holder is taken over after `lockLeaseMs` (or at once with
 * {@link SharedMap.recoverThread}). A live writer stalled mid-copy for longer than the lease is the
 * exception: see `lockLeaseMs`. Iteration is weakly consistent: it sees every entry present for its
 * whole duration, and may or may not see concurrent changes.
 *
 * @example
 * ```ts
 * const prices = SharedMap.create<number>({ capacity: 10_000 });
 * new Worker(file, { workerData: { prices: prices.handle } }); // worker: SharedMap.from(workerData.prices)
 * prices.set('EURUSD', 1.08);
 * prices.update('hits', (n = 0) => n + 1);
 * ```
 * @throws {SharedMapFullError} `SHARED_MAP_FULL` from inserts of a new key into a full map.
 * @throws {SharedMapTooLargeError} `SHARED_MAP_TOO_LARGE` for a key or encoded value larger than its slot.
 * @throws {SharedMapReentrantError} `SHARED_MAP_REENTRANT` for a write from inside an `update` function.
 * @throws {SharedMapLockLostError} `SHARED_MAP_LOCK_LOST` when a writer outlived its lease; retry.
 */
export class SharedMap<V = unknown, K extends SharedMapKey = string> implements Iterable<[K, V]> {
  readonly #handle: SharedMapHandle;
  readonly #table: MapTable;
  readonly #locks: ShardLocks;
  readonly #codec: SlotCodec<V>;
  readonly #monitor: Monitor;
  readonly #g: Geometry;
  // Separate scratch for reads and writes: an `update` function may read the map while the write's
  // key is still in the write scratch.
  readonly #readKey: Uint8Array;
  readonly #readValue: Uint8Array;
  readonly #writeKey: Uint8Array;
  readonly #writeValue: Uint8Array;
  readonly #empty = new Uint8Array(0);
  readonly #byteKeys: boolean;
  /** Dead holders' shard locks this handle took over (see {@link SharedMap.healthCheck}). */
  #locksRecovered = 0;
  #expected: Uint8Array | undefined;
  #inUpdate = false;

  private constructor({ handle, geometry, epochMs, keys, codec, lockTimeoutMs, monitor }: MapInit<V>) {
    this.#handle = handle;
    this.#byteKeys = keys === 'bytes';
    this.#g = geometry;
    this.#codec = codec;
    this.#monitor = monitor;
    const locks = new ShardLocks(handle.buffer, {
      token: threadId + 1,
      leaseMs: geometry.lockLeaseMs,
      epochMs,
      timeoutMs: lockTimeoutMs,
      name: handle.name,
      onRecovered: (shard, owner, heldMs, how) => this.#recovered(shard, owner, heldMs, how),
    });
    this.#table = new MapTable(handle.buffer, geometry, locks);
    this.#locks = locks;
    this.#readKey = scratch(geometry.maxKeyBytes);
    this.#writeKey = scratch(geometry.maxKeyBytes);
    this.#readValue = scratch(geometry.maxValueBytes);
    this.#writeValue = scratch(geometry.maxValueBytes);
  }

  /**
   * Allocates a map for up to `capacity` entries; with `keys: 'bytes'` its keys are `Uint8Array`s.
   * @throws {TypeError} / {RangeError} for bad options.
   */
  static create<V = unknown>(options: SharedMapOptions<V> & { keys: 'bytes' }): SharedMap<V, Uint8Array>;
  static create<V = unknown>(options: SharedMapOptions<V> & { keys?: 'string' }): SharedMap<V>;
  static create<V = unknown>(options: SharedMapOptions<V>): SharedMap<V> | SharedMap<V, Uint8Array>;
  static create<V = unknown>(options: SharedMapOptions<V>): SharedMap<V, string> | SharedMap<V, Uint8Array> {
    return new SharedMap<V, never>(createMap<V>(options));
  }

  /**
   * Attaches to a map another thread created, from its {@link SharedMap.handle}; the memory is shared.
   * The key kind comes from the shared memory: pass `K = Uint8Array` for a map created with `keys: 'bytes'`.
   * @throws {TypeError} when `handle` is not a SharedMap handle, or its custom codec is not passed.
   */
  static from<V = unknown, K extends SharedMapKey = string>(handle: SharedMapHandle, options: SharedMapAttachOptions<V> = {}): SharedMap<V, K> {
    return new SharedMap<V, K>(attachMap<V>(handle, options));
  }

  /** What to post to a worker (`workerData` or `postMessage`); the buffer is shared, not copied. */
  get handle(): SharedMapHandle {
    return this.#handle;
  }

  /** Same as {@link SharedMap.handle}, named like `ConfigData.share()`. */
  share(): SharedMapHandle {
    return this.#handle;
  }

  get name(): string {
    return this.#handle.name;
  }

  /** The most entries the map holds. */
  get capacity(): number {
    return this.#g.capacity;
  }

  /** Live entries now (a sum over shards; concurrent writes may move it while it is read). */
  get size(): number {
    return this.#table.size();
  }

  /**
   * A health check for `checkHealth`: `degraded` once the map is at least `fullAt` full (a `set` of a new
   * key may then fail with `SHARED_MAP_FULL`) or after this handle took over a dead holder's shard lock
   * (a writer died mid-write; recovered, worth a look); `up` otherwise. Details: `size`, `capacity`,
   * `locksRecovered`.
   */
  healthCheck(fullAt = 0.9): HealthCheck {
    if (typeof fullAt !== 'number' || !(fullAt > 0 && fullAt <= 1)) {
      throw new RangeError(`Expected \`fullAt\` to be a share of the capacity in (0, 1], got ${describeValue(fullAt)}`);
    }
    return {
      name: `shared.map:${this.#handle.name}`,
      check: () => {
        const size = this.#table.size();
        const capacity = this.#g.capacity;
        const details = { size, capacity, locksRecovered: this.#locksRecovered };
        return { status: size >= fullAt * capacity || this.#locksRecovered > 0 ? 'degraded' : 'up', details };
      },
    };
  }

  /** The value of `key`, or `undefined`. Lock-free. */
  get(key: K): V | undefined {
    const keyLen = this.#encodeKey(key, this.#readKey);
    const length = this.#table.get(this.#readKey, keyLen, hashBytes(this.#readKey, keyLen), this.#readValue);
    return length < 0 ? undefined : this.#codec.decode(this.#readValue, length);
  }

  /** True when `key` has a value. Lock-free. */
  has(key: K): boolean {
    const keyLen = this.#encodeKey(key, this.#readKey);
    return this.#table.get(this.#readKey, keyLen, hashBytes(this.#readKey, keyLen), this.#readValue) >= 0;
  }

  /**
   * Sets `key` to `value` (`undefined` is refused: use `delete`).
   * @throws {SharedMapFullError} when `key` is new and the map is full.
   */
  set(key: K, value: V): this {
    this.#assertWritable();
    const keyLen = this.#encodeKey(key, this.#writeKey);
    const valueLen = this.#encodeValue(value, this.#writeValue);
    const hash = hashBytes(this.#writeKey, keyLen);
    const shard = this.#table.shardOf(hash);
    this.#table.lock(shard);
    try {
      this.#put(shard, this.#table.locate(shard, this.#writeKey, keyLen, hash), hash, keyLen, valueLen);
    } finally {
      this.#locks.release(shard);
    }
    return this;
  }

  /** Removes `key`; true when it had a value. */
  delete(key: K): boolean {
    this.#assertWritable();
    const keyLen = this.#encodeKey(key, this.#writeKey);
    const hash = hashBytes(this.#writeKey, keyLen);
    const shard = this.#table.shardOf(hash);
    this.#table.lock(shard);
    try {
      const slot = this.#table.locate(shard, this.#writeKey, keyLen, hash);
      if (slot < 0) return false;
      this.#remove(shard, slot, hash, keyLen);
      return true;
    } finally {
      this.#locks.release(shard);
    }
  }

  /**
   * Sets `key` to `next` only if its value is now `expected` (`undefined` = absent; compared by encoded
   * bytes, so JSON objects must list their fields in the same order). `next === undefined` deletes.
   * Returns whether it did.
   */
  compareAndSet(key: K, expected: V | undefined, next: V | undefined): boolean {
    this.#assertWritable();
    const keyLen = this.#encodeKey(key, this.#writeKey);
    const expectedLen = expected === undefined ? -1 : this.#encodeValue(expected, (this.#expected ??= scratch(this.#g.maxValueBytes)));
    const valueLen = next === undefined ? -1 : this.#encodeValue(next, this.#writeValue);
    const hash = hashBytes(this.#writeKey, keyLen);
    const shard = this.#table.shardOf(hash);
    this.#table.lock(shard);
    try {
      const slot = this.#table.locate(shard, this.#writeKey, keyLen, hash);
      const matches = expectedLen < 0 ? slot < 0 : slot >= 0 && this.#table.valueEquals(slot, this.#expected!, expectedLen);
      if (!matches) return false;
      if (valueLen >= 0) this.#put(shard, slot, hash, keyLen, valueLen);
      else if (slot >= 0) this.#remove(shard, slot, hash, keyLen);
      return true;
    } finally {
      this.#locks.release(shard);
    }
  }

  /**
   * Replaces `key`'s value with `fn(current)` atomically (`current` is `undefined` when absent; returning
   * `undefined` deletes) and returns the new value. `fn` runs holding the key's shard lock: keep it short
   * and synchronous; it may read the map but not write it. A throw leaves the value unchanged.
   */
  update(key: K, fn: (current: V | undefined) => V | undefined): V | undefined {
    this.#assertWritable();
    expectFunction('fn', fn);
    const keyLen = this.#encodeKey(key, this.#writeKey);
    const hash = hashBytes(this.#writeKey, keyLen);
    const shard = this.#table.shardOf(hash);
    this.#table.lock(shard);
    try {
      const slot = this.#table.locate(shard, this.#writeKey, keyLen, hash);
      const current = slot < 0 ? undefined : this.#codec.decode(this.#writeValue, this.#table.valueOf(slot, this.#writeValue));
      let next: V | undefined;
      this.#inUpdate = true;
      try {
        next = fn(current);
      } finally {
        this.#inUpdate = false;
      }
      // isThenable never throws: a returned Proxy whose traps throw goes on to the codec, which names it.
      if (isThenable(next)) {
        throw new TypeError('Expected the `update` function to return a value synchronously, got a Promise');
      }
      if (next === undefined) {
        if (slot >= 0) this.#remove(shard, slot, hash, keyLen);
      } else {
        this.#put(shard, slot, hash, keyLen, this.#encodeValue(next, this.#writeValue));
      }
      return next;
    } finally {
      this.#locks.release(shard);
    }
  }

  /** Removes every entry, one shard at a time. */
  clear(): void {
    this.#assertWritable();
    for (let shard = 0; shard < this.#g.shards; shard += 1) {
      this.#table.lock(shard);
      try {
        this.#table.clearShard(shard, this.#empty);
      } finally {
        this.#locks.release(shard);
      }
    }
  }

  /**
   * Takes over the shard locks held by thread `threadId` (a worker's `threadId`, once its 'exit' event
   * fired), repairs those shards and frees them, so writers need not wait out the lease. Returns how many
   * locks it freed. Never call it for a thread that is still running. Read the id while the worker runs:
   * a `Worker`'s `threadId` is -1 once it has exited ({@link SharedMap.recoverOnExit} does this for you).
   */
  recoverThread(deadThreadId: number): number {
    expectNonNegativeInteger('threadId', deadThreadId);
    return this.#locks.recoverThread(deadThreadId, this.#g.shards, (shard) => this.#table.recount(shard));
  }

  /**
   * Calls {@link SharedMap.recoverThread} for `worker` when it exits, so locks it dies holding are freed
   * at once instead of after `lockLeaseMs`. Its `threadId` is taken now (a `Worker` reports -1 once it
   * has exited). Returns a function that stops watching.
   * @throws {TypeError} when `worker` is not a running `Worker` (no `once`/`off`, or `threadId` below 0).
   */
  recoverOnExit(worker: ExitingThread): () => void {
    const w = worker as Partial<ExitingThread> | null;
    if (typeof w !== 'object' || w === null || typeof w.once !== 'function' || typeof w.off !== 'function' || !Number.isInteger(w.threadId) || w.threadId! < 0) {
      throw new TypeError(`Expected \`worker\` to be a running Worker, got ${typeof w === 'object' && w !== null && 'threadId' in w ? `one whose threadId is ${String(w.threadId)}` : describeValue(worker)}`);
    }
    const threadId = w.threadId!;
    const onExit = (): void => {
      this.recoverThread(threadId);
    };
    worker.once('exit', onExit);
    return () => {
      worker.off('exit', onExit);
    };
  }

  /** `[key, value]` pairs, weakly consistent (see the class notes). */
  *entries(): IterableIterator<[K, V]> {
    const keyOut = scratch(this.#g.maxKeyBytes);
    const valueOut = scratch(this.#g.maxValueBytes);
    for (let slot = 0; slot < this.#table.slotCount; slot += 1) {
      if (this.#table.readEntry(slot, keyOut, valueOut) !== TAG_LIVE) continue;
      const keyLen = this.#table.keyLen;
      const valueLen = this.#table.valueLen;
      yield [(this.#byteKeys ? new Uint8Array(keyOut.subarray(0, keyLen)) : decodeText(keyOut, keyLen)) as K, this.#codec.decode(valueOut, valueLen)];
    }
  }

  *keys(): IterableIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: K, map: this) => void): void {
    expectFunction('fn', fn);
    for (const [key, value] of this.entries()) fn(value, key, this);
  }

  #put(shard: number, slot: number, hash: number, keyLen: number, valueLen: number): void {
    if (slot >= 0) {
      this.#table.write(shard, slot, TAG_LIVE, hash, this.#writeKey, keyLen, this.#writeValue, valueLen);
      return;
    }
    const size = this.#table.size();
    if (size >= this.#g.capacity || this.#table.free < 0) throw new SharedMapFullError(this.#handle.name, this.#g.capacity, size);
    this.#table.write(shard, this.#table.free, TAG_LIVE, hash, this.#writeKey, keyLen, this.#writeValue, valueLen);
    this.#table.setCount(shard, this.#table.count(shard) + 1);
  }

  #remove(shard: number, slot: number, hash: number, keyLen: number): void {
    // The tombstone keeps the key, so probe chains through this slot stay unbroken.
    this.#table.write(shard, slot, TAG_DELETED, hash, this.#writeKey, keyLen, this.#empty, 0);
    this.#table.setCount(shard, this.#table.count(shard) - 1);
  }

  #encodeKey(key: K, out: Uint8Array): number {
    let length: number;
    if (this.#byteKeys) {
      if (!(key instanceof Uint8Array)) throw new TypeError(`Expected \`key\` to be a Uint8Array, got ${describeValue(key)}`);
      length = key.length;
      if (length <= out.length) out.set(key);
    } else {
      if (typeof key !== 'string') throw new TypeError(`Expected \`key\` to be a string, got ${describeValue(key)}`);
      length = encodeText(key, out);
    }
    if (length > out.length) throw new SharedMapTooLargeError(this.#handle.name, 'key', length, out.length);
    return length;
  }

  #encodeValue(value: V, out: Uint8Array): number {
    if (value === undefined) throw new TypeError('Expected `value` to be defined, got undefined; use delete() to remove a key');
    const length = this.#codec.encodeInto(value, out);
    if (length > out.length) throw new SharedMapTooLargeError(this.#handle.name, 'value', length, out.length);
    return length;
  }

  #assertWritable(): void {
    if (this.#inUpdate) throw new SharedMapReentrantError(this.#handle.name);
  }

  #recovered(shard: number, owner: number, heldMs: number, how: RecoveredHow): void {
    this.#locksRecovered += 1;
    safeRecord(this.#monitor, createEvent(SHARED_EVENTS.mapLockRecovered, this.#handle.name, { shard, threadId: owner, heldMs, how }));
  }
}
