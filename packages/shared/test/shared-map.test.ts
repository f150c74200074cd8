import { describe, expect, it } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import { MemoryMonitor } from '@patinox/monitor';
import fc from 'fast-check';
import { pack, unpack } from 'msgpackr';
import { SharedMap, type SharedMapCodec } from '../src/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isPatinoxError(error) ? error.code : `${(error as Error).name}: ${(error as Error).message}`;
  }
  return undefined;
}

describe('SharedMap', () => {
  it('gets, sets, deletes and counts like a Map', () => {
    const map = SharedMap.create<{ n: number }>({ capacity: 100 });
    expect(map.get('a')).toBeUndefined();
    expect(map.set('a', { n: 1 })).toBe(map);
    map.set('b', { n: 2 }).set('a', { n: 3 });
    expect(map.get('a')).toEqual({ n: 3 });
    expect(map.has('b')).toBe(true);
    expect(map.size).toBe(2);
    expect(map.delete('a')).toBe(true);
    expect(map.delete('a')).toBe(false);
    expect(map.has('a')).toBe(false);
    expect(map.size).toBe(1);
    map.set('a', { n: 4 });
    expect([...map].sort()).toEqual([
      ['a', { n: 4 }],
      ['b', { n: 2 }],
    ]);
    expect([...map.keys()].sort()).toEqual(['a', 'b']);
    expect([...map.values()].map((v) => v.n).sort()).toEqual([2, 4]);
    const seen: string[] = [];
    map.forEach((value, key) => seen.push(`${key}=${value.n}`));
    expect(seen.sort()).toEqual(['a=4', 'b=2']);
    map.clear();
    expect(map.size).toBe(0);
    expect(map.get('b')).toBeUndefined();
    expect(map.capacity).toBe(100);
  });

  it('keeps UTF-8 keys and the empty key apart', () => {
    const map = SharedMap.create<string>({ capacity: 10, codec: 'string' });
    map.set('', 'empty').set('é', 'e-acute').set('e', 'e').set('日本', 'nihon');
    expect([map.get(''), map.get('é'), map.get('e'), map.get('日本')]).toEqual(['empty', 'e-acute', 'e', 'nihon']);
  });

  it('compareAndSet swaps only from the expected value; undefined means absent', () => {
    const map = SharedMap.create<number>({ capacity: 10 });
    expect(map.compareAndSet('k', 1, 2)).toBe(false);
    expect(map.compareAndSet('k', undefined, 1)).toBe(true);
    expect(map.compareAndSet('k', undefined, 5)).toBe(false);
    expect(map.compareAndSet('k', 1, 2)).toBe(true);
    expect(map.get('k')).toBe(2);
    expect(map.compareAndSet('k', 2, undefined)).toBe(true);
    expect(map.has('k')).toBe(false);
  });

  it('update applies fn atomically; undefined deletes; a throw changes nothing', () => {
    const map = SharedMap.create<number>({ capacity: 10 });
    expect(map.update('hits', (n = 0) => n + 1)).toBe(1);
    expect(map.update('hits', (n = 0) => n + 1)).toBe(2);
    expect(() =>
      map.update('hits', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(map.get('hits')).toBe(2);
    expect(map.update('hits', () => undefined)).toBeUndefined();
    expect(map.has('hits')).toBe(false);
    // Reads inside fn are allowed; writes are refused, and the lock is still released.
    map.set('other', 7);
    expect(map.update('x', () => map.get('other'))).toBe(7);
    expect(codeOf(() => map.update('x', () => (map.set('y', 1), 1)))).toBe('SHARED_MAP_REENTRANT');
    expect(map.update('x', (n = 0) => n + 1)).toBe(8);
    expect(codeOf(() => map.update('x', () => Promise.resolve(1) as never))).toMatch(/TypeError: .*synchronously/);
  });

  it('takes byte keys with keys: \'bytes\' (any bytes, not only UTF-8), and yields them as copies', () => {
    const map = SharedMap.create<number>({ capacity: 8, keys: 'bytes', maxKeyBytes: 4 });
    const a = new Uint8Array([0xff, 0x00, 0xfe]); // not valid UTF-8
    map.set(a, 1).set(new Uint8Array([]), 2);
    expect(map.get(new Uint8Array([0xff, 0x00, 0xfe]))).toBe(1);
    expect(map.get(new Uint8Array([0xff, 0x00]))).toBeUndefined();
    expect(map.update(a, (n = 0) => n + 1)).toBe(2);
    expect(map.compareAndSet(a, 2, 3)).toBe(true);
    a[0] = 0; // the map kept its own copy of the key
    expect(map.get(new Uint8Array([0xff, 0x00, 0xfe]))).toBe(3);
    const keys = [...map.keys()].map((k) => [...k]).sort((x, y) => x.length - y.length);
    expect(keys).toEqual([[], [0xff, 0x00, 0xfe]]);
    expect([...map.keys()].every((k) => k instanceof Uint8Array)).toBe(true);
    // The key kind lives in the shared memory: a second handle takes bytes too.
    const other = SharedMap.from<number, Uint8Array>(map.handle);
    expect(other.get(new Uint8Array([0xff, 0x00, 0xfe]))).toBe(3);
    expect(other.delete(new Uint8Array([]))).toBe(true);
    expect(map.size).toBe(1);
    expect(codeOf(() => map.set(new Uint8Array(5), 1))).toBe('SHARED_MAP_TOO_LARGE');
    expect(codeOf(() => map.get('a' as never))).toMatch(/^TypeError: Expected `key` to be a Uint8Array, got/);
    expect(codeOf(() => SharedMap.create<number>({ capacity: 8 }).get(new Uint8Array(1) as never))).toMatch(/^TypeError: Expected `key` to be a string, got/);
    expect(codeOf(() => SharedMap.create({ capacity: 8, keys: 'utf16' as never }))).toMatch(/^TypeError: Expected `keys` to be 'string' or 'bytes'/);
  });

  it('round-trips through every codec, including a custom one', () => {
    const bytes = SharedMap.create<Uint8Array>({ capacity: 4, codec: 'bytes' });
    bytes.set('b', new Uint8Array([1, 2, 3]));
    const copy = bytes.get('b')!;
    expect([...copy]).toEqual([1, 2, 3]);
    bytes.set('b', new Uint8Array([9]));
    expect([...copy]).toEqual([1, 2, 3]); // a copy, not a view of the scratch buffer
    const upper: SharedMapCodec<string> = {
      encode: (value) => new TextEncoder().encode(value.toUpperCase()),
      decode: (b) => new TextDecoder().decode(b),
    };
    const custom = SharedMap.create<string>({ capacity: 4, codec: upper });
    custom.set('k', 'abc');
    expect(custom.get('k')).toBe('ABC');
    expect(custom.handle.codec).toBe('custom');
    expect(codeOf(() => SharedMap.from(custom.handle))).toMatch(/TypeError: Expected `codec`/);
    expect(SharedMap.from(custom.handle, { codec: upper }).get('k')).toBe('ABC');
  });

  it('values from get stay as they were after later reads (bytes codec, and a decoder that keeps views like msgpackr\'s unpack)', () => {
    const bytes = SharedMap.create<Uint8Array>({ capacity: 4, codec: 'bytes' });
    bytes.set('a', new Uint8Array([1, 2, 3])).set('b', new Uint8Array([7, 8, 9]));
    const a = bytes.get('a')!;
    bytes.get('b');
    for (const _ of bytes) {
      // iteration reads every entry too
    }
    expect([...a]).toEqual([1, 2, 3]);
    const packed = SharedMap.create<{ raw: Uint8Array }>({ capacity: 4, codec: { encode: pack, decode: (b) => unpack(b) as { raw: Uint8Array } } });
    packed.set('a', { raw: new Uint8Array([1, 2, 3]) }).set('b', { raw: new Uint8Array([7, 8, 9]) });
    const first = packed.get('a')!;
    packed.get('b');
    expect([...first.raw]).toEqual([1, 2, 3]);
  });

  it('refuses keys and values larger than a slot with SHARED_MAP_TOO_LARGE, keeping the old value', () => {
    const map = SharedMap.create<string>({ capacity: 4, codec: 'string', maxKeyBytes: 8, maxValueBytes: 16 });
    map.set('k', 'old');
    expect(codeOf(() => map.set('k'.repeat(9), 'v'))).toBe('SHARED_MAP_TOO_LARGE');
    expect(codeOf(() => map.get('ü'.repeat(5)))).toBe('SHARED_MAP_TOO_LARGE'); // 10 bytes of UTF-8
    expect(codeOf(() => map.set('k', 'v'.repeat(17)))).toBe('SHARED_MAP_TOO_LARGE');
    expect(codeOf(() => map.update('k', () => 'v'.repeat(17)))).toBe('SHARED_MAP_TOO_LARGE');
    expect(map.get('k')).toBe('old');
    map.set('k', 'v'.repeat(16));
    expect(map.get('k')).toBe('v'.repeat(16));
    try {
      map.set('k', 'é'.repeat(9));
    } catch (error) {
      expect(error).toMatchObject({ code: 'SHARED_MAP_TOO_LARGE', context: { what: 'value', bytes: 18, maxBytes: 16 } });
    }
  });

  it('refuses a new key in a full map with SHARED_MAP_FULL, but still updates and reuses deleted slots', () => {
    const map = SharedMap.create<number>({ capacity: 1000 });
    for (let i = 0; i < 1000; i += 1) map.set(`key:${i}`, i);
    expect(map.size).toBe(1000);
    expect(codeOf(() => map.set('one-more', 1))).toBe('SHARED_MAP_FULL');
    expect(codeOf(() => map.update('one-more', () => 1))).toBe('SHARED_MAP_FULL');
    expect(codeOf(() => map.compareAndSet('one-more', undefined, 1))).toBe('SHARED_MAP_FULL');
    // The refused inserts left the table as it was.
    expect(map.has('one-more')).toBe(false);
    expect(map.size).toBe(1000);
    expect(new Map(map)).toEqual(new Map(Array.from({ length: 1000 }, (_, i) => [`key:${i}`, i])));
    map.set('key:5', 55);
    expect(map.get('key:5')).toBe(55);
    map.delete('key:5');
    map.set('one-more', 1);
    expect(map.get('one-more')).toBe(1);
    expect(map.size).toBe(1000);
  });

  it('throws TypeError or RangeError for wrong types and bad options', () => {
    const map = SharedMap.create<unknown>({ capacity: 4 });
    expect(codeOf(() => map.get(1 as never))).toMatch(/^TypeError: Expected `key` to be a string, got 1/);
    expect(codeOf(() => map.set('k', undefined))).toMatch(/^TypeError: .*use delete/);
    expect(codeOf(() => map.set('k', () => 1))).toMatch(/^TypeError: Expected `value` to be JSON-serializable/);
    expect(codeOf(() => map.set('k', 1n))).toMatch(/^TypeError/);
    expect(codeOf(() => map.update('k', 'nope' as never))).toMatch(/^TypeError: Expected `fn`/);
    expect(codeOf(() => SharedMap.create<string>({ capacity: 4, codec: 'string' }).set('k', 1 as never))).toMatch(/^TypeError: Expected `value` to be a string/);
    expect(codeOf(() => SharedMap.create<Uint8Array>({ capacity: 4, codec: 'bytes' }).set('k', 'x' as never))).toMatch(/^TypeError: Expected `value` to be a Uint8Array/);
    expect(codeOf(() => SharedMap.create({ capacity: 0 }))).toMatch(/^(TypeError|RangeError): Expected `capacity`/);
    expect(codeOf(() => SharedMap.create({ capacity: 4, shards: 3 }))).toMatch(/^RangeError: Expected `shards` to be a power of two/);
    expect(codeOf(() => SharedMap.create({ capacity: 4, codec: 'xml' as never }))).toMatch(/^TypeError: Expected `codec`/);
    expect(codeOf(() => SharedMap.create({ capacity: 4, maxValueBytes: 2 ** 21 }))).toMatch(/^RangeError: Expected `maxKeyBytes` \+ `maxValueBytes`/);
    expect(codeOf(() => SharedMap.from({} as never))).toMatch(/^TypeError: Expected `handle` to be a SharedMapHandle/);
    const forged = { kind: 'patinox.shared-map', buffer: new SharedArrayBuffer(128), name: 'x', codec: 'json' } as const;
    expect(codeOf(() => SharedMap.from(forged))).toMatch(/does not start with a SharedMap header/);
    expect(codeOf(() => map.recoverThread(-1))).toMatch(/^(TypeError|RangeError): Expected `threadId`/);
  });

  it('a second handle on the same memory sees every write (property: matches a reference Map)', () => {
    const keys = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
    const command = fc.oneof(
      fc.record({ op: fc.constant('set' as const), key: keys, value: fc.integer({ min: 0, max: 5 }), via: fc.nat(1) }),
      fc.record({ op: fc.constant('delete' as const), key: keys, via: fc.nat(1) }),
      fc.record({ op: fc.constant('cas' as const), key: keys, expected: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }), value: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }), via: fc.nat(1) }),
      fc.record({ op: fc.constant('update' as const), key: keys, value: fc.integer({ min: -1, max: 3 }), via: fc.nat(1) }),
      fc.record({ op: fc.constant('clear' as const), via: fc.nat(1) }),
    );
    fc.assert(
      fc.property(fc.array(command, { maxLength: 120 }), fc.constantFrom(1, 2, 4), (commands, shards) => {
        const main = SharedMap.create<number>({ capacity: 6, shards });
        const handles = [main, SharedMap.from<number>(main.handle)];
        const model = new Map<string, number>();
        for (const c of commands) {
          const map = handles[c.via]!;
          if (c.op === 'set') {
            const full = !model.has(c.key) && model.size >= 6;
            expect(codeOf(() => map.set(c.key, c.value))).toBe(full ? 'SHARED_MAP_FULL' : undefined);
            if (!full) model.set(c.key, c.value);
          } else if (c.op === 'delete') {
            expect(map.delete(c.key)).toBe(model.delete(c.key));
          } else if (c.op === 'cas') {
            const matches = model.get(c.key) === c.expected;
            const full = matches && c.value !== undefined && !model.has(c.key) && model.size >= 6;
            if (full) expect(codeOf(() => map.compareAndSet(c.key, c.expected, c.value))).toBe('SHARED_MAP_FULL');
            else expect(map.compareAndSet(c.key, c.expected, c.value)).toBe(matches);
            if (matches && !full) {
              if (c.value === undefined) model.delete(c.key);
              else model.set(c.key, c.value);
            }
          } else if (c.op === 'update') {
            // -1 means "delete"; otherwise add.
            const next = c.value === -1 ? undefined : (model.get(c.key) ?? 0) + c.value;
            const full = next !== undefined && !model.has(c.key) && model.size >= 6;
            if (full) expect(codeOf(() => map.update(c.key, () => next))).toBe('SHARED_MAP_FULL');
            else expect(map.update(c.key, (v) => (c.value === -1 ? undefined : (v ?? 0) + c.value))).toBe(next);
            if (!full) {
              if (next === undefined) model.delete(c.key);
              else model.set(c.key, next);
            }
          } else {
            map.clear();
            model.clear();
          }
          const other = handles[1 - c.via]!;
          expect(other.size).toBe(model.size);
        }
        for (const handle of handles) {
          expect(new Map(handle)).toEqual(model);
          for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) expect(handle.get(key)).toBe(model.get(key));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('shares its name and handle, and reports recovered locks to the monitor', () => {
    const monitor = new MemoryMonitor();
    const map = SharedMap.create<number>({ capacity: 8, name: 'prices', monitor });
    expect(map.name).toBe('prices');
    expect(map.share()).toBe(map.handle);
    expect(map.handle).toMatchObject({ kind: 'patinox.shared-map', name: 'prices', codec: 'json' });
    expect(SharedMap.from<number>(structuredClone(map.handle)).set('k', 1) && map.get('k')).toBe(1);
    expect(map.recoverThread(12345)).toBe(0);
    expect(monitor.events()).toEqual([]);
  });
});

describe('SharedMap.healthCheck', () => {
  it('is up while there is room, degraded once the map is at the given share of its capacity', async () => {
    const map = SharedMap.create<number>({ capacity: 10, name: 'health' });
    const health = map.healthCheck(0.5);
    expect(health.name).toBe('shared.map:health');
    for (let i = 0; i < 4; i += 1) map.set(`k${i}`, i);
    expect(await health.check(new AbortController().signal)).toMatchObject({ status: 'up', details: { size: 4, capacity: 10 } });
    map.set('k4', 4);
    expect(await health.check(new AbortController().signal)).toMatchObject({ status: 'degraded', details: { size: 5 } });
    map.delete('k4');
    expect(await health.check(new AbortController().signal)).toMatchObject({ status: 'up' });
  });

  it('refuses a threshold outside (0, 1]', () => {
    const map = SharedMap.create<number>({ capacity: 4 });
    for (const bad of [0, -0.1, 1.5, Number.NaN, '0.5' as unknown as number]) expect(() => map.healthCheck(bad)).toThrow(/fullAt/);
  });
});
