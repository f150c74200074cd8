// The floors of cache.bench.ts: not peers, but the least a cache can do, measured in the same run.
// Each is its own class (its own V8 feedback, as a contender of its own would have); AdmissionFloor and
// ReferenceBitFloor repeat DictionaryFloor's set on purpose, so no floor pays for a hook the others need.

/** The package's key hash and frequency sketch, from its build (they are not public exports). */
interface Sketch {
  increment(h: number): number;
}
const internals = new URL('../../dist/esm/', import.meta.url);
const { FrequencySketch } = (await import(new URL('policies/sketch.js', internals).href)) as { FrequencySketch: new (maxEntries: number, entriesPerBlock?: number) => Sketch };
const { hashKey } = (await import(new URL('internal/hash.js', internals).href)) as { hashKey: (key: unknown) => number };

/**
 * Not a peer: the least any dictionary-indexed cache can do. A dictionary-mode object from key to slot
 * and a values array, FIFO replacement, no counters, no recency, no TTL. Its get-hit is one key lookup
 * and one array read; its set-evict is a lookup, a delete and an insert.
 */
export class DictionaryFloor {
  readonly #dict: Record<string, number> = Object.create(null) as Record<string, number>;
  readonly #keys: string[];
  readonly #values: number[];
  readonly #max: number;
  #count = 0;
  #next = 0;

  constructor(max: number) {
    this.#max = max;
    this.#keys = new Array<string>(max).fill('');
    this.#values = new Array<number>(max).fill(0);
  }

  get(key: string): number | undefined {
    const slot = this.#dict[key];
    return slot === undefined ? undefined : this.#values[slot];
  }

  set(key: string, value: number): void {
    let slot = this.#dict[key];
    if (slot === undefined) {
      if (this.#count < this.#max) slot = this.#count++;
      else {
        slot = this.#next;
        this.#next = slot + 1 === this.#max ? 0 : slot + 1;
        delete this.#dict[this.#keys[slot]!];
      }
      this.#dict[key] = slot;
      this.#keys[slot] = key;
    }
    this.#values[slot] = value;
  }
}

/**
 * Not a peer: the least any policy that records a hit adds to {@link DictionaryFloor}'s get: one byte
 * stored per hit (a reference bit, what CLOCK and SIEVE set). No counter, no recency list, no TTL, no
 * stats. Its set is DictionaryFloor's (the bit is cleared when a slot is reused).
 */
export class ReferenceBitFloor {
  readonly #dict: Record<string, number> = Object.create(null) as Record<string, number>;
  readonly #keys: string[];
  readonly #values: number[];
  readonly #ref: Uint8Array;
  readonly #max: number;
  #count = 0;
  #next = 0;

  constructor(max: number) {
    this.#max = max;
    this.#keys = new Array<string>(max).fill('');
    this.#values = new Array<number>(max).fill(0);
    this.#ref = new Uint8Array(max);
  }

  get(key: string): number | undefined {
    const slot = this.#dict[key];
    if (slot === undefined) return undefined;
    this.#ref[slot] = 1;
    return this.#values[slot];
  }

  set(key: string, value: number): void {
    let slot = this.#dict[key];
    if (slot === undefined) {
      if (this.#count < this.#max) slot = this.#count++;
      else {
        slot = this.#next;
        this.#next = slot + 1 === this.#max ? 0 : slot + 1;
        delete this.#dict[this.#keys[slot]!];
      }
      this.#dict[key] = slot;
      this.#keys[slot] = key;
      this.#ref[slot] = 0;
    }
    this.#values[slot] = value;
  }
}

/**
 * Not a peer: the least any TinyLFU-admitted cache adds to {@link DictionaryFloor} on a set of a new key:
 * the key's hash and one sighting recorded in a frequency sketch, sized as Caffeine sizes its sketch
 * (8 bytes per entry, half of ours) so the least is not overstated. No window, no segments, no ghosts,
 * no admission decision (every newcomer is admitted, FIFO). `'tinylfu'` and `'clock-tinylfu'` do all
 * of this and more on every such set.
 */
export class AdmissionFloor {
  readonly #dict: Record<string, number> = Object.create(null) as Record<string, number>;
  readonly #keys: string[];
  readonly #values: number[];
  readonly #freq: Uint8Array;
  readonly #sketch: Sketch;
  readonly #max: number;
  #count = 0;
  #next = 0;

  constructor(max: number) {
    this.#max = max;
    this.#keys = new Array<string>(max).fill('');
    this.#values = new Array<number>(max).fill(0);
    this.#freq = new Uint8Array(max);
    this.#sketch = new FrequencySketch(max, 8);
  }

  get(key: string): number | undefined {
    const slot = this.#dict[key];
    return slot === undefined ? undefined : this.#values[slot];
  }

  set(key: string, value: number): void {
    let slot = this.#dict[key];
    if (slot === undefined) {
      if (this.#count < this.#max) slot = this.#count++;
      else {
        slot = this.#next;
        this.#next = slot + 1 === this.#max ? 0 : slot + 1;
        delete this.#dict[this.#keys[slot]!];
      }
      this.#dict[key] = slot;
      this.#keys[slot] = key;
      // The admission's least: hash the newcomer, record its sighting, keep its estimate by the slot.
      this.#freq[slot] = this.#sketch.increment(hashKey(key)) & 15;
    }
    this.#values[slot] = value;
  }
}
