import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ELEMENT_TYPES, MappedFile, MappedSlice, elementSize, type ElementType } from './public.js';
import { countingBinding, readU32, tempDir, writeU32 } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const SAMPLES: Record<ElementType, (number | bigint)[]> = {
  u8: [0, 1, 255],
  i8: [-128, 0, 127],
  u16: [0, 65535, 7],
  i16: [-32768, 32767, -1],
  u32: [0, 4294967295, 42],
  i32: [-2147483648, 2147483647, -7],
  f32: [0.5, -1.25, 1024],
  f64: [Math.PI, -0.0001, 1e300],
  u64: [0n, 18446744073709551615n, 3n],
  i64: [-9223372036854775808n, 9223372036854775807n, -5n],
};

const CTORS = {
  u8: Uint8Array,
  i8: Int8Array,
  u16: Uint16Array,
  i16: Int16Array,
  u32: Uint32Array,
  i32: Int32Array,
  f32: Float32Array,
  f64: Float64Array,
  u64: BigUint64Array,
  i64: BigInt64Array,
} as const;

describe('MappedFile.open', () => {
  it.each(ELEMENT_TYPES)('maps %s elements with the values written by a typed array', async (type) => {
    const path = tmp.path(`types-${type}.bin`);
    const Ctor = CTORS[type] as unknown as new (values: unknown[]) => { buffer: ArrayBuffer };
    writeFileSync(path, Buffer.from(new Ctor(SAMPLES[type]).buffer));
    const file = await MappedFile.open(path, { type });
    expect(file.length).toBe(3);
    expect(file.byteLength).toBe(3 * elementSize(type));
    expect([...file.asMappedSlice()]).toEqual(SAMPLES[type]);
    file.close();
  });

  it.each(ELEMENT_TYPES)('reads %s elements across window boundaries like a typed array over the same bytes', async (type) => {
    const path = tmp.path(`windows-${type}.bin`);
    const bytes = Buffer.alloc(3 * 4096);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 131 + 7) & 0xff;
    writeFileSync(path, bytes);
    const Ctor = CTORS[type] as unknown as new (buffer: ArrayBuffer, offset: number, length: number) => ArrayLike<number | bigint>;
    const expected = new Ctor(bytes.buffer, bytes.byteOffset, bytes.length / elementSize(type));
    const file = await MappedFile.open(path, { type, windowBytes: 4096 });
    expect(file.windowCount).toBe(3);
    const slice = file.asMappedSlice();
    const perWindow = 4096 / elementSize(type);
    for (const i of [0, 1, perWindow - 1, perWindow, 2 * perWindow + 3, expected.length - 1]) expect(slice.get(i)).toBe(expected[i]);
    const sub = slice.slice(perWindow - 1, perWindow + 1)!;
    expect([...sub]).toEqual([expected[perWindow - 1], expected[perWindow]]);
    expect(slice.get(expected.length)).toBeUndefined();
    file.close();
  });

  it("writes through to the file in 'readwrite' mode and the typed array is zero-copy", async () => {
    const path = tmp.path('rw.bin');
    writeU32(path, [1, 2, 3, 4]);
    const file = await MappedFile.open(path, { type: 'u32', mode: 'readwrite' });
    const array = file.asSlice();
    expect(array).toBeInstanceOf(Uint32Array);
    array[1] = 20;
    file.asMappedSlice().set(2, 30);
    expect(array[2]).toBe(30);
    await file.sync();
    file.close();
    expect(readU32(path)).toEqual([1, 20, 30, 4]);
  });

  it("keeps writes in memory in 'private' mode", async () => {
    const path = tmp.path('private.bin');
    writeU32(path, [1, 2, 3, 4]);
    const file = await MappedFile.open(path, { type: 'u32', mode: 'private' });
    file.asSlice()[0] = 99;
    file.asMappedSlice().set(1, 98);
    expect(file.asMappedSlice().get(0)).toBe(99);
    await file.sync();
    file.close();
    expect(readU32(path)).toEqual([1, 2, 3, 4]);
  });

  it("offers only a read-only view in 'read' mode", async () => {
    const path = tmp.path('ro.bin');
    writeU32(path, [5, 6]);
    const file = await MappedFile.open(path, { type: 'u32', mode: 'read' });
    const view = file.asSlice();
    expect(view).toBeInstanceOf(MappedSlice);
    expect(ArrayBuffer.isView(view)).toBe(false);
    expect(view.get(1)).toBe(6);
    expect('set' in view && (view as MappedSlice<'u32'>).isWritable).toBe(false);
    expect(() => (view as MappedSlice<'u32'>).set(0, 1)).toThrow(expect.objectContaining({ code: 'MMAP_READ_ONLY' }));
    expect(view.get(0)).toBe(5);
    file.close();
  });

  it('maps a page-aligned offset and a length', async () => {
    const path = tmp.path('offset.bin');
    const values = Array.from({ length: 3 * 1024 }, (_, i) => i);
    writeU32(path, values);
    const file = await MappedFile.open(path, { type: 'u32', offset: 4096, length: 16 });
    expect(file.byteOffset).toBe(4096);
    expect([...file.asMappedSlice()]).toEqual([1024, 1025, 1026, 1027]);
    file.close();
  });

  it('creates and grows a file to `size` and never shrinks it', async () => {
    const created = tmp.path('created.bin');
    const file = await MappedFile.open(created, { type: 'u32', mode: 'readwrite', size: 4096 });
    expect(file.length).toBe(1024);
    expect(file.asMappedSlice().get(1023)).toBe(0);
    file.close();
    const grown = await MappedFile.open(created, { type: 'u32', mode: 'readwrite', size: 8192 });
    expect(grown.length).toBe(2048);
    grown.close();
    const kept = await MappedFile.open(created, { type: 'u8', mode: 'private', size: 10 });
    expect(kept.length).toBe(8192);
    kept.close();
    expect(statSync(created).size).toBe(8192);
  });

  it('maps an empty file to an empty view without calling mmap', async () => {
    const path = tmp.path('empty.bin');
    writeFileSync(path, '');
    const counting = await countingBinding();
    const file = await MappedFile.open(path, { type: 'f64', mode: 'readwrite', loadBinding: counting.load });
    expect(file.length).toBe(0);
    expect(file.windowCount).toBe(0);
    expect(file.asSlice()).toHaveLength(0);
    const slice = file.asMappedSlice();
    expect(slice.isEmpty).toBe(true);
    expect(slice.get(0)).toBeUndefined();
    expect([...slice]).toEqual([]);
    expect(file.incore()).toEqual({ residentPages: 0, totalPages: 0 });
    await file.sync();
    file.close();
    expect(counting.calls).toEqual([]);
    expect(() => slice.get(0)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
  });

  it('reports page residency and accepts every advice', async () => {
    const path = tmp.path('advise.bin');
    writeFileSync(path, Buffer.alloc(3 * 4096, 1));
    const file = await MappedFile.open(path, { type: 'u8', advice: 'sequential' });
    for (const advice of ['normal', 'sequential', 'random', 'willneed', 'dontneed'] as const) file.advise(advice);
    expect(file.asMappedSlice().get(0)).toBe(1);
    const report = file.incore();
    expect(report.totalPages).toBe(3);
    expect(report.residentPages).toBeGreaterThanOrEqual(1);
    expect(() => file.advise('often' as never)).toThrow('Expected `advice` to be one of normal, sequential, random, willneed, dontneed, got "often" (string)');
    file.close();
  });

  it('exposes its range and mode', async () => {
    const path = tmp.path('props.bin');
    writeU32(path, [1, 2]);
    const file = await MappedFile.open(path, { type: 'u32' });
    expect({ path: file.path, mode: file.mode, type: file.type, windowed: file.isWindowed, checked: file.isChecked, fallback: file.isFallback }).toEqual({
      path,
      mode: 'read',
      type: 'u32',
      windowed: false,
      checked: false,
      fallback: false,
    });
    file.close();
  });
});

describe('MappedFile.close', () => {
  it('makes every view, slice and method throw MMAP_CLOSED and is idempotent', async () => {
    const path = tmp.path('close.bin');
    writeU32(path, [1, 2, 3, 4]);
    const file = await MappedFile.open(path, { type: 'u32', mode: 'readwrite' });
    const slice = file.asMappedSlice();
    const sub = slice.slice(1, 3)!;
    const iterator = slice[Symbol.iterator]();
    iterator.next();
    file.close();
    file.close();
    expect(file.closed).toBe(true);
    const closed = expect.objectContaining({ code: 'MMAP_CLOSED', name: 'MappingClosedError' });
    expect(() => slice.get(0)).toThrow(closed);
    expect(() => slice.get(99)).toThrow(closed);
    expect(() => sub.get(0)).toThrow(closed);
    expect(() => slice.set(0, 1)).toThrow(closed);
    expect(() => slice.slice(0, 1)).toThrow(closed);
    expect(() => slice.toTypedArray()).toThrow(closed);
    expect(() => iterator.next()).toThrow(closed);
    expect(() => file.asSlice()).toThrow(closed);
    expect(() => file.asMappedSlice()).toThrow(closed);
    expect(() => file.incore()).toThrow(closed);
    expect(() => file.advise('random')).toThrow(closed);
    expect(() => file.verify()).toThrow(closed);
    await expect(file.sync()).rejects.toMatchObject({ code: 'MMAP_CLOSED' });
  });

  it('revokes a typed array taken from asSlice(): detached on close, so it reads nothing and iterating it throws', async () => {
    const path = tmp.path('escape.bin');
    writeU32(path, [1, 2, 3, 4]);
    const file = await MappedFile.open(path, { type: 'u32', mode: 'readwrite' });
    const array = file.asSlice();
    const slice = file.asMappedSlice();
    array[3] = 40;
    file.close();
    expect(() => slice.get(0)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
    expect(() => file.asSlice()).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
    expect(array.length).toBe(0);
    expect(array[0]).toBeUndefined();
    expect(() => Array.from(array)).toThrow(TypeError);
    array[2] = 30;
    expect(readU32(path)).toEqual([1, 2, 3, 40]);
  });

  it('closes through Symbol.dispose', async () => {
    const path = tmp.path('dispose.bin');
    writeU32(path, [1]);
    let slice: MappedSlice<'u32'> | undefined;
    {
      using file = await MappedFile.open(path, { type: 'u32', mode: 'private' });
      slice = file.asMappedSlice();
      expect(slice.get(0)).toBe(1);
    }
    expect(() => slice.get(0)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
  });

  it('lets an in-flight sync finish before releasing the descriptor', async () => {
    const path = tmp.path('sync-close.bin');
    writeU32(path, [1, 2]);
    const file = await MappedFile.open(path, { type: 'u32', mode: 'readwrite' });
    file.asSlice()[0] = 7;
    const pending = file.sync();
    file.close();
    await expect(pending).resolves.toBeUndefined();
    expect(readFileSync(path).readUInt32LE(0)).toBe(7);
  });
});
