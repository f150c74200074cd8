import { EventEmitter } from 'node:events';
import { describeValue, expectObject } from '@patinox/errors';
import type { Cache } from '../cache.js';
import type { TieredCache } from '../tiered/tiered-cache.js';
import { KeyvNamespaceError } from './errors.js';

/** What {@link KeyvStore} adapts: an in-process {@link Cache} with string keys, or a {@link TieredCache}. */
export type KeyvStoreTarget<V = unknown> = Cache<string, V> | TieredCache<V>;

const MAX_NAMESPACE_LENGTH = 256;
const CONTROL = /[\u0000-\u001f\u007f]/;

function isTiered<V>(cache: KeyvStoreTarget<V>): cache is TieredCache<V> {
  // Duck-typed: ESM and CJS copies of this package may load side by side, so no instanceof.
  return typeof (cache as TieredCache<V>).exists === 'function';
}

function checkNamespace(namespace: unknown): string | undefined {
  if (namespace === undefined || namespace === null) return undefined;
  const fail = (why: string): never => {
    throw new KeyvNamespaceError(`Expected the Keyv namespace to be ${why}, got ${describeValue(namespace)}`, namespace);
  };
  if (typeof namespace !== 'string') return fail('a string');
  if (namespace.length === 0 || namespace.length > MAX_NAMESPACE_LENGTH) fail(`1 to ${MAX_NAMESPACE_LENGTH} characters`);
  if (!(namespace as unknown as { isWellFormed(): boolean }).isWellFormed()) fail('well-formed UTF-16 (no lone surrogates)');
  if (CONTROL.test(namespace)) fail('free of control characters');
  return namespace;
}

/**
 * A Keyv storage adapter over a Patinox {@link Cache} or {@link TieredCache}, so Keyv and cache-manager
 * v7 users can put Patinox under the API they already call. Keyv prefixes keys with its namespace
 * (`ns:key`) and tells the store the namespace; this store tags every entry with it, so `clear()` of a
 * namespaced Keyv removes only that namespace (through `invalidateTag`), and one cache can back several
 * Keyv instances. A Keyv without a namespace clears the whole cache. TTLs are passed on as `ttlMs`.
 *
 * Make one store per Keyv instance (Keyv writes the namespace into its store); they may share a cache.
 *
 * @example
 * ```ts
 * import Keyv from 'keyv';
 * import { Cache } from '@patinox/cache';
 * import { KeyvStore } from '@patinox/cache/keyv';
 *
 * const keyv = new Keyv({ store: new KeyvStore(new Cache<string, unknown>({ maxEntries: 10_000 })), namespace: 'users' });
 * await keyv.set('42', { name: 'Ada' }, 60_000);
 * ```
 */
export class KeyvStore<V = unknown> extends EventEmitter {
  /** Keyv reads and writes adapter options here (a `deserialize` override, for one). */
  readonly opts: Record<string, unknown> = { dialect: 'patinox' };
  readonly #cache: KeyvStoreTarget<V>;
  readonly #tiered: boolean;
  #namespace: string | undefined = undefined;
  #tags: readonly string[] | undefined = undefined;

  /** @throws TypeError when `cache` is neither a Cache nor a TieredCache. */
  constructor(cache: KeyvStoreTarget<V>) {
    super();
    expectObject('cache', cache);
    if (typeof cache.get !== 'function' || typeof cache.set !== 'function' || typeof cache.invalidateTag !== 'function') {
      throw new TypeError(`Expected \`cache\` to be a Cache or a TieredCache, got ${describeValue(cache)}`);
    }
    this.#cache = cache;
    this.#tiered = isTiered(cache);
  }

  /**
   * The namespace Keyv assigned; entries written under it are tagged `keyv:<namespace>`.
   * @throws {KeyvNamespaceError} `CACHE_KEYV_INVALID_NAMESPACE` for a namespace our keys refuse.
   */
  get namespace(): string | undefined {
    return this.#namespace;
  }

  set namespace(namespace: string | undefined) {
    this.#namespace = checkNamespace(namespace);
    this.#tags = this.#namespace === undefined ? undefined : [`keyv:${this.#namespace}`];
  }

  /** The value under `key` (Keyv's serialized record), or `undefined`. */
  async get(key: string): Promise<V | undefined> {
    return this.#cache.get(key);
  }

  /** Values of `keys` in order, `undefined` for misses. */
  async getMany(keys: string[]): Promise<(V | undefined)[]> {
    if (this.#tiered) return (this.#cache as TieredCache<V>).getMany(keys);
    const cache = this.#cache as Cache<string, V>;
    return keys.map((key) => cache.get(key));
  }

  /** Stores `value` under `key` for `ttl` ms (no expiry when absent or 0); resolves whether it was kept. */
  async set(key: string, value: V, ttl?: number): Promise<boolean> {
    const options = { ...(typeof ttl === 'number' && ttl > 0 ? { ttlMs: ttl } : {}), ...(this.#tags === undefined ? {} : { tags: this.#tags }) };
    return this.#cache.set(key, value, options);
  }

  /** Whether `key` holds a live entry. */
  async has(key: string): Promise<boolean> {
    return this.#tiered ? (this.#cache as TieredCache<V>).exists(key) : (this.#cache as Cache<string, V>).has(key);
  }

  /** Removes `key`; resolves whether it was there. */
  async delete(key: string): Promise<boolean> {
    return this.#cache.delete(key);
  }

  /** Removes every key in `keys`; resolves true only when each of them was there (as Keyv's own stores do). */
  async deleteMany(keys: string[]): Promise<boolean> {
    let all = keys.length > 0;
    for (const key of keys) if (!(await this.#cache.delete(key))) all = false;
    return all;
  }

  /** Removes this namespace's entries, or every entry of the cache when there is no namespace. */
  async clear(): Promise<void> {
    if (this.#tags !== undefined) await this.#cache.invalidateTag(this.#tags[0]!);
    else await this.#cache.clear();
  }
}

/** Same as `new KeyvStore(cache)`. */
export function createKeyvStore<V = unknown>(cache: KeyvStoreTarget<V>): KeyvStore<V> {
  return new KeyvStore(cache);
}
