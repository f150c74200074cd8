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

/** A backend that adds in doubles past Number.MAX_SAFE_INTEGER and stores the rounded count, as the Lua INCR script once did. */
class RoundingBackend extends MemoryBackend {
  override async increment(key: string, delta: number, header: number, ttlMs?: number): Promise<number> {
    const held = await this.get(key);
    const next = (held === null ? 0 : Number(held.subarray(1).toString('latin1'))) + delta;
    await this.set(key, Buffer.concat([Buffer.from([header]), Buffer.from(String(next), 'latin1')]), ttlMs === undefined ? {} : { ttlMs });
    return next;
  }
}

/** Registers the backend suite with a framework that records its tests instead of running them. */
function recordBackendSuite(backend: MemoryBackend): { hooks: (() => unknown)[]; tests: Map<string, () => unknown> } {
  const hooks: (() => unknown)[] = [];
  const tests = new Map<string, () => unknown>();
  runConformance(
    { describe: (_name, body) => body(), it: (name, body) => void tests.set(name, body), expect, beforeAll: (body) => void hooks.push(body), afterAll: () => undefined },
    { name: 'recorded', backend: async () => ({ backend, close: () => backend.close(), advance: async () => undefined }) },
  );
  return { hooks, tests };
}

describe('the backend conformance suite', () => {
  it('fails a backend whose increment goes past Number.MAX_SAFE_INTEGER instead of refusing with CACHE_COUNTER_OUT_OF_RANGE', async () => {
    for (const [backend, conforms] of [
      [new RoundingBackend(), false],
      [new MemoryBackend(), true],
    ] as const) {
      const { hooks, tests } = recordBackendSuite(backend);
      const name = [...tests.keys()].find((n) => n.includes('MAX_SAFE_INTEGER'));
      expect(name).toBeDefined();
      for (const hook of hooks) await hook();
      let failure: unknown;
      try {
        await tests.get(name!)!();
      } catch (err) {
        failure = err;
      }
      expect(failure === undefined).toBe(conforms);
      await backend.close();
    }
  });
});
