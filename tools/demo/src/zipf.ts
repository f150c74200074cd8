/** A seeded source of uniform numbers in [0, 1) (mulberry32): the same seed gives the same stream. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// log1p(x)/x and expm1(x)/x, with their Taylor series near 0 where the division loses precision.
const helper1 = (x: number): number => (Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x)));
const helper2 = (x: number): number => (Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x)));

/**
 * Draws ranks 1..n with P(k) ∝ 1/k^exponent in O(1) per draw and no table (rejection-inversion,
 * Hörmann & Derflinger 1996): a few popular products and a long tail, like real catalog traffic.
 */
export class ZipfSampler {
  readonly #n: number;
  readonly #exponent: number;
  readonly #random: () => number;
  readonly #hIntegralX1: number;
  readonly #hIntegralN: number;
  readonly #s: number;

  constructor(n: number, exponent: number, random: () => number) {
    this.#n = n;
    this.#exponent = exponent;
    this.#random = random;
    this.#hIntegralX1 = this.#hIntegral(1.5) - 1;
    this.#hIntegralN = this.#hIntegral(n + 0.5);
    this.#s = 2 - this.#hIntegralInverse(this.#hIntegral(2.5) - this.#h(2));
  }

  /** The next rank, from 1 (most popular) to n. */
  next(): number {
    for (;;) {
      const u = this.#hIntegralN + this.#random() * (this.#hIntegralX1 - this.#hIntegralN);
      const x = this.#hIntegralInverse(u);
      const k = Math.min(this.#n, Math.max(1, Math.floor(x + 0.5)));
      if (k - x <= this.#s || u >= this.#hIntegral(k + 0.5) - this.#h(k)) return k;
    }
  }

  #h(x: number): number {
    return Math.exp(-this.#exponent * Math.log(x));
  }

  #hIntegral(x: number): number {
    const logX = Math.log(x);
    return helper2((1 - this.#exponent) * logX) * logX;
  }

  #hIntegralInverse(x: number): number {
    const t = Math.max(-1, x * (1 - this.#exponent));
    return Math.exp(helper1(t) * x);
  }
}

/**
 * The product ids of a request stream: Zipf ranks scattered over the catalog by a fixed bijection, so
 * the popular products are not simply the first ids of the file.
 */
export function* productIds(count: number, records: number, seed: number, exponent = 0.99): Generator<number> {
  const zipf = new ZipfSampler(records, exponent, createRandom(seed));
  const stride = coprimeStride(records);
  for (let i = 0; i < count; i += 1) yield ((zipf.next() - 1) * stride + 7) % records;
}

function coprimeStride(n: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let stride = 7_919;
  while (gcd(stride, n) !== 1) stride += 2;
  return stride;
}
