import type { Pool } from 'pg';
import { pgPeer } from '../internal/peers.js';
import { describeThrown, describeValue, expectFunction, expectObject, expectString, expectTimerMsOrZero, optional, rejectUnknownKeys } from '@patinox/errors';
import { TieredCacheError } from '../errors.js';
import type { Store } from '../tiered/store.js';

/** The part of a pg `Pool`, `PoolClient` or `Client` the store uses. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/** Options of {@link PostgresStore}: pass `pool` (yours), or `connectionString` (the store owns the pool). */
export interface PostgresStoreOptions {
  /** A pg `Pool` or `Client`; left open by `close()`. */
  pool?: PgQueryable;
  /** A `postgres://` URL; the store creates a pg `Pool` and ends it on `close()`. */
  connectionString?: string;
  /** Table holding the values (created by `init()`); a plain lower-case SQL identifier. @default 'patinox_cache_store' */
  table?: string;
  /**
   * Purges expired rows every this many ms ({@link PostgresStore.purgeExpired}) on an unref'ed timer that
   * `close()` stops; 0 or unset: only when you call `purgeExpired()`. Reads never return an expired row either way.
   * @default 0
   */
  purgeIntervalMs?: number;
  /** Called with the error of a timed purge that failed (the next tick tries again). @default ignore it */
  onPurgeError?: (error: unknown) => void;
}

const POSTGRES_STORE_OPTION_KEYS = ['pool', 'connectionString', 'table', 'purgeIntervalMs', 'onPurgeError'] as const satisfies readonly (keyof PostgresStoreOptions)[];

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A write-through {@link Store} on PostgreSQL (pg): one row per key, the value as `jsonb`, the expiry
 * as `timestamptz`. Values must be JSON (a value PostgreSQL refuses, such as a string with `\u0000`,
 * makes the write fail with `CACHE_STORE_WRITE_FAILED` and leaves the cache untouched).
 *
 * @example
 * ```ts
 * import { PostgresStore } from '@patinox/cache/postgres';
 * const store = new PostgresStore({ pool, table: 'user_cache' });
 * await store.init();
 * const cache = new TieredCache({ l2, namespace: 'users', store });
 * ```
 */
export class PostgresStore<V = unknown> implements Store<V> {
  readonly table: string;
  readonly #db: PgQueryable;
  readonly #owned: Pool | undefined;
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  #purging = false;
  #closed = false;

  constructor(options: PostgresStoreOptions) {
    expectObject('options', options);
    rejectUnknownKeys('options', options, POSTGRES_STORE_OPTION_KEYS);
    if ((options.pool === undefined) === (options.connectionString === undefined)) {
      throw new TypeError('Expected exactly one of `pool` or `connectionString`');
    }
    const table = options.table ?? 'patinox_cache_store';
    if (typeof table !== 'string' || !IDENTIFIER.test(table)) {
      throw new TypeError(`Expected \`table\` to be a lower-case SQL identifier, got ${describeValue(table)}`);
    }
    this.table = table;
    if (options.pool !== undefined) {
      if (typeof options.pool !== 'object' || options.pool === null || typeof options.pool.query !== 'function') {
        throw new TypeError(`Expected \`pool\` to be a pg Pool or Client, got ${describeValue(options.pool)}`);
      }
      this.#db = options.pool;
    } else {
      expectString('connectionString', options.connectionString);
      this.#owned = new (pgPeer().Pool)({ connectionString: options.connectionString, max: 4 });
      // An idle client's error must not crash the process; the next query reports it.
      this.#owned.on('error', () => undefined);
      this.#db = this.#owned;
    }
    const purgeIntervalMs = optional('purgeIntervalMs', options.purgeIntervalMs, expectTimerMsOrZero, 0);
    const onPurgeError = optional('onPurgeError', options.onPurgeError, expectFunction, undefined) as PostgresStoreOptions['onPurgeError'];
    if (purgeIntervalMs > 0) {
      this.#timer = setInterval(() => void this.#timedPurge(onPurgeError), purgeIntervalMs);
      this.#timer.unref();
    }
  }

  /** Creates the table, and the index on the expiry a purge reads, when they do not exist. */
  async init(): Promise<void> {
    this.#open();
    await this.#db.query(`CREATE TABLE IF NOT EXISTS "${this.table}" (key text PRIMARY KEY, value jsonb NOT NULL, expires_at timestamptz)`);
    await this.#db.query(`CREATE INDEX IF NOT EXISTS "${this.table}_expires_at" ON "${this.table}" (expires_at) WHERE expires_at IS NOT NULL`);
  }

  /**
   * Deletes the rows whose expiry has passed (reads already skip them; this gives the space back) and
   * returns how many. `purgeIntervalMs` runs it on a timer.
   */
  async purgeExpired(): Promise<number> {
    this.#open();
    const result = await this.#db.query(`DELETE FROM "${this.table}" WHERE expires_at <= now()`);
    return result.rowCount ?? 0;
  }

  async set(key: string, value: V, ttlMs?: number): Promise<void> {
    this.#open();
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch (err) {
      throw new TypeError(`Value of key ${JSON.stringify(key)} is not JSON: ${describeThrown(err)}`);
    }
    await this.#db.query(
      `INSERT INTO "${this.table}" (key, value, expires_at) VALUES ($1, $2::jsonb, CASE WHEN $3::float8 > 0 THEN now() + $3::float8 * interval '1 millisecond' END)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
      [key, json, ttlMs ?? 0],
    );
  }

  async get(key: string): Promise<V | undefined> {
    this.#open();
    const result = await this.#db.query(`SELECT value FROM "${this.table}" WHERE key = $1 AND (expires_at IS NULL OR expires_at > now())`, [key]);
    const row = result.rows[0];
    return row === undefined ? undefined : (row.value as V);
  }

  async delete(key: string): Promise<void> {
    this.#open();
    await this.#db.query(`DELETE FROM "${this.table}" WHERE key = $1`, [key]);
  }

  /** Deletes every row whose key starts with `prefix` (`''`: every row); `TieredCache.clear()` calls it. */
  async clear(prefix: string): Promise<void> {
    this.#open();
    if (prefix === '') await this.#db.query(`DELETE FROM "${this.table}"`);
    else await this.#db.query(`DELETE FROM "${this.table}" WHERE starts_with(key, $1)`, [prefix]);
  }

  /** Stops the purge timer and ends the pool the store created (a pool passed in is left open); later calls fail with `CACHE_CLOSED`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#owned?.end();
  }

  /** True once {@link PostgresStore.close} ran (a pool passed in stays open, but this store is done). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Same as {@link PostgresStore.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #open(): void {
    if (this.#closed) throw new TieredCacheError(`PostgresStore (table ${this.table}) is closed`, 'CACHE_CLOSED', { table: this.table });
  }

  async #timedPurge(onError: ((error: unknown) => void) | undefined): Promise<void> {
    // A purge slower than the interval is not started again on top of itself.
    if (this.#purging || this.#closed) return;
    this.#purging = true;
    try {
      await this.purgeExpired();
    } catch (err) {
      if (this.#closed) return;
      try {
        onError?.(err);
      } catch {
        // A throwing onPurgeError must not become an unhandled rejection on a timer.
      }
    } finally {
      this.#purging = false;
    }
  }

}
