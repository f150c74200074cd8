import type { TraceAttributes, TraceHook } from '@patinox/monitor';
import type { Cache } from '../cache.js';
import type { Coherence } from './coherence.js';
import type { TieredGetOptions } from './options.js';
import type { TierReader } from './reader.js';

/**
 * The `cache.get` / `cache.getOrLoad` / `cache.set` spans of a traced `TieredCache` (built only when it
 * has a `tracer`). An L1 hit makes no span unless `traceL1Hits`; every other read gets one with
 * `cache.l1.hit: false`, and the L2 call and load spans it starts nest under it.
 */
export class TierTracing<V> {
  readonly #tracer: TraceHook;
  readonly #traceL1Hits: boolean;
  readonly #hit: TraceAttributes;
  readonly #miss: TraceAttributes;
  readonly #plain: TraceAttributes;

  constructor(tracer: TraceHook, traceL1Hits: boolean, namespace: string) {
    this.#tracer = tracer;
    this.#traceL1Hits = traceL1Hits;
    this.#hit = { 'cache.namespace': namespace, 'cache.l1.hit': true };
    this.#miss = { 'cache.namespace': namespace, 'cache.l1.hit': false };
    this.#plain = { 'cache.namespace': namespace };
  }

  /** `get` (key checked): an L1 hit served without L2 is answered here; anything else runs in a span. */
  get(reader: TierReader<V>, coherence: Coherence<V>, key: string, options: TieredGetOptions | undefined, onHit: (key: string, hit: V) => void): Promise<V | undefined> {
    const l1 = coherence.l1;
    if (l1 !== undefined && options?.consistent !== true && (coherence.trusted || options?.allowStale === true)) {
      const hit = l1.get(key);
      if (hit !== undefined) {
        onHit(key, hit);
        return this.#l1Hit('cache.get', hit);
      }
      return this.#tracer.span('cache.get', this.#miss, () => reader.get(key, options, true, true));
    }
    return this.#tracer.span('cache.get', this.#miss, () => reader.get(key, options, true, false));
  }

  /**
   * `getOrLoad` (arguments checked): `l1` is the trusted L1 or undefined, `swr` whether the L1 serves
   * stale values (then whether L1 answered is unknown up front and the span has no `cache.l1.hit`).
   */
  getOrLoad(l1: Cache<string, V> | undefined, swr: boolean, key: string, load: (l1Checked: boolean) => Promise<V>, onHit: (key: string, hit: V) => void): Promise<V> {
    if (swr) return this.#tracer.span('cache.getOrLoad', this.#plain, () => load(false));
    if (l1 !== undefined) {
      const hit = l1.get(key);
      if (hit !== undefined) {
        onHit(key, hit);
        return this.#l1Hit('cache.getOrLoad', hit);
      }
    }
    return this.#tracer.span('cache.getOrLoad', this.#miss, () => load(l1 !== undefined));
  }

  /** A write in a `cache.<name>` span. */
  write<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.#tracer.span(name, this.#plain, fn);
  }

  #l1Hit<T>(name: string, hit: T): Promise<T> {
    return this.#traceL1Hits ? this.#tracer.span(name, this.#hit, () => hit) : Promise.resolve(hit);
  }
}
