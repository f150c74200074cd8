import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import { MemoryMonitor } from '@patinox/monitor';
import { HOSTILE_COUNT, HostileRef, hostileValues, resolveHostile } from '@patinox/test-servers';
import fc from 'fast-check';
import { ConfigData, MutableSharedData, SHARED_EVENTS, SharedData } from '../src/index.js';

// Random sequences of calls with hostile arguments and re-entrant callbacks, against a reference model.
// Whatever the input: every failure is a TypeError, a RangeError, a coded PatinoxError or the error a
// caller's own function threw (update/withWrite hand those back as they are); versions, values and
// reference counts follow the model; nothing hangs; nothing of ours holds the event loop after close.

const HOSTILE = hostileValues();
// Generated data carries HostileRefs (fast-check could not print a Proxy whose traps throw), resolved per call.
const hostile = fc.nat(HOSTILE_COUNT - 1).map((i) => new HostileRef(i));
const real = resolveHostile;

/** Thrown by the callbacks this test hands in; allowed to come back out of the calls that run them. */
class OwnError extends Error {}

type ListenerKind = 'record' | 'throws' | 'throws-hostile' | 'bad-thenable' | 'updates' | 'unsubscribes' | 'async-updates';
type FnKind = 'mutates' | 'throws' | 'returns-thenable';

type Op =
  | { t: 'update'; next: unknown }
  | { t: 'subscribe'; kind: ListenerKind }
  | { t: 'iterate'; options: unknown; pulls: number }
  | { t: 'unsubscribe'; index: number }
  | { t: 'cloneRef' | 'dispose' | 'makeMut'; handle: number }
  | { t: 'sdUpdate' | 'sdTryUpdate'; handle: number; fn: FnKind }
  | { t: 'sdSet'; handle: number; value: unknown }
  | { t: 'lock'; write: boolean; options: unknown; fn: FnKind };

const candidate = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -2, max: 50 }).map((n) => ({ n })) },
  { weight: 1, arbitrary: hostile },
  { weight: 1, arbitrary: fc.record({ n: hostile }) },
);
const lockOptions = fc.oneof(
  fc.constant(undefined),
  fc.record({ timeoutMs: fc.oneof(fc.constantFrom(0, 5, 1000), hostile) }),
  fc.record({ signal: hostile }),
  hostile,
);
const fnKind = fc.constantFrom<FnKind>('mutates', 'throws', 'returns-thenable');
const handle = fc.nat(5);

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('update' as const), next: candidate }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('subscribe' as const),
      kind: fc.constantFrom<ListenerKind>('record', 'throws', 'throws-hostile', 'bad-thenable', 'updates', 'unsubscribes', 'async-updates'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('iterate' as const), options: fc.oneof(fc.constant(undefined), hostile, fc.record({ signal: hostile })), pulls: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('unsubscribe' as const), index: fc.nat(5) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constantFrom('cloneRef' as const, 'dispose' as const, 'makeMut' as const), handle }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constantFrom('sdUpdate' as const, 'sdTryUpdate' as const), handle, fn: fnKind }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('sdSet' as const), handle, value: fc.oneof(fc.integer().map((n) => ({ n })), hostile) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('lock' as const), write: fc.boolean(), options: lockOptions, fn: fnKind }) },
);

function isAllowed(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError || error instanceof OwnError || isPatinoxError(error);
}

function settles<T>(promise: Promise<T>): Promise<T> {
  // No hang: everything these calls wait for is already in motion; a few turns of the loop must do.
  let done = false;
  const mark = (): void => {
    done = true;
  };
  promise.then(mark, mark);
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      let turns = 0;
      const again = (): void => {
        turns += 1;
        if (done) return;
        if (turns > 200) reject(new Error('a call did not settle'));
        else setImmediate(again);
      };
      setImmediate(again);
    }),
  ]);
}

/** Immediates that hold the event loop (Node lists no unref'd ones; timers are counted by jest's fake clock). */
function heldImmediates(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length;
}

async function nextTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('shared under hostile input (property)', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('fails only with typed errors, follows the model and leaves nothing holding the loop after close', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(op, { maxLength: 30 }), async (freeze, ops) => {
        await nextTurns(2);
        jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
        const immediatesBefore = heldImmediates();
        const monitor = new MemoryMonitor();
        const config = new ConfigData<{ n: number }>({ n: 0 }, { monitor, validate: (c) => typeof c.n === 'number' && c.n >= 0 });
        // Model of the configuration: how many updates were accepted, and what each version installed
        // (listeners update from inside an update, so versions are recorded by number, not by call order).
        let accepted = 0;
        const installed = new Map<number, unknown>([[1, { n: 0 }]]);
        const accept = (next: unknown): void => {
          const v = config.update(next as { n: number });
          accepted += 1;
          installed.set(v, next);
        };
        const unsubscribes: (() => void)[] = [];
        const iterators: AsyncIterator<unknown>[] = [];
        const pending: Promise<unknown>[] = [];
        const pulls: Promise<unknown>[] = [];
        const listenerFor = (kind: ListenerKind) => {
          let calls = 0;
          const self = (c: { n: number }): unknown => {
            calls += 1;
            switch (kind) {
              case 'record':
                return undefined;
              case 'throws':
                throw new OwnError('listener');
              case 'throws-hostile':
                throw HOSTILE.at(-3)!.value;
              case 'bad-thenable':
                return HOSTILE.at(-3)!.value;
              case 'updates':
                if (calls < 3) accept({ n: c.n + 1 });
                return undefined;
              case 'unsubscribes':
                unsubscribes.at(-1)?.();
                return undefined;
              case 'async-updates':
                return Promise.resolve().then(() => {
                  if (calls < 3 && !config.closed) accept({ n: c.n + 1 });
                });
            }
          };
          return self;
        };

        // SharedData handles and a model of which snapshot each shares.
        const root = new SharedData<{ n: number }>({ n: 0 }, { freeze });
        const handles: (SharedData<{ n: number }> | undefined)[] = [root];
        const boxOf: (number | undefined)[] = [0];
        let nextBox = 1;
        const boxIndex = (i: number): number => i % handles.length;

        const data = new MutableSharedData({ n: 0 });
        const attempt = (fn: () => unknown): void => {
          try {
            fn();
          } catch (error) {
            expect(isAllowed(error)).toBe(true);
          }
        };
        const fnFor =
          (kind: FnKind) =>
          (value: { n: number }): unknown => {
            if (kind === 'throws') throw new OwnError('fn');
            // A thenable that rejects: `update` must refuse it (synchronous only), a lock call must pass it on.
            if (kind === 'returns-thenable') return { then: (_: unknown, reject: (e: unknown) => void) => reject(new OwnError('thenable')) };
            if (!Object.isFrozen(value)) value.n += 1;
            return value.n;
          };

        for (const marked of ops) {
          switch (marked.t) {
            case 'update': {
              const next = real(marked.next);
              const shaped = real((marked.next as { n?: unknown }).n);
              attempt(() => accept(marked.next instanceof HostileRef ? next : { n: shaped }));
              break;
            }
            case 'subscribe':
              unsubscribes.push(config.subscribe(listenerFor(marked.kind) as never));
              break;
            case 'iterate':
              if (typeof real(marked.options) === 'function') break; // that is the listener form
              attempt(() => {
                const iterator = config.subscribe(real(marked.options) as never) as unknown as AsyncIterator<unknown>;
                iterators.push(iterator);
                // A pull waits for the next version; close() must end every one still waiting.
                for (let i = 0; i < marked.pulls; i += 1) pulls.push(iterator.next());
              });
              break;
            case 'unsubscribe':
              unsubscribes[marked.index % Math.max(1, unsubscribes.length)]?.();
              break;
            case 'cloneRef': {
              const i = boxIndex(marked.handle);
              const h = handles[i];
              if (h === undefined) break;
              const box = boxOf[i];
              handles.push(h.cloneRef());
              boxOf.push(box);
              break;
            }
            case 'dispose': {
              const i = boxIndex(marked.handle);
              handles[i]?.dispose();
              handles[i] = undefined;
              boxOf[i] = undefined;
              break;
            }
            case 'makeMut':
            case 'sdUpdate':
            case 'sdTryUpdate':
            case 'sdSet': {
              const i = boxIndex(marked.handle);
              const h = handles[i];
              if (h === undefined) break;
              const wasExclusive = h.isExclusive;
              let threw = false;
              try {
                if (marked.t === 'makeMut') h.makeMut();
                else if (marked.t === 'sdUpdate') h.update(fnFor(marked.fn));
                else if (marked.t === 'sdTryUpdate') expect(h.tryUpdate(fnFor(marked.fn) as never).ok).toBe(wasExclusive);
                else h.set(real((marked as { value: unknown }).value) as never);
              } catch (error) {
                expect(isAllowed(error)).toBe(true);
                threw = true;
              }
              // A write on a shared (or frozen) snapshot copies, and a set always replaces: either moves this
              // handle to a snapshot of its own, and holders of the old one keep theirs. A throw moves nothing.
              const moves = marked.t === 'sdSet' || (!wasExclusive && (marked.t === 'makeMut' || marked.t === 'sdUpdate'));
              if (moves && !threw) boxOf[i] = nextBox++;
              break;
            }
            case 'lock': {
              const fn = fnFor(marked.fn);
              const call = (): Promise<unknown> =>
                marked.write ? data.withWrite((v) => fn(v), real(marked.options) as never) : data.withRead((v) => fn({ ...v }), real(marked.options) as never);
              let promise: Promise<unknown>;
              try {
                promise = call();
              } catch (error) {
                expect(isAllowed(error)).toBe(true);
                break;
              }
              pending.push(settles(promise).then(undefined, (error: unknown) => expect(isAllowed(error)).toBe(true)));
              break;
            }
          }
          // The model holds after every step.
          expect(config.version).toBe(1 + accepted);
          expect(config.get()).toEqual(installed.get(config.version));
          handles.forEach((h, i) => {
            if (h === undefined) return;
            expect(h.refCount).toBe(boxOf.filter((b) => b === boxOf[i]).length);
          });
        }
        await Promise.all(pending.map((p) => p.then(undefined, (error: unknown) => expect(isAllowed(error)).toBe(true))));
        await settles(new Promise((resolve) => setImmediate(resolve)));
        expect(data.state).toEqual({ readers: 0, writing: false, waitingReaders: 0, waitingWriters: 0 });
        config.close();
        await settles(Promise.all(pulls));
        for (const iterator of iterators) expect((await settles(iterator.next())).done).toBe(true);
        for (const h of handles) h?.dispose();
        await nextTurns(2);
        expect(heldImmediates()).toBeLessThanOrEqual(immediatesBefore);
        expect(jest.getTimerCount()).toBe(0);
        jest.useRealTimers();
        const known = new Set<string>(Object.values(SHARED_EVENTS));
        expect(monitor.events().filter((e) => !known.has(e.type))).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
