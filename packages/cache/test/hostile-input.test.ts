import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import { MemoryMonitor } from '@patinox/monitor';
import { HOSTILE_COUNT, HostileRef, hostileValues, resolveHostile, watchUncaught } from '@patinox/test-servers';
import fc from 'fast-check';
import { Cache, CACHE_EVENTS } from '../src/index.js';

// Random sequences of calls with hostile arguments and re-entrant callbacks, against a reference model.
// What must hold whatever the input: every failure is a TypeError, a RangeError or a coded PatinoxError
// (nothing else escapes, nothing is left unhandled); the counts agree with each other and with the
// model; a key just stored is readable; nothing hangs; close() leaves no timer behind.

const HOSTILE = hostileValues();
const objectKey = { id: 'object key' };
const KEYS: unknown[] = [0, 1, 2, -0, NaN, 'a', 'b', '', objectKey, Symbol.for('patinox.hostile'), 2 ** 53, HOSTILE.at(-2)!.value];

// Generated data carries markers (fast-check could not print a Proxy whose traps throw), resolved per call.
class Key {
  constructor(readonly index: number) {}
  toString(): string {
    return `key ${String(this.index)}`;
  }
}
const hostile = fc.nat(HOSTILE_COUNT - 1).map((i) => new HostileRef(i));
const key = fc.integer({ min: 0, max: KEYS.length - 1 }).map((i) => new Key(i));

function real(x: unknown): unknown {
  if (x instanceof Key) return KEYS[x.index];
  if (typeof x === 'object' && x !== null && !(x instanceof HostileRef) && !Array.isArray(x)) {
    return Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined).map(([k, v]) => [k, real(v)]));
  }
  return resolveHostile(x);
}
const goodTtl = fc.constantFrom(undefined, 0, 5, 50);
const value = fc.oneof({ weight: 4, arbitrary: fc.integer() }, { weight: 1, arbitrary: hostile });

type LoaderKind = 'value' | 'async' | 'throws' | 'undefined' | 'bad-thenable' | 're-entrant';

type Op =
  | { t: 'set'; k: unknown; v: unknown; options: unknown }
  | { t: 'get' | 'peek' | 'has' | 'delete'; k: unknown }
  | { t: 'getOrLoad'; k: unknown; loader: LoaderKind; options: unknown }
  | { t: 'clear' | 'purge' | 'stats' }
  | { t: 'invalidateTag'; tag: unknown }
  | { t: 'advance'; ms: number }
  | { t: 'region'; name: unknown; options: unknown };

const setOptions = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.record({ ttlMs: goodTtl, tags: fc.constantFrom(undefined, ['t1'], ['t1', 't2']) }) },
  { weight: 1, arbitrary: fc.record({ ttlMs: hostile }) },
  { weight: 1, arbitrary: fc.record({ sizeBytes: hostile }) },
  { weight: 1, arbitrary: fc.record({ tags: hostile }) },
  { weight: 1, arbitrary: hostile },
);

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('set' as const), k: key, v: value, options: setOptions }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constantFrom('get' as const, 'peek' as const, 'has' as const, 'delete' as const), k: key }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('getOrLoad' as const),
      k: key,
      loader: fc.constantFrom<LoaderKind>('value', 'async', 'throws', 'undefined', 'bad-thenable', 're-entrant'),
      options: fc.oneof(fc.constant(undefined), fc.record({ ttlMs: goodTtl, staleWhileRevalidateMs: fc.constantFrom(undefined, 0, 20) }), fc.record({ signal: hostile }), hostile),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constantFrom('clear' as const, 'purge' as const, 'stats' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('invalidateTag' as const), tag: fc.oneof(fc.constantFrom('t1', 't2'), hostile) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.constantFrom(1, 10, 100) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('region' as const), name: fc.oneof(fc.constantFrom('r1', 'r2'), hostile), options: fc.oneof(fc.constant(undefined), hostile) }) },
);

/** True for the failures an API may hand back: programmer mistakes and coded errors. */
function liveTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

function isTyped(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError || isPatinoxError(error);
}

function hostileThrow(): never {
  throw HOSTILE.at(-3)!.value; // the object whose message and name getters throw
}

describe('Cache under hostile input (property)', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('fails only with typed errors, keeps its counts consistent, serves what it stored and leaves no timer after close', async () => {
    // No uncaught exception and no unhandled rejection, whatever the sequence.
    const uncaught = watchUncaught();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(undefined, 'lru', 'tinylfu', 's3fifo', 'sieve', 'lfu', 'fifo'),
        fc.boolean(),
        fc.constantFrom<'none' | 'delete' | 'set' | 'clear' | 'throw'>('none', 'delete', 'set', 'clear', 'throw'),
        fc.array(op, { maxLength: 40 }),
        async (maxEntries, evictionPolicy, sized, onEvictKind, ops) => {
          jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
          // Real timeouts only (the cache's own timers are faked and counted by getTimerCount): jest's file and pipe
          // requests, and setImmediate callbacks that run and end on their own, come and go while the property runs.
          const resourcesBefore = liveTimers();
          let now = 0;
          let evicting = 0;
          const monitor = new MemoryMonitor();
          const cache: Cache<unknown, unknown> = new Cache<unknown, unknown>({
            maxEntries,
            evictionPolicy,
            maxSizeBytes: sized ? 3 : undefined,
            clock: () => now,
            cleanupIntervalMs: 25,
            monitor,
            // Re-entrant callbacks: an eviction that deletes, stores, clears or throws.
            onEvict: (k) => {
              if (evicting > 3) return;
              evicting += 1;
              try {
                if (onEvictKind === 'delete') cache.delete(k);
                else if (onEvictKind === 'set') cache.set('evicted', 1);
                else if (onEvictKind === 'clear') cache.clear();
                else if (onEvictKind === 'throw') hostileThrow();
              } finally {
                evicting -= 1;
              }
            },
          });
          const pending: Promise<unknown>[] = [];
          let gets = 0;
          let loads = 0;
          const loaderFor = (kind: LoaderKind) => (k: unknown) => {
            switch (kind) {
              case 'value':
                return 7;
              case 'async':
                return Promise.resolve().then(() => 8);
              case 'throws':
                return hostileThrow();
              case 'undefined':
                return undefined;
              case 'bad-thenable':
                return HOSTILE.at(-3)!.value; // its `then` getter throws
              case 're-entrant':
                cache.delete(k);
                cache.set(k, 9);
                return 10;
            }
          };
          const attempt = (fn: () => unknown): void => {
            try {
              fn();
            } catch (error) {
              expect(isTyped(error)).toBe(true);
            }
          };

          for (const marked of ops) {
            const o = real(marked) as Op;
            switch (o.t) {
              case 'set': {
                let stored: unknown;
                attempt(() => {
                  stored = cache.set(o.k, o.v, o.options as never);
                });
                // A key just stored is readable at once (unless a re-entrant onEvict removed it or made room).
                if (stored === true && (onEvictKind === 'none' || onEvictKind === 'throw')) expect(cache.peek(o.k)).toBe(o.v);
                break;
              }
              case 'get':
                gets += 1;
                cache.get(o.k);
                break;
              case 'peek':
                cache.peek(o.k);
                break;
              case 'has':
                expect(cache.has(o.k)).toBe(cache.peek(o.k) !== undefined);
                break;
              case 'delete':
                cache.delete(o.k);
                expect(cache.has(o.k)).toBe(false);
                break;
              case 'getOrLoad': {
                loads += 1;
                let promise: Promise<unknown>;
                try {
                  promise = cache.getOrLoad(o.k, loaderFor(o.loader), o.options as never);
                } catch (error) {
                  throw new Error(`getOrLoad threw synchronously instead of rejecting: ${String(error)}`);
                }
                pending.push(
                  promise.then(
                    (v) => expect(v).not.toBeUndefined(),
                    (error: unknown) => expect(isTyped(error)).toBe(true),
                  ),
                );
                break;
              }
              case 'clear':
                cache.clear();
                // Only a callback that stores on eviction can have refilled it.
                if (onEvictKind !== 'set') expect(cache.size).toBe(0);
                break;
              case 'purge':
                cache.purgeExpired();
                break;
              case 'stats':
                cache.stats();
                break;
              case 'invalidateTag':
                attempt(() => cache.invalidateTag(o.tag as string));
                break;
              case 'advance':
                now += o.ms;
                jest.advanceTimersByTime(o.ms);
                break;
              case 'region':
                attempt(() => cache.region(o.name as string, o.options as never).set('in-region', 1));
                break;
            }
            const stats = cache.stats();
            expect(cache.size).toBeLessThanOrEqual(maxEntries);
            expect(stats.size).toBe(cache.size);
            // size counts expired entries not swept yet; iteration skips them.
            const live = [...cache.entries()];
            expect(live.length).toBeLessThanOrEqual(cache.size);
            for (const [k, v] of live) expect(cache.peek(k)).toBe(v);
            // 'replaced' counts both a value overwritten in place (no entry left) and an entry dropped because
            // its new value was refused as too large (one did): the count of entries lies between.
            const left = stats.removals - stats.evictions.replaced;
            expect(stats.inserts - left).toBeGreaterThanOrEqual(cache.size);
            expect(stats.inserts - left - stats.evictions.replaced).toBeLessThanOrEqual(cache.size);
            // Every get is one lookup; a getOrLoad is one unless its arguments were refused.
            expect(stats.hits + stats.misses).toBeGreaterThanOrEqual(gets);
            expect(stats.hits + stats.misses).toBeLessThanOrEqual(gets + loads);
            if (sized) {
              expect(cache.bytes).toBeGreaterThanOrEqual(0);
              expect(cache.bytes).toBeLessThanOrEqual(3);
            }
          }
          // No hang: every load settles on its own (no loader here waits for anything).
          await Promise.all(pending);
          cache.close();
          await Promise.resolve();
          expect(jest.getTimerCount()).toBe(0);
          expect(liveTimers()).toBeLessThanOrEqual(resourcesBefore);
          const known = new Set<string>(Object.values(CACHE_EVENTS));
          expect(monitor.events().filter((e) => !known.has(e.type))).toEqual([]);
        },
      ),
      { numRuns: 100, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {}) },
    );
    await new Promise((resolve) => setImmediate(resolve));
    uncaught.stop();
    expect(uncaught.errors).toEqual([]);
  });
});

describe('Cache with an onEvict that uses the cache', () => {
  it.each(['tinylfu', 'lru'] as const)(
    'tells onEvict once the entries are out and the newcomer is in, so a refilling callback cannot keep making room for ever (%s)',
    (evictionPolicy) => {
      let calls = 0;
      let depth = 0;
      const cache: Cache<string, number> = new Cache<string, number>({
        maxEntries: 1,
        maxSizeBytes: 3,
        evictionPolicy,
        onEvict: () => {
          calls += 1;
          // Capped so that code calling back in the middle of making room fails here instead of looping for ever.
          if (calls > 1000 || depth > 3) return;
          depth += 1;
          try {
            cache.set('refill', calls);
          } finally {
            depth -= 1;
          }
        },
      });
      cache.set('b', 0);
      cache.set('b', 1, { ttlMs: 50 });
      expect(calls).toBeLessThan(20);
      expect(cache.size).toBe(1);
      expect(cache.bytes).toBe(1);
      const [[k, v]] = [...cache.entries()] as [[string, number]];
      expect(cache.peek(k)).toBe(v);
    },
  );
});
