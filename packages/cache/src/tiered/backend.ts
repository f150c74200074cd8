/** Options of {@link CacheBackend.set}. */
export interface BackendSetOptions {
  /** Time to live in ms; 0 or absent keeps the value until deleted. */
  ttlMs?: number;
  /** Write only when the key does not exist. */
  nx?: boolean;
}

/** Every option of {@link BackendSetOptions}: a backend refuses any other key. */
export const BACKEND_SET_KEYS = ['ttlMs', 'nx'] as const satisfies readonly (keyof BackendSetOptions)[];

/** One write of {@link CacheBackend.setMany}. */
export interface BackendEntry {
  key: string;
  value: Buffer;
  ttlMs?: number;
}

/** One key of {@link CacheBackend.touch}. */
export interface BackendTouch {
  key: string;
  ttlMs: number;
}

/** One step of an atomic {@link CacheBackend.batch}. */
export type BackendBatchOperation = { type: 'set'; key: string; value: Buffer; ttlMs?: number } | { type: 'delete'; key: string };

/** A compare step of {@link CacheBackend.compareAndSet}: `expected` null means "the key must not exist". */
export interface BackendCheck {
  key: string;
  expected: Buffer | null;
}

/** A write step of {@link CacheBackend.compareAndSet}: `value` null deletes the key. */
export interface BackendWrite {
  key: string;
  value: Buffer | null;
  ttlMs?: number;
}

/**
 * The byte-level store behind a `TieredCache` (its L2). Keys arrive already namespaced; values are
 * opaque bytes. Every backend passes the shared conformance suite (test/backend-conformance).
 *
 * Failures: a backend rejects with `CACHE_BACKEND_UNAVAILABLE` when it cannot be reached, and with
 * another `TieredCacheError` code (`CACHE_NOT_A_COUNTER`, `CACHE_CROSS_SLOT`, `CACHE_DECODE_FAILED`
 * for set operations on a key of another type) when the request itself cannot succeed.
 */
export interface CacheBackend {
  /** For stats, events and messages, e.g. `redis` or `memory`. */
  readonly name: string;
  /** The bytes under `key`; null when missing or when the key holds another type (MGET semantics). */
  get(key: string): Promise<Buffer | null>;
  /** Pipelined; results in the order of `keys`, with the semantics of `get`. */
  getMany(keys: readonly string[]): Promise<(Buffer | null)[]>;
  /** Resolves whether the value was written (false only with `nx` on an existing key). */
  set(key: string, value: Buffer, options?: BackendSetOptions): Promise<boolean>;
  /** Pipelined, not atomic. */
  setMany(entries: readonly BackendEntry[]): Promise<void>;
  /** Resolves how many of `keys` existed. */
  delete(keys: readonly string[]): Promise<number>;
  exists(key: string): Promise<boolean>;
  /** Remaining time to live in ms; -1 without expiry; null when the key does not exist. */
  ttl(key: string): Promise<number | null>;
  /**
   * Sets the time to live of each existing key to `ttlMs` from now (PEXPIRE, pipelined); missing keys are
   * skipped. Optional: without it, sliding expiry (`slidingTtl`) slides L1 only.
   */
  touch?(entries: readonly BackendTouch[]): Promise<void>;
  /**
   * Adds `delta` to the counter at `key` (created at 0, with `ttlMs` when given) and resolves the new
   * value. Counters are stored as `header` byte + ASCII decimal; anything else is `CACHE_NOT_A_COUNTER`.
   * A count or result outside ±`Number.MAX_SAFE_INTEGER` is refused with `CACHE_COUNTER_OUT_OF_RANGE`
   * before anything is written (a double past 2^53 is rounded, and taking the step back would not restore it).
   */
  increment(key: string, delta: number, header: number, ttlMs?: number): Promise<number>;
  /** Runs all operations atomically (one MULTI; on a cluster one MULTI per hash slot). */
  batch(operations: readonly BackendBatchOperation[]): Promise<void>;
  /** Applies `writes` only if every check holds, atomically on the server; all keys in one slot. */
  compareAndSet(checks: readonly BackendCheck[], writes: readonly BackendWrite[]): Promise<boolean>;
  /** Yields batches of keys matching the glob `match` (SCAN on every master). */
  scan(match: string, count: number): AsyncIterable<string[]>;
  /** Adds members to the set at `key`; the set lives at least `ttlMs` (0: no expiry). */
  addToSet(key: string, members: readonly string[], ttlMs: number): Promise<void>;
  setMembers(key: string): Promise<string[]>;
  /** SET NX PX: resolves whether this `token` now holds the lock. */
  acquireLock(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Deletes the lock only if `token` still holds it. */
  releaseLock(key: string, token: string): Promise<boolean>;
  /** Round trip to the server; resolves the latency in ms. */
  ping(): Promise<number>;
  /** Releases connections the backend created (an injected client is left open). */
  close(): Promise<void>;
}
