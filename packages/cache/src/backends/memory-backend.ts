/* eslint-disable @typescript-eslint/require-await -- CacheBackend is async; this backend answers at once but must reject, never throw synchronously */
import { expectFunction, expectObject, optional, rejectUnknownKeys } from '@patinox/errors';
import { BACKEND_SET_KEYS, type BackendBatchOperation, type BackendCheck, type BackendEntry, type BackendSetOptions, type BackendTouch, type BackendWrite, type CacheBackend } from '../tiered/backend.js';
import { TieredCacheError } from '../errors.js';
import { globToRegExp } from '../internal/glob.js';

/** Options of {@link MemoryBackend}. */
export interface MemoryBackendOptions {
  /** Time source in ms for expiry. @default Date.now */
  clock?: () => number;
}

interface Slot {
  value: Buffer | Set<string>;
  /** Absolute expiry in clock ms; Infinity for none. */
  expiresAt: number;
}

/**
 * An in-process {@link CacheBackend}: the embedded default for tests and single-process use. It behaves
 * like Redis (byte values, TTLs, NX, atomic batches) but shares nothing across processes; pair it with
 * a `MemoryBus` to test coherence between several `TieredCache` instances in one process.
 *
 * @example
 * ```ts
 * const cache = new TieredCache({ l2: new MemoryBackend(), namespace: 'test' });
 * ```
 */
export class MemoryBackend implements CacheBackend {
  readonly name = 'memory';
  readonly #data = new Map<string, Slot>();
  readonly #clock: () => number;
  #closed = false;

  constructor(options: MemoryBackendOptions = {}) {
    rejectUnknownKeys('options', expectObject('options', options), ['clock']);
    this.#clock = optional<() => number>('clock', options.clock, expectFunction, Date.now);
  }

  /** Number of live keys (expired ones are dropped first). */
  get size(): number {
    this.#sweep();
    return this.#data.size;
  }

  async get(key: string): Promise<Buffer | null> {
    return this.#bytes(key);
  }

  async getMany(keys: readonly string[]): Promise<(Buffer | null)[]> {
    return keys.map((key) => this.#bytes(key));
  }

  async set(key: string, value: Buffer, options: BackendSetOptions = {}): Promise<boolean> {
    this.#open();
    rejectUnknownKeys('options', options, BACKEND_SET_KEYS);
    if (options.nx === true && this.#live(key) !== undefined) return false;
    this.#write(key, value, options.ttlMs);
    return true;
  }

  async setMany(entries: readonly BackendEntry[]): Promise<void> {
    this.#open();
    for (const entry of entries) this.#write(entry.key, entry.value, entry.ttlMs);
  }

  async delete(keys: readonly string[]): Promise<number> {
    this.#open();
    let removed = 0;
    for (const key of keys) {
      if (this.#live(key) !== undefined) removed += 1;
      this.#data.delete(key);
    }
    return removed;
  }

  async exists(key: string): Promise<boolean> {
    this.#open();
    return this.#live(key) !== undefined;
  }

  async ttl(key: string): Promise<number | null> {
    this.#open();
    const slot = this.#live(key);
    if (slot === undefined) return null;
    return slot.expiresAt === Infinity ? -1 : slot.expiresAt - this.#clock();
  }

  async touch(entries: readonly BackendTouch[]): Promise<void> {
    this.#open();
    for (const entry of entries) {
      const slot = this.#live(entry.key);
      if (slot !== undefined && entry.ttlMs > 0) slot.expiresAt = this.#clock() + entry.ttlMs;
    }
  }

  async increment(key: string, delta: number, header: number, ttlMs?: number): Promise<number> {
    this.#open();
    const slot = this.#live(key);
    let current = 0;
    if (slot !== undefined) {
      const text = slot.value instanceof Buffer && slot.value[0] === header ? slot.value.subarray(1).toString('latin1') : '';
      if (!/^-?\d{1,20}$/.test(text)) {
        throw new TieredCacheError(`Key ${JSON.stringify(key)} does not hold a counter`, 'CACHE_NOT_A_COUNTER', { key });
      }
      current = Number(text);
    }
    const next = current + delta;
    // As RedisBackend: a count that a double cannot hold exactly is refused, nothing written.
    if (!Number.isSafeInteger(current) || !Number.isSafeInteger(next)) {
      throw new TieredCacheError(`Key ${JSON.stringify(key)}: the counter would leave the safe integer range; it was left unchanged`, 'CACHE_COUNTER_OUT_OF_RANGE', { key, delta });
    }
    const bytes = Buffer.concat([Buffer.from([header]), Buffer.from(String(next), 'latin1')]);
    if (slot === undefined) this.#write(key, bytes, ttlMs);
    else slot.value = bytes;
    return next;
  }

  async batch(operations: readonly BackendBatchOperation[]): Promise<void> {
    this.#open();
    for (const op of operations) {
      if (op.type === 'set') this.#write(op.key, op.value, op.ttlMs);
      else this.#data.delete(op.key);
    }
  }

  async compareAndSet(checks: readonly BackendCheck[], writes: readonly BackendWrite[]): Promise<boolean> {
    this.#open();
    for (const check of checks) {
      const current = this.#bytes(check.key);
      if (check.expected === null ? current !== null : current === null || !current.equals(check.expected)) return false;
    }
    for (const write of writes) {
      if (write.value === null) this.#data.delete(write.key);
      else this.#write(write.key, write.value, write.ttlMs);
    }
    return true;
  }

  async *scan(match: string, count: number): AsyncIterable<string[]> {
    this.#open();
    const pattern = globToRegExp(match);
    this.#sweep();
    const keys = [...this.#data.keys()].filter((key) => pattern.test(key));
    for (let i = 0; i < keys.length; i += count) yield keys.slice(i, i + count);
  }

  async addToSet(key: string, members: readonly string[], ttlMs: number): Promise<void> {
    this.#open();
    const slot = this.#live(key);
    if (slot !== undefined && !(slot.value instanceof Set)) throw wrongType(key);
    if (slot === undefined) {
      this.#data.set(key, { value: new Set(members), expiresAt: ttlMs > 0 ? this.#clock() + ttlMs : Infinity });
      return;
    }
    for (const member of members) (slot.value as Set<string>).add(member);
    if (ttlMs <= 0) slot.expiresAt = Infinity;
    else slot.expiresAt = Math.max(slot.expiresAt, this.#clock() + ttlMs);
  }

  async setMembers(key: string): Promise<string[]> {
    this.#open();
    const slot = this.#live(key);
    if (slot === undefined) return [];
    if (!(slot.value instanceof Set)) throw wrongType(key);
    return [...slot.value];
  }

  async acquireLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    return this.set(key, Buffer.from(token, 'utf8'), { ttlMs, nx: true });
  }

  async releaseLock(key: string, token: string): Promise<boolean> {
    const current = this.#bytes(key);
    if (current === null || current.toString('utf8') !== token) return false;
    this.#data.delete(key);
    return true;
  }

  async ping(): Promise<number> {
    this.#open();
    return 0;
  }

  /** True once {@link MemoryBackend.close} ran: every call then fails with `CACHE_CLOSED`. */
  get closed(): boolean {
    return this.#closed;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#data.clear();
  }

  /** Same as {@link MemoryBackend.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #open(): void {
    if (this.#closed) throw new TieredCacheError('MemoryBackend is closed', 'CACHE_CLOSED');
  }

  /** Like Redis MGET: a key of another type reads as missing. */
  #bytes(key: string): Buffer | null {
    this.#open();
    const slot = this.#live(key);
    return slot !== undefined && slot.value instanceof Buffer ? slot.value : null;
  }

  #live(key: string): Slot | undefined {
    const slot = this.#data.get(key);
    if (slot === undefined) return undefined;
    if (slot.expiresAt <= this.#clock()) {
      this.#data.delete(key);
      return undefined;
    }
    return slot;
  }

  #write(key: string, value: Buffer, ttlMs: number | undefined): void {
    // Copies, so a caller mutating its buffer later cannot change what is stored (as with Redis).
    this.#data.set(key, { value: Buffer.from(value), expiresAt: ttlMs !== undefined && ttlMs > 0 ? this.#clock() + ttlMs : Infinity });
  }

  #sweep(): void {
    const now = this.#clock();
    for (const [key, slot] of this.#data) if (slot.expiresAt <= now) this.#data.delete(key);
  }
}

function wrongType(key: string): TieredCacheError {
  return new TieredCacheError(`Key ${JSON.stringify(key)} holds a value of another type`, 'CACHE_DECODE_FAILED', { key, reason: 'wrong type' });
}
