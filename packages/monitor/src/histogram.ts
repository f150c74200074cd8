import { describeValue } from '@patinox/errors';
// Log-linear histogram: 64 linear sub-buckets per power of two, read straight from the IEEE-754
// bits of the value (no Math.log on the hot path). The midpoint of a bucket is within 1/128 (0.78 %)
// of any value in it, which bounds the relative error of every percentile below 1 %.
const SUB_BITS = 6;
const SUB_BUCKETS = 1 << SUB_BITS;
const MIN_EXPONENT = -24; // 2^-24 ≈ 6e-8
const MAX_EXPONENT = 47; // 2^48 ≈ 2.8e14
const BUCKETS = (MAX_EXPONENT - MIN_EXPONENT + 1) * SUB_BUCKETS;
const KEY_OFFSET = (MIN_EXPONENT + 1023) << SUB_BITS;
const SHIFT = 20 - SUB_BITS;

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Percentiles and totals of a {@link Histogram}. */
export interface HistogramSummary {
  count: number;
  sum: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
}

/** Default export bounds (e.g. for Prometheus `le` labels), suited to durations in ms. */
export const DEFAULT_EXPORT_BOUNDS: readonly number[] = Object.freeze([
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000,
]);

/**
 * @internal `value` as export bounds: `undefined` is {@link DEFAULT_EXPORT_BOUNDS}, else increasing finite
 * numbers (a TypeError / RangeError naming `name` otherwise), returned frozen.
 */
export function checkBounds(name: string, value: unknown): readonly number[] {
  if (value === undefined || value === DEFAULT_EXPORT_BOUNDS) return DEFAULT_EXPORT_BOUNDS;
  if (!Array.isArray(value)) throw new TypeError(`Expected \`${name}\` to be an array of numbers, got ${describeValue(value)}`);
  const bounds: number[] = [];
  for (const bound of value as unknown[]) {
    if (typeof bound !== 'number') throw new TypeError(`Expected \`${name}\` to be an array of numbers, got ${describeValue(bound)} in it`);
    const previous = bounds[bounds.length - 1];
    if (!Number.isFinite(bound) || (previous !== undefined && bound <= previous)) {
      throw new RangeError(`Expected \`${name}\` to be increasing finite numbers, got ${describeValue(bound)}${previous === undefined ? '' : ` after ${previous}`}`);
    }
    bounds.push(bound);
  }
  return Object.freeze(bounds);
}

function bucketLow(index: number): number {
  const exponent = Math.floor(index / SUB_BUCKETS) + MIN_EXPONENT;
  return 2 ** exponent * (1 + (index % SUB_BUCKETS) / SUB_BUCKETS);
}

function bucketMid(index: number): number {
  const exponent = Math.floor(index / SUB_BUCKETS) + MIN_EXPONENT;
  return 2 ** exponent * (1 + ((index % SUB_BUCKETS) + 0.5) / SUB_BUCKETS);
}

/**
 * A fixed-memory histogram of non-negative values with percentiles within 1 % relative error,
 * mergeable across instances. `record` costs a few ns and allocates nothing.
 */
export class Histogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #zeros = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;
  #invalid = 0;

  /**
   * Records one value; anything but a finite number ≥ 0 (negative, NaN, `Infinity`, not a number) is
   * counted in `invalid` and otherwise ignored, so one bad value cannot poison `sum` and `mean`.
   */
  record(value: number): void {
    if (typeof value !== 'number') {
      this.#invalid += 1;
      return;
    }
    if (value > 0 && value !== Infinity) {
      scratch[0] = value;
      let index = (scratchWords[HIGH]! >>> SHIFT) - KEY_OFFSET;
      if (index < 0) index = 0;
      else if (index >= BUCKETS) index = BUCKETS - 1;
      this.#counts[index]! += 1;
    } else if (value === 0) {
      this.#zeros += 1;
    } else {
      this.#invalid += 1;
      return;
    }
    this.#count += 1;
    this.#sum += value;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
  }

  get count(): number {
    return this.#count;
  }

  get sum(): number {
    return this.#sum;
  }

  get min(): number {
    return this.#count === 0 ? 0 : this.#min;
  }

  get max(): number {
    return this.#count === 0 ? 0 : this.#max;
  }

  /** Values rejected by `record` (negative, NaN, infinite or not a number). */
  get invalid(): number {
    return this.#invalid;
  }

  /** The value at quantile `q` (0..1), within 1 % relative error; 0 when empty. */
  percentile(q: number): number {
    if (typeof q !== 'number') throw new TypeError(`Expected \`q\` to be a number between 0 and 1, got ${describeValue(q)}`);
    if (!(q >= 0 && q <= 1)) throw new RangeError(`Expected \`q\` to be a number between 0 and 1, got ${describeValue(q)}`);
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = this.#zeros;
    if (seen >= rank) return 0;
    const counts = this.#counts;
    for (let i = 0; i < BUCKETS; i += 1) {
      const c = counts[i]!;
      if (c === 0) continue;
      seen += c;
      if (seen >= rank) {
        // The outermost buckets also hold clamped out-of-range values: report the exact extreme.
        if (i === 0) return this.#min;
        if (i === BUCKETS - 1) return this.#max;
        return Math.min(this.#max, Math.max(this.#min, bucketMid(i)));
      }
    }
    return this.#max;
  }

  /** Count, sum, min, max, mean and the usual percentiles in one pass-friendly object. */
  summary(): HistogramSummary {
    return {
      count: this.#count,
      sum: this.#sum,
      min: this.min,
      max: this.max,
      mean: this.#count === 0 ? 0 : this.#sum / this.#count,
      p50: this.percentile(0.5),
      p90: this.percentile(0.9),
      p95: this.percentile(0.95),
      p99: this.percentile(0.99),
      p999: this.percentile(0.999),
    };
  }

  /**
   * Cumulative counts at each upper bound (`le`), as Prometheus expects; a bucket counts toward a bound
   * when its lower edge is at or below it (exact at bucket edges, else within the 1 % bucket width).
   * @throws TypeError / RangeError unless `bounds` are increasing finite numbers.
   */
  cumulativeCounts(bounds: readonly number[] = DEFAULT_EXPORT_BOUNDS): number[] {
    // Bounds that go down or hold NaN would give counts no exposition can carry; frozen bounds a registry
    // checked once are checked again here, at collect time, which costs one pass over ~20 numbers.
    if (bounds !== DEFAULT_EXPORT_BOUNDS) checkBounds('bounds', bounds);
    const out: number[] = [];
    let i = 0;
    let seen = this.#zeros;
    for (const bound of bounds) {
      while (i < BUCKETS && bucketLow(i) <= bound) {
        seen += this.#counts[i]!;
        i += 1;
      }
      out.push(Math.min(seen, this.#count));
    }
    return out;
  }

  /** Adds every recorded value of `other` into this histogram. */
  merge(other: Histogram): this {
    // Private fields: a Histogram of the other build (ESM or CJS) cannot be read, so it is refused by name.
    if (typeof other !== 'object' || other === null || !(#counts in other)) {
      throw new TypeError(`Expected \`other\` to be a Histogram of this copy of @patinox/monitor, got ${describeValue(other)}`);
    }
    const theirs = other.#counts;
    const ours = this.#counts;
    for (let i = 0; i < BUCKETS; i += 1) ours[i]! += theirs[i]!;
    this.#count += other.#count;
    this.#zeros += other.#zeros;
    this.#sum += other.#sum;
    this.#invalid += other.#invalid;
    if (other.#count > 0) {
      this.#min = Math.min(this.#min, other.#min);
      this.#max = Math.max(this.#max, other.#max);
    }
    return this;
  }

  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#zeros = 0;
    this.#sum = 0;
    this.#invalid = 0;
    this.#min = Infinity;
    this.#max = -Infinity;
  }
}
