import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ELEMENT_TYPES, elementSize, MappedFile, MappedRecords, RecordWriter, type ElementType, type MappedSlice } from './public.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const INTEGER_RANGES: Record<string, readonly [number, number]> = {
  u8: [0, 255],
  i8: [-128, 127],
  u16: [0, 65535],
  i16: [-32768, 32767],
  u32: [0, 2 ** 32 - 1],
  i32: [-(2 ** 31), 2 ** 31 - 1],
};
const BIG_RANGES: Record<string, readonly [bigint, bigint]> = {
  u64: [0n, 2n ** 64n - 1n],
  i64: [-(2n ** 63n), 2n ** 63n - 1n],
};

async function writableSlice<T extends ElementType>(type: T, name: string, windowed = false): Promise<{ file: MappedFile<T, 'readwrite'>; slice: MappedSlice<T> }> {
  const path = tmp.path(`${name}.bin`);
  writeFileSync(path, Buffer.alloc(windowed ? 3 * 4096 : 64));
  const file = await MappedFile.open(path, { type, mode: 'readwrite', ...(windowed ? { windowBytes: 4096 } : {}) });
  return { file, slice: file.asMappedSlice() };
}

describe('integer elements refuse values they cannot store (no silent wrap)', () => {
  it.each([
    ['u8', 300],
    ['u8', -1],
    ['i8', 128],
    ['u16', 65536],
    ['i16', -32769],
    ['u32', -1],
    ['u32', 2 ** 32],
    ['i32', 2 ** 40],
    ['i32', Number.NaN],
    ['u16', 1.5],
    ['u8', Number.POSITIVE_INFINITY],
  ] as const)('MappedSlice.set(%s, %p) is a RangeError naming the index, the type and the value; the element keeps its value', async (type, value) => {
    for (const windowed of [false, true]) {
      const { file, slice } = await writableSlice(type, `set-${type}-${String(value)}-${windowed}`, windowed);
      // In a windowed file, an element of the second window (the windowed write path).
      const index = windowed ? 4096 / elementSize(type) + 1 : 3;
      slice.set(index, 7);
      let thrown: unknown;
      try {
        slice.set(index, value);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(RangeError);
      const [min, max] = INTEGER_RANGES[type]!;
      expect((thrown as Error).message).toBe(`Expected \`value\` at index ${index} to be an integer in [${min}, ${max}] (${type}), got ${String(value)} (number)`);
      expect(slice.get(index)).toBe(7);
      file.close();
    }
  });

  it.each([
    ['u64', -1n],
    ['u64', 2n ** 64n],
    ['i64', 2n ** 63n],
    ['i64', -(2n ** 63n) - 1n],
  ] as const)('MappedSlice.set(%s, %p) is a RangeError for a bigint out of range', async (type, value) => {
    const { file, slice } = await writableSlice(type, `set-${type}-${value}`);
    slice.set(1, 5n);
    const [min, max] = BIG_RANGES[type]!;
    expect(() => slice.set(1, value)).toThrow(new RangeError(`Expected \`value\` at index 1 to be a bigint in [${min}, ${max}] (${type}), got ${value} (bigint)`));
    expect(slice.get(1)).toBe(5n);
    file.close();
  });

  it('stores every value in range exactly, at both ends', async () => {
    for (const type of ['u8', 'i8', 'u16', 'i16', 'u32', 'i32'] as const) {
      const { file, slice } = await writableSlice(type, `ends-${type}`);
      const [min, max] = INTEGER_RANGES[type]!;
      slice.set(0, min);
      slice.set(1, max);
      slice.set(2, -0);
      expect([slice.get(0), slice.get(1), slice.get(2)]).toEqual([min, max, 0]);
      file.close();
    }
    for (const type of ['u64', 'i64'] as const) {
      const { file, slice } = await writableSlice(type, `ends-${type}`);
      const [min, max] = BIG_RANGES[type]!;
      slice.set(0, min);
      slice.set(1, max);
      expect([slice.get(0), slice.get(1)]).toEqual([min, max]);
      file.close();
    }
  });

  it('floats accept any number (f32 rounds, as a float does)', async () => {
    const { file, slice } = await writableSlice('f32', 'floats-f32');
    slice.set(0, 1e40);
    slice.set(1, Number.NaN);
    slice.set(2, 0.1);
    expect(slice.get(0)).toBe(Number.POSITIVE_INFINITY);
    expect(slice.get(1)).toBeNaN();
    expect(slice.get(2)).toBe(Math.fround(0.1));
    file.close();
    const f64 = await writableSlice('f64', 'floats-f64');
    f64.slice.set(0, -Number.MAX_VALUE);
    expect(f64.slice.get(0)).toBe(-Number.MAX_VALUE);
    f64.file.close();
  });

  it('a number either round-trips exactly through set/get or is refused with a RangeError (property, every element type)', async () => {
    const files = new Map<ElementType, { file: MappedFile<ElementType, 'readwrite'>; slice: MappedSlice<ElementType> }>();
    for (const type of ELEMENT_TYPES) files.set(type, await writableSlice(type, `prop-${type}`));
    fc.assert(
      fc.property(
        fc.constantFrom(...ELEMENT_TYPES),
        fc.oneof(fc.integer(), fc.double(), fc.integer({ min: -(2 ** 33), max: 2 ** 33 }), fc.constantFrom(-1, 0, 255, 256, 2 ** 31, 2 ** 32, -(2 ** 31) - 1)),
        fc.bigInt({ min: -(2n ** 65n), max: 2n ** 65n }),
        (type, number, big) => {
          const { slice } = files.get(type)!;
          const isBig = type === 'u64' || type === 'i64';
          const value = isBig ? big : number;
          let refused = false;
          try {
            slice.set(0, value);
          } catch (err) {
            expect(err).toBeInstanceOf(RangeError);
            refused = true;
          }
          const range = isBig ? BIG_RANGES[type]! : INTEGER_RANGES[type];
          const fits = range === undefined ? true : (isBig || Number.isInteger(value)) && value >= range[0] && value <= range[1];
          expect(refused).toBe(!fits);
          if (!refused && range !== undefined) expect(slice.get(0)).toBe(Object.is(value, -0) ? 0 : value);
        },
      ),
      { numRuns: 400 },
    );
    for (const { file } of files.values()) file.close();
  });
});

describe('record fields refuse values they cannot store', () => {
  const schema = { id: 'u32', flag: 'u8', delta: 'i32', big: 'u64', price: 'f32' } as const;

  it('a record view setter is a RangeError naming the field, the type and the value; the field keeps its value', async () => {
    const path = tmp.path('records-view.bin');
    const writer = RecordWriter.open(path, { schema });
    writer.append({ id: 1, flag: 2, delta: 3, big: 4n, price: 5 });
    writer.close();
    const records = await MappedRecords.open(path, { schema, mode: 'readwrite' });
    const view = records.view(0)!;
    expect(() => {
      view.flag = 300;
    }).toThrow(new RangeError('Expected `flag` to be an integer in [0, 255] (u8), got 300 (number)'));
    expect(() => {
      view.delta = Number.NaN;
    }).toThrow(new RangeError('Expected `delta` to be an integer in [-2147483648, 2147483647] (i32), got NaN (number)'));
    expect(() => {
      view.big = -1n;
    }).toThrow(new RangeError('Expected `big` to be a bigint in [0, 18446744073709551615] (u64), got -1 (bigint)'));
    view.price = 1e40;
    expect(records.get(0)).toEqual({ id: 1, flag: 2, delta: 3, big: 4n, price: Number.POSITIVE_INFINITY });
    records.close();
  });

  it('RecordWriter.append refuses the whole record (nothing appended) and names the field', () => {
    const path = tmp.path('records-append.bin');
    const writer = RecordWriter.open(path, { schema, bufferRecords: 2 });
    writer.append({ id: 1, flag: 2, delta: 3, big: 4n, price: 5 });
    expect(() => writer.append({ id: 1, flag: 2, delta: 2 ** 40, big: 4n, price: 5 })).toThrow(
      new RangeError('Expected `delta` to be an integer in [-2147483648, 2147483647] (i32), got 1099511627776 (number)'),
    );
    expect(() => writer.append({ id: -1, flag: 2, delta: 3, big: 4n, price: 5 })).toThrow(RangeError);
    expect(() => writer.append({ id: 1, flag: 2, delta: 3, big: 2n ** 64n, price: 5 })).toThrow(RangeError);
    expect(writer.length).toBe(1);
    expect(writer.append({ id: 2, flag: 255, delta: -(2 ** 31), big: 2n ** 64n - 1n, price: 5 })).toBe(1);
    writer.close();
    expect(readFileSync(path).length).toBe(2 * writer.layout.recordSize);
  });
});
