import type { KeyCheck } from './key-check.js';
import { expectTtlMs } from './ttl-check.js';

/** One write of a batch or an atomic operation. */
export type BatchStep<V> = { type: 'set'; key: string; value: V; ttlMs?: number } | { type: 'delete'; key: string };

/** One check of an atomic operation: `expected` undefined means "absent". */
export interface AtomicCheck<V> {
  key: string;
  expected: V | undefined;
}

function checkValue(value: unknown): void {
  if (value === undefined) throw new TypeError('Expected `value` to be defined, got undefined: undefined marks a miss and cannot be stored');
}

/**
 * Collects writes for {@link TieredCache.batch}; `execute()` applies them in one MULTI. Keys are checked
 * as they are added (the same check as `set`); values are encoded before anything is written.
 */
export class TieredBatch<V> {
  readonly #ops: BatchStep<V>[] = [];
  readonly #run: (ops: readonly BatchStep<V>[]) => Promise<void>;
  readonly #checkKey: KeyCheck;

  /** @internal */
  constructor(run: (ops: readonly BatchStep<V>[]) => Promise<void>, checkKey: KeyCheck) {
    this.#run = run;
    this.#checkKey = checkKey;
  }

  set(key: string, value: V): this {
    this.#checkKey(key);
    checkValue(value);
    this.#ops.push({ type: 'set', key, value });
    return this;
  }

  setWithTtl(key: string, value: V, ttlMs: number): this {
    this.#checkKey(key);
    checkValue(value);
    expectTtlMs('ttlMs', ttlMs);
    this.#ops.push({ type: 'set', key, value, ttlMs });
    return this;
  }

  delete(key: string): this {
    this.#checkKey(key);
    this.#ops.push({ type: 'delete', key });
    return this;
  }

  /** Number of steps collected. */
  get length(): number {
    return this.#ops.length;
  }

  execute(): Promise<void> {
    return this.#run(this.#ops.slice());
  }
}

/** Collects checks and writes for {@link TieredCache.atomic}; `execute()` resolves whether they applied. */
export class TieredAtomic<V> {
  readonly #checks: AtomicCheck<V>[] = [];
  readonly #writes: BatchStep<V>[] = [];
  readonly #run: (checks: readonly AtomicCheck<V>[], writes: readonly BatchStep<V>[]) => Promise<boolean>;
  readonly #checkKey: KeyCheck;

  /** @internal */
  constructor(run: (checks: readonly AtomicCheck<V>[], writes: readonly BatchStep<V>[]) => Promise<boolean>, checkKey: KeyCheck) {
    this.#run = run;
    this.#checkKey = checkKey;
  }

  /** Requires `key` to hold `expected` (deep equality), or to be absent when `expected` is undefined. */
  check(key: string, expected: V | undefined): this {
    this.#checkKey(key);
    this.#checks.push({ key, expected });
    return this;
  }

  set(key: string, value: V, ttlMs?: number): this {
    this.#checkKey(key);
    checkValue(value);
    if (ttlMs !== undefined) expectTtlMs('ttlMs', ttlMs);
    this.#writes.push(ttlMs === undefined ? { type: 'set', key, value } : { type: 'set', key, value, ttlMs });
    return this;
  }

  delete(key: string): this {
    this.#checkKey(key);
    this.#writes.push({ type: 'delete', key });
    return this;
  }

  execute(): Promise<boolean> {
    return this.#run(this.#checks.slice(), this.#writes.slice());
  }
}
