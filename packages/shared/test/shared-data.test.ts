import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MetricsRegistry } from '@patinox/monitor';
import { isPatinoxError } from '@patinox/errors';
import { NotCloneableError, SHARED_DISPOSED, SHARED_NOT_CLONEABLE, SHARED_OWNERSHIP, SharedData } from '../src/index.js';

describe('SharedData', () => {
  it('returns the same snapshot to every handle until one of them writes', () => {
    const original = new SharedData({ list: [1, 2] });
    const reader = original.cloneRef();
    expect(reader.get()).toBe(original.get());
    expect(original.refCount).toBe(2);
    expect(reader.refCount).toBe(2);
  });

  it('copies on write while others hold the snapshot, and they keep the old one whole', () => {
    const original = new SharedData({ list: [1, 2], total: 3 });
    const reader = original.cloneRef();
    const before = reader.get();
    original.update((draft) => {
      draft.list.push(3);
      draft.total = 6;
    });
    expect(original.get()).toEqual({ list: [1, 2, 3], total: 6 });
    expect(reader.get()).toBe(before);
    expect(reader.get()).toEqual({ list: [1, 2], total: 3 });
    expect(original.refCount).toBe(1);
    expect(reader.refCount).toBe(1);
    expect(original.metrics.copies).toBe(1);
  });

  it('writes in place when the handle is the sole holder', () => {
    const original = new SharedData({ n: 1 });
    const value = original.get();
    const reader = original.cloneRef();
    reader.dispose();
    expect(original.isExclusive).toBe(true);
    original.update((draft) => {
      draft.n = 2;
    });
    expect(original.get()).toBe(value);
    expect(value.n).toBe(2);
    expect(original.metrics.snapshot()).toMatchObject({ copies: 0, exclusiveWrites: 1, writes: 1, clones: 1 });
  });

  it('decrements the count through Symbol.dispose', () => {
    const original = new SharedData([1]);
    {
      using _a = original.cloneRef();
      using _b = original.cloneRef();
      expect(original.refCount).toBe(3);
    }
    expect(original.refCount).toBe(1);
  });

  it('tryUpdate returns SHARED_OWNERSHIP without running fn while shared', () => {
    const original = new SharedData({ n: 1 });
    const reader = original.cloneRef();
    let ran = false;
    const result = original.tryUpdate(() => {
      ran = true;
    });
    expect(ran).toBe(false);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe(SHARED_OWNERSHIP);
      expect(isPatinoxError(result.error, SHARED_OWNERSHIP)).toBe(true);
    }
    reader.dispose();
    const second = original.tryUpdate((draft) => {
      draft.n = 5;
      return 'done';
    });
    expect(second).toEqual({ ok: true, value: 'done' });
    expect(original.get().n).toBe(5);
  });

  it('makeMut gives a private copy when shared and the value itself when not', () => {
    const original = new SharedData({ n: 1 });
    const reader = original.cloneRef();
    const mine = original.makeMut();
    mine.n = 9;
    expect(reader.get().n).toBe(1);
    expect(original.get().n).toBe(9);
    expect(original.makeMut()).toBe(mine);
  });

  it('keeps the old snapshot when update throws on the copy path', () => {
    const original = new SharedData({ n: 1 });
    const reader = original.cloneRef();
    expect(() =>
      original.update((draft) => {
        draft.n = 2;
        throw new Error('half way');
      }),
    ).toThrow('half way');
    expect(original.get()).toBe(reader.get());
    expect(original.get().n).toBe(1);
    expect(original.refCount).toBe(2);
  });

  it('refuses an async update fn on the copy path', () => {
    const original = new SharedData({ n: 1 });
    original.cloneRef();
    expect(() => original.update(async () => undefined)).toThrow(TypeError);
    expect(original.get().n).toBe(1);
  });

  it('set replaces only this handle’s value', () => {
    const original = new SharedData(1);
    const reader = original.cloneRef();
    original.set(2);
    expect(original.get()).toBe(2);
    expect(reader.get()).toBe(1);
    expect(reader.refCount).toBe(1);
  });

  it.each([
    ['a function', { handler: () => 1 }, '$.handler'],
    ['a symbol', [Symbol('x')], '$[0]'],
    ['a class instance', { at: new (class Secret { #key = 1; get key(): number { return this.#key; } })() }, '$.at'],
    ['a nested map value', new Map([['k', { f: Math.max }]]), '$.<value 0>.f'],
    ['a set entry', new Set([() => 1]), '$.<entry 0>'],
  ])('rejects %s with SHARED_NOT_CLONEABLE at construction', (_label, value, path) => {
    let thrown: unknown;
    try {
      new SharedData(value);
    } catch (error) {
      thrown = error;
    }
    expect(isPatinoxError(thrown, SHARED_NOT_CLONEABLE)).toBe(true);
    expect((thrown as NotCloneableError).path).toBe(path);
  });

  it('accepts structured-clone data: dates, maps, sets, typed arrays, cycles', () => {
    const cyclic: Record<string, unknown> = { when: new Date(0), tags: new Set(['a']), index: new Map([[1, 'x']]), bytes: new Uint8Array(4), re: /x/g };
    cyclic.self = cyclic;
    const shared = new SharedData(cyclic);
    const reader = shared.cloneRef();
    shared.update((draft) => {
      draft.extra = 1;
    });
    const copy = shared.get();
    expect(copy.self).toBe(copy);
    expect(Object.prototype.toString.call(copy.when)).toBe('[object Date]');
    expect(reader.get().extra).toBeUndefined();
  });

  it('uses the clone option instead of structuredClone and skips the cloneability check', () => {
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
    }
    const shared = new SharedData(new Point(1, 2), { clone: (p) => new Point(p.x, p.y) });
    const reader = shared.cloneRef();
    shared.update((p) => {
      p.x = 10;
    });
    expect(shared.get()).toBeInstanceOf(Point);
    expect(reader.get().x).toBe(1);
  });

  it('wraps a clone failure in SHARED_NOT_CLONEABLE', () => {
    const shared = new SharedData<{ f?: () => void }>({});
    shared.makeMut().f = () => undefined;
    shared.cloneRef();
    expect(() => shared.makeMut()).toThrow(expect.objectContaining({ code: SHARED_NOT_CLONEABLE }));
  });

  it('deep-freezes shared snapshots with freeze: true', () => {
    const shared = new SharedData({ nested: { n: 1 }, list: [1] }, { freeze: true });
    expect(Object.isFrozen(shared.get().nested)).toBe(true);
    expect(() => {
      shared.get().nested.n = 2;
    }).toThrow(TypeError);
    shared.update((draft) => {
      draft.nested.n = 2;
    });
    expect(shared.get().nested.n).toBe(2);
    expect(Object.isFrozen(shared.get().list)).toBe(true);
    expect(shared.tryUpdate(() => undefined).ok).toBe(false);
    const mine = shared.makeMut();
    mine.list.push(2);
    const reader = shared.cloneRef();
    expect(Object.isFrozen(reader.get().list)).toBe(true);
    shared.set({ nested: { n: 3 }, list: [] });
    expect(Object.isFrozen(shared.get())).toBe(true);
  });

  it('throws SHARED_DISPOSED from a disposed handle', () => {
    const shared = new SharedData(1);
    shared.dispose();
    shared.dispose();
    expect(shared.disposed).toBe(true);
    expect(() => shared.get()).toThrow(expect.objectContaining({ code: SHARED_DISPOSED }));
    expect(() => shared.cloneRef()).toThrow(expect.objectContaining({ code: SHARED_DISPOSED }));
  });

  it('closes through Symbol.asyncDispose and says so in closed', async () => {
    const shared = new SharedData({ a: 1 });
    const other = shared.cloneRef();
    expect(shared.closed).toBe(false);
    await other[Symbol.asyncDispose]();
    expect(other.closed).toBe(true);
    expect(shared.refCount).toBe(1);
  });

  it('validates options with the house message', () => {
    expect(() => new SharedData(1, { freeze: 'yes' as never })).toThrow('Expected `freeze` to be a boolean, got "yes" (string)');
    expect(() => new SharedData(1, { clone: 3 as never })).toThrow('Expected `clone` to be a function, got 3 (number)');
    expect(() => new SharedData(1, { name: '' })).toThrow('Expected `name` to be a non-empty string');
    expect(() => new SharedData(1, null as never)).toThrow(TypeError);
    expect(() => new SharedData(1).update(null as never)).toThrow('Expected `fn` to be a function, got null');
    expect(() => SharedData.from({} as never)).toThrow(TypeError);
  });

  it('exposes plain counters to a MetricsRegistry', () => {
    const shared = new SharedData({ n: 1 }, { name: 'routes' });
    shared.get();
    shared.get();
    const registry = new MetricsRegistry();
    registry.addCollector(() => shared.collectMetrics());
    const reads = registry.collect().find((m) => m.name === 'patinox_shared_reads_total');
    expect(reads).toMatchObject({ value: 0, labels: { name: 'routes' } });
    const clones = registry.collect().find((m) => m.name === 'patinox_shared_clones_total');
    expect(clones).toMatchObject({ value: 0 });
    expect(shared.metrics.snapshot().ageMs).toBeGreaterThanOrEqual(0);
  });

  it('rebuilds a handle from share() output', () => {
    const shared = new SharedData({ n: 1 }, { name: 'n', freeze: true });
    const copy = SharedData.from(structuredClone(shared.share()));
    expect(copy.get()).toEqual({ n: 1 });
    expect(Object.isFrozen(copy.get())).toBe(true);
  });

  it('keeps every holder on a whole snapshot under any sequence of clones, writes and disposals', () => {
    type Op = { kind: 'clone' | 'update' | 'try' | 'dispose' | 'set'; who: number };
    const op = fc.record({ kind: fc.constantFrom('clone', 'update', 'try', 'dispose', 'set'), who: fc.nat(7) }) as fc.Arbitrary<Op>;
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        // Model: each handle's expected value; invariant: a value is always { a, b } with a === b.
        const handles: SharedData<{ a: number; b: number }>[] = [new SharedData({ a: 0, b: 0 })];
        const expected: number[] = [0];
        let stamp = 0;
        for (const { kind, who } of ops) {
          const index = who % handles.length;
          const handle = handles[index]!;
          if (handle.disposed) continue;
          if (kind === 'clone') {
            handles.push(handle.cloneRef());
            expected.push(expected[index]!);
          } else if (kind === 'update') {
            stamp += 1;
            const s = stamp;
            handle.update((d) => {
              d.a = s;
              d.b = s;
            });
            expected[index] = s;
          } else if (kind === 'try') {
            stamp += 1;
            const s = stamp;
            const result = handle.tryUpdate((d) => {
              d.a = s;
              d.b = s;
            });
            if (result.ok) expected[index] = s;
          } else if (kind === 'set') {
            stamp += 1;
            handle.set({ a: stamp, b: stamp });
            expected[index] = stamp;
          } else if (handles.filter((h) => !h.disposed).length > 1) {
            handle.dispose();
          }
          for (let i = 0; i < handles.length; i += 1) {
            const h = handles[i]!;
            if (h.disposed) continue;
            const v = h.get();
            if (v.a !== v.b || v.a !== expected[i]) return false;
          }
          // The count of every live snapshot equals the number of live handles pointing at it.
          const live = handles.filter((h) => !h.disposed);
          for (const h of live) {
            if (h.refCount !== live.filter((o) => o.get() === h.get()).length) return false;
          }
        }
        return true;
      }),
      { numRuns: 200 },
    );
  });
});
