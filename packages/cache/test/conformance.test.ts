import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EVICTION_POLICIES, MemoryBackend, MemoryBus, type EvictionStrategy } from '../src/index.js';
import { runConformance, type PolicyTarget } from '../src/testing/index.js';

/** An LRU-like custom strategy, so the custom adapter runs the same suite. */
const lruStrategy: EvictionStrategy<string, number> = {
  shouldEvict: () => false,
  onAccess: () => undefined,
  onInsert: () => undefined,
  evictionPriority: (entry) => entry.lastAccessedAt * 1e6 + entry.accessCount,
};

const framework = { describe, it, expect, beforeAll, afterAll };
let now = 1_000_000;

runConformance(framework, {
  name: 'in-process (MemoryBackend, MemoryBus)',
  backend: async () => {
    const backend = new MemoryBackend({ clock: () => now });
    return {
      backend,
      close: () => backend.close(),
      advance: async (ms) => {
        now += ms;
      },
    };
  },
  tier: async () => {
    // Every instance shares one in-process L2 and bus, as instances of a deployment share Redis.
    const backend = new MemoryBackend();
    const bus = new MemoryBus();
    return { backend: () => backend, bus: () => bus, close: () => backend.close() };
  },
  policies: [...EVICTION_POLICIES.map((p): [string, PolicyTarget] => [p, p]), ['custom', lruStrategy]],
});

describe('runConformance', () => {
  it('names what is missing from the framework or the target', () => {
    expect(() => runConformance({} as never, { name: 'x' })).toThrow('Expected `framework` to provide describe, it, expect, beforeAll and afterAll');
    expect(() => runConformance(framework, { name: '' })).toThrow('Expected `target` to be { name, backend?, tier?, policies? } with a non-empty name');
  });
});
