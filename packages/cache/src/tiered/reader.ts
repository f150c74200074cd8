import { isPatinoxError } from '@patinox/errors';
import type { CacheBackend } from './backend.js';
import type { Coherence } from './coherence.js';
import type { KeyLayout } from './key-layout.js';
import type { TieredGetOptions } from './options.js';
import type { RemoteTier } from './remote-tier.js';
import type { Sliding } from './sliding.js';

const NO_TTL: Promise<null> = Promise.resolve(null);
const unknownTtl = (): null => null;
const ttlOf = (l2: CacheBackend, key: string): Promise<number | null> => l2.ttl(key);

/**
 * The read paths of a cache (keys already checked): L1 when it can be trusted, else L2 under the
 * read-race protocol of {@link Coherence}, the same for one key and for many, and the L1 fallback while
 * L2 is unavailable.
 */
export class TierReader<V> {
  readonly #remote: RemoteTier;
  readonly #coherence: Coherence<V>;
  readonly #layout: KeyLayout;
  readonly #degrade: boolean;
  readonly #sliding: Sliding<V>;

  constructor(parts: { remote: RemoteTier; coherence: Coherence<V>; layout: KeyLayout; degrade: boolean; sliding: Sliding<V> }) {
    this.#sliding = parts.sliding;
    this.#remote = parts.remote;
    this.#coherence = parts.coherence;
    this.#layout = parts.layout;
    this.#degrade = parts.degrade;
  }

  async get(key: string, options: TieredGetOptions | undefined, fillL1: boolean, l1AlreadyMissed: boolean): Promise<V | undefined> {
    const consistent = options?.consistent === true;
    const coherence = this.#coherence;
    let fallback: V | undefined;
    if (!consistent && !l1AlreadyMissed && coherence.l1 !== undefined) {
      const hit = coherence.l1.get(key);
      if (hit !== undefined) {
        if (coherence.trusted || options?.allowStale === true) {
          if (this.#sliding.active) this.#sliding.touch(key);
          return hit;
        }
        fallback = hit;
      }
    }
    const ticket = coherence.l1 === undefined || !fillL1 ? undefined : coherence.beginRead(key);
    const remote = this.#remote;
    try {
      const started = performance.now();
      const read = remote.call('get', (l2) => l2.get(this.#layout.value(key)));
      const ttl = ticket === undefined ? undefined : this.#remainingTtl(key);
      const bytes = await read;
      remote.getLatency.record(performance.now() - started);
      if (bytes === null) {
        remote.misses += 1;
        return undefined;
      }
      const value = remote.decode<V>(remote.loadedSerializer ?? (await remote.serializer()), bytes, key);
      remote.hits += 1;
      if (ticket !== undefined) coherence.fill(ticket, value, await ttl!);
      if (this.#sliding.active) this.#sliding.touch(key);
      return value;
    } catch (err) {
      if (isPatinoxError(err, 'CACHE_BACKEND_UNAVAILABLE')) {
        if (fallback !== undefined) {
          coherence.staleServed += 1;
          return fallback;
        }
        if (this.#degrade && !consistent) return undefined;
      }
      throw err;
    } finally {
      if (ticket !== undefined) coherence.endRead(ticket);
    }
  }

  /** Values of `keys` in order (`undefined` for misses); L1 first, then one pipelined L2 round trip. */
  async getMany(keys: readonly string[]): Promise<(V | undefined)[]> {
    const coherence = this.#coherence;
    // Dense: a miss is an `undefined` entry, never a hole (`in`, forEach and spreading see every key).
    const out: (V | undefined)[] = new Array<V | undefined>(keys.length).fill(undefined);
    const missing: number[] = [];
    let fallbacks: Map<number, V> | undefined;
    for (let i = 0; i < keys.length; i += 1) {
      const hit = coherence.l1?.get(keys[i]!);
      if (hit !== undefined && coherence.trusted) {
        out[i] = hit;
        if (this.#sliding.active) this.#sliding.touch(keys[i]!);
      } else {
        if (hit !== undefined) (fallbacks ??= new Map()).set(i, hit);
        missing.push(i);
      }
    }
    if (missing.length === 0) return out;
    // The same read-race protocol as get(): an answer lands in L1 only if nothing overtook it.
    const tickets = coherence.l1 === undefined ? undefined : missing.map((i) => coherence.beginRead(keys[i]!));
    const remote = this.#remote;
    try {
      let values: (Buffer | null)[];
      let ttls: Promise<number | null>[] | undefined;
      try {
        const read = remote.call('getMany', (l2) => l2.getMany(missing.map((i) => this.#layout.value(keys[i]!))));
        ttls = tickets === undefined ? undefined : missing.map((i) => this.#remainingTtl(keys[i]!));
        values = await read;
      } catch (err) {
        if (!isPatinoxError(err, 'CACHE_BACKEND_UNAVAILABLE') || (!this.#degrade && (fallbacks?.size ?? 0) < missing.length)) throw err;
        if (fallbacks !== undefined) for (const [i, value] of fallbacks) out[i] = value;
        coherence.staleServed += fallbacks?.size ?? 0;
        return out;
      }
      const serializer = values.some((v) => v !== null) ? await remote.serializer() : undefined;
      for (let j = 0; j < missing.length; j += 1) {
        const i = missing[j]!;
        const bytes = values[j];
        if (bytes === null || bytes === undefined) {
          remote.misses += 1;
          continue;
        }
        const value = remote.decode<V>(serializer!, bytes, keys[i]!);
        remote.hits += 1;
        out[i] = value;
        if (tickets !== undefined) coherence.fill(tickets[j]!, value, await ttls![j]!);
        if (this.#sliding.active) this.#sliding.touch(keys[i]!);
      }
      return out;
    } finally {
      if (tickets !== undefined) for (const ticket of tickets) coherence.endRead(ticket);
    }
  }

  /**
   * The PTTL of `key` for an L1 fill, asked in the same tick as its value (one round trip): -1 without a
   * TTL, `null` when unknown (absent, or L2 could not answer: then L1 is not filled). The read itself
   * goes through the breaker and the L2 counters; this companion only has the deadline (and its own
   * `cache.l2.ttl` span), so a failing L2 still counts one failure per read. Skipped while the circuit
   * is not closed.
   */
  #remainingTtl(key: string): Promise<number | null> {
    const remote = this.#remote;
    const circuit = remote.circuit;
    if (circuit === 'open' || circuit === 'half-open') return NO_TTL;
    return remote.companion('ttl', ttlOf, this.#layout.value(key)).catch(unknownTtl);
  }

  /** Milliseconds `key` has left in L2, `Infinity` without a TTL, `undefined` when absent. */
  async remainingTtl(key: string): Promise<number | undefined> {
    const ms = await this.#remote.call('ttl', (l2) => l2.ttl(this.#layout.value(key)));
    if (ms === null || ms === -2) return undefined;
    return ms < 0 ? Infinity : ms;
  }

  /** The keys of this namespace matching `pattern`, from a SCAN cursor on every master. */
  async *scan(pattern: string, batchSize: number): AsyncIterableIterator<string> {
    const prefix = this.#layout.values;
    const iterator = this.#remote.backend.scan(prefix + pattern, batchSize)[Symbol.asyncIterator]();
    for (;;) {
      const step = await this.#remote.call('scan', () => iterator.next());
      if (step.done === true) return;
      for (const key of step.value) yield key.slice(prefix.length);
    }
  }
}
