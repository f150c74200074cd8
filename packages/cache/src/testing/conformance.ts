import type { BackendTarget } from './backend-suite.js';
import { backendSuite } from './backend-suite.js';
import type { TestFramework } from './framework.js';
import type { PolicyTarget } from './policy-suite.js';
import { policySuite } from './policy-suite.js';
import type { TierTarget } from './tier-suite.js';
import { tierSuite } from './tier-suite.js';

/** What `runConformance` checks; give the parts your implementation provides. */
export interface ConformanceTarget {
  /** Names the suites in the report, e.g. `'MyBackend (3-node cluster)'`. */
  name: string;
  /** Opens a live `CacheBackend` for the byte-level checks (once, before the suite). */
  backend?: () => Promise<BackendTarget>;
  /** Opens instances of a shared L2 and bus for the `TieredCache` checks (once, before the suite). */
  tier?: () => Promise<TierTarget>;
  /** Eviction policies of the in-process `Cache` to check, by name or as custom strategies. @default [] */
  policies?: readonly (readonly [name: string, policy: PolicyTarget])[];
}

/**
 * Registers the cache conformance suite with your test framework: every behaviour `TieredCache` relies
 * on from a `CacheBackend` and an `InvalidationBus`, what a tier must keep on top of them (coherence
 * between instances, batches, atomic writes, counters, tags, locks, scans, snapshots), and what every
 * eviction policy must keep. Our own in-memory backend, standalone Redis and Redis Cluster run this suite.
 *
 * Tests use their own random namespaces and clean up after themselves; they never flush the server.
 *
 * @example
 * ```ts
 * import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
 * import { MemoryBackend, MemoryBus } from '@patinox/cache';
 * import { runConformance } from '@patinox/cache/testing';
 *
 * runConformance({ describe, it, expect, beforeAll, afterAll }, {
 *   name: 'MyBackend',
 *   backend: async () => {
 *     const backend = new MemoryBackend();
 *     return { backend, close: () => backend.close(), advance: (ms) => new Promise((r) => setTimeout(r, ms)) };
 *   },
 * });
 * ```
 */
export function runConformance(framework: TestFramework, target: ConformanceTarget): void {
  if (typeof framework !== 'object' || framework === null || typeof framework.describe !== 'function' || typeof framework.it !== 'function' || typeof framework.expect !== 'function') {
    throw new TypeError('Expected `framework` to provide describe, it, expect, beforeAll and afterAll');
  }
  if (typeof target !== 'object' || target === null || typeof target.name !== 'string' || target.name.length === 0) {
    throw new TypeError('Expected `target` to be { name, backend?, tier?, policies? } with a non-empty name');
  }
  if (target.backend !== undefined) backendSuite(framework, target.name, target.backend);
  if (target.tier !== undefined) tierSuite(framework, target.name, target.tier);
  for (const [name, policy] of target.policies ?? []) policySuite(framework, `${target.name}: ${name}`, policy);
}
