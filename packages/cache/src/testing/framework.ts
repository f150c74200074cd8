/** Matchers the conformance suite uses; jest's and vitest's `expect(value)` provide them all. */
export interface ConformanceMatchers {
  toBe(expected: unknown): unknown;
  toEqual(expected: unknown): unknown;
  toBeNull(): unknown;
  toBeUndefined(): unknown;
  toBeDefined(): unknown;
  toBeGreaterThan(expected: number): unknown;
  toBeGreaterThanOrEqual(expected: number): unknown;
  toBeLessThan(expected: number): unknown;
  toBeLessThanOrEqual(expected: number): unknown;
  toBeCloseTo(expected: number, digits?: number): unknown;
  toContain(expected: unknown): unknown;
  toHaveLength(expected: number): unknown;
  toMatchObject(expected: Record<string, unknown>): unknown;
  toThrow(expected?: string | RegExp): unknown;
  readonly not: {
    toBe(expected: unknown): unknown;
    toBeNull(): unknown;
    toThrow(expected?: string | RegExp): unknown;
  };
  readonly rejects: {
    toMatchObject(expected: Record<string, unknown>): Promise<unknown>;
    toThrow(expected?: string | RegExp): Promise<unknown>;
  };
}

/** `expect` as jest and vitest export it: a function of the actual value, with asymmetric matchers. */
export interface ConformanceExpect {
  (actual: unknown): ConformanceMatchers;
  arrayContaining(expected: readonly unknown[]): unknown;
  any(constructor: unknown): unknown;
}

/** A test or hook body: synchronous, or a promise the framework awaits. */
export type TestBody = (() => void) | (() => Promise<void>);

/**
 * The test framework the conformance suite registers its tests with: pass jest's or vitest's own
 * functions (`import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'`), so the suite
 * itself depends on no test runner.
 */
export interface TestFramework {
  // Function-typed properties (not methods), so a suite may take them out of the object unbound.
  readonly describe: (name: string, body: () => void) => void;
  readonly it: (name: string, body: TestBody, timeoutMs?: number) => void;
  readonly beforeAll: (body: TestBody, timeoutMs?: number) => void;
  readonly afterAll: (body: TestBody, timeoutMs?: number) => void;
  readonly expect: ConformanceExpect;
}
