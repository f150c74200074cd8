import { describe, it, expect, afterAll } from '@jest/globals';
import { isDeepStrictEqual } from 'node:util';

// Node 20's isDeepStrictEqual says two Invalid Dates differ (NaN times); they round trip intact, so
// compare them by their (NaN) time and everything else deeply.
function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return Object.is(a.getTime(), b.getTime());
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (a instanceof Map && b instanceof Map) return isDeepStrictEqual(a, b);
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Object.getPrototypeOf(a) === Object.prototype && Object.getPrototypeOf(b) === Object.prototype) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return isDeepStrictEqual(a, b);
}
import fc from 'fast-check';
import { isPatinoxError } from '@patinox/errors';
import { createMsgpackCodec } from '../src/serialization/msgpack.js';
import { MemoryBackend, MemoryBus, TieredCache, jsonCodec, type Codec } from '../src/tiered/index.js';

const codecs: [string, Codec][] = [
  ['json', jsonCodec],
  ['msgpack', createMsgpackCodec()],
];

// Strings may hold lone surrogates; values may hold everything fast-check can build but typed arrays,
// which jest's sandbox realm builds without a readable `buffer` (binary data is covered below with Buffer).
const unit = fc.oneof(fc.constantFrom('\ud83d', '\ude00', 'a', '\u00e9'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
const anyValue = fc.anything({
  withBigInt: true,
  withMap: true,
  withSet: true,
  withDate: true,
  withSparseArray: true,
  withNullPrototype: true,
  withBoxedValues: true,
  withObjectString: true,
  stringUnit: unit,
  key: fc.string({ unit, maxLength: 4 }),
});

describe.each(codecs)('TieredCache with the %s codec', (_name, codec) => {
  const l2 = new MemoryBackend();
  const bus = new MemoryBus();
  const writer = new TieredCache<unknown>({ l2, bus, namespace: 'codec', serializer: { codec } });
  const reader = new TieredCache<unknown>({ l2, bus, namespace: 'codec', serializer: { codec } });

  afterAll(async () => {
    await writer.close();
    await reader.close();
  });

  it('gives every instance the value the writer reads from its L1, or refuses it before writing anything', async () => {
    let n = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(anyValue, async (value) => {
        const key = `p${(n += 1)}`;
        const outcome = await writer.set(key, value).catch((err: unknown) => err);
        if (outcome !== true) {
          expect(isPatinoxError(outcome, 'CACHE_SERIALIZATION_FAILED') || (outcome instanceof TypeError && value === undefined)).toBe(true);
          expect(await l2.get(`codec:v:${key}`)).toBeNull();
          expect(await reader.get(key)).toBeUndefined();
          return;
        }
        accepted += 1;
        const mine = await writer.get(key);
        const theirs = await reader.get(key);
        expect(sameValue(theirs, mine)).toBe(true);
      }),
      { numRuns: 400, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
    );
    // The property says nothing if everything is refused.
    expect(accepted).toBeGreaterThan(40);
  });

  it.each([
    ['a lone surrogate', 'x\ud800'],
    ['a lone surrogate in an object key', { ['\udc00k']: 1 }],
    ['a Map with an object key', new Map<unknown, number>([[{ id: 1 }, 1]])],
    ['-0', [-0]],
    ['a sparse array', [1, , 3]],
    ['a class instance', new (class Point { x = 1; })()],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1 })],
    ['a symbol key', { [Symbol('s')]: 1 }],
    ['a function', { f: () => 1 }],
  ])('refuses %s in set, setMany, batch and atomic, writing nothing', async (_what, value) => {
    const errors = [
      await writer.set('bad', value).catch((e: unknown) => e),
      await writer.setMany([{ key: 'ok', value: 1 }, { key: 'bad', value }]).catch((e: unknown) => e),
      await writer.batch().set('ok', 1).set('bad', value).execute().catch((e: unknown) => e),
      await writer.atomic().set('ok', 1).set('bad', value).execute().catch((e: unknown) => e),
    ];
    for (const err of errors) expect(err).toMatchObject({ code: 'CACHE_SERIALIZATION_FAILED' });
    expect(await reader.getMany(['ok', 'bad'])).toEqual([undefined, undefined]);
  });

  it('keeps the key check of set for batch, atomic and every other entry point', async () => {
    const tooLong = 'k'.repeat(2000);
    const lone = 'k\ud800';
    for (const key of [tooLong, lone, '']) {
      expect(() => writer.batch().set(key, 1)).toThrow(/Expected `key`/);
      expect(() => writer.batch().delete(key)).toThrow(/Expected `key`/);
      expect(() => writer.atomic().check(key, 1)).toThrow(/Expected `key`/);
      expect(() => writer.atomic().set(key, 1)).toThrow(/Expected `key`/);
      expect(() => writer.atomic().delete(key)).toThrow(/Expected `key`/);
      await expect(writer.set(key, 1)).rejects.toThrow(/Expected `key`/);
      await expect(writer.setMany([{ key, value: 1 }])).rejects.toThrow(/Expected `key`/);
      await expect(writer.get(key)).rejects.toThrow(/Expected `key`/);
      await expect(writer.getMany([key])).rejects.toThrow(/Expected `key`/);
      await expect(writer.delete(key)).rejects.toThrow(/Expected `key`/);
      await expect(writer.increment(key)).rejects.toThrow(/Expected `key`/);
      await expect(writer.exists(key)).rejects.toThrow(/Expected `key`/);
      await expect(writer.getOrLoad(key, () => 1)).rejects.toThrow(/Expected `key`/);
    }
  });
});

describe('codec refusals specific to JSON', () => {
  it.each([
    ['NaN', { n: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['undefined in an array', [1, undefined]],
    ['undefined in an object', { a: undefined }],
    ['a Date', new Date(0)],
    ['a BigInt', 1n],
    ['a Set', new Set([1])],
    ['binary data', Buffer.from('ab')],
  ])('refuses %s with JSON and carries it with MessagePack', async (_what, value) => {
    const l2 = new MemoryBackend();
    const json = new TieredCache<unknown>({ l2, namespace: 'j', serializer: { codec: jsonCodec } });
    const msgpack = new TieredCache<unknown>({ l2, namespace: 'm', serializer: { codec: createMsgpackCodec() }, l1: false });
    await expect(json.set('k', value)).rejects.toMatchObject({ code: 'CACHE_SERIALIZATION_FAILED' });
    if (!(value instanceof Object && 'n' in value) && !(Array.isArray(value) && value.includes(Number.POSITIVE_INFINITY))) {
      await msgpack.set('k', value);
      expect(isDeepStrictEqual(await msgpack.get('k'), value)).toBe(true);
    }
    await json.close();
    await msgpack.close();
  });
});

describe('a custom codec or compressor that misbehaves', () => {
  const refuses = async (options: ConstructorParameters<typeof TieredCache<unknown>>[0]['serializer'], message: RegExp): Promise<void> => {
    const l2 = new MemoryBackend();
    const cache = new TieredCache<unknown>({ l2, namespace: 'bad-codec', serializer: options, compression: undefined });
    await expect(cache.set('k', { a: 1 })).rejects.toMatchObject({ code: 'CACHE_SERIALIZATION_FAILED', message: expect.stringMatching(message) });
    // Nothing was written: the value was refused before L2.
    expect(await cache.get('k')).toBeUndefined();
    await cache.close();
  };

  it('refuses a value whose encode returns something other than bytes, with CACHE_SERIALIZATION_FAILED', async () => {
    const codec: Codec = { id: 7, name: 'broken', encode: () => 'not bytes' as never, decode: () => undefined };
    await refuses({ codec }, /broken: its encode returned "not bytes" \(string\), not a Uint8Array/);
  });

  it('wraps a compressor that throws or returns something other than bytes in CACHE_SERIALIZATION_FAILED', async () => {
    const throwing = { name: 'explodes', compress: () => { throw new Error('boom'); }, decompress: (b: Buffer) => b };
    await refuses({ codec: jsonCodec, compression: throwing, compressionThresholdBytes: 0 }, /Cannot compress value with explodes: .*boom/);
    const wrong = { name: 'wrong', compress: () => 42 as never, decompress: (b: Buffer) => b };
    await refuses({ codec: jsonCodec, compression: wrong, compressionThresholdBytes: 0 }, /compress returned 42 \(number\)/);
  });
});
