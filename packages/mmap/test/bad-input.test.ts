import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { describeValue } from '@patinox/errors';
import { elementSize, MappedFile, MappedRecords, RecordWriter } from './public.js';
import { tempDir, writeU32 } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const code = (c: string) => expect.objectContaining({ code: c });

describe('bad input: the process survives and gets a coded error', () => {
  it('missing file → MMAP_IO_ERROR with errno ENOENT', async () => {
    await expect(MappedFile.open(tmp.path('nope.bin'), { type: 'u8' })).rejects.toMatchObject({
      code: 'MMAP_IO_ERROR',
      name: 'MappingIoError',
      context: expect.objectContaining({ errno: 'ENOENT' }),
    });
  });

  it('directory → MMAP_IO_ERROR with errno EISDIR, in every mode', async () => {
    const dir = tmp.path('a-dir');
    mkdirSync(dir);
    await expect(MappedFile.open(dir, { type: 'u8' })).rejects.toMatchObject({ code: 'MMAP_IO_ERROR', context: expect.objectContaining({ errno: 'EISDIR' }) });
    await expect(MappedFile.open(dir, { type: 'u8', mode: 'readwrite' })).rejects.toMatchObject({ code: 'MMAP_IO_ERROR', context: expect.objectContaining({ errno: 'EISDIR' }) });
  });

  it('a device or other non-regular file → MMAP_IO_ERROR', async () => {
    await expect(MappedFile.open('/dev/null', { type: 'u8' })).rejects.toMatchObject({ code: 'MMAP_IO_ERROR', context: expect.objectContaining({ errno: 'ENOTREG' }) });
  });

  it('a FIFO → MMAP_IO_ERROR at once instead of waiting for a writer', async () => {
    const fifo = tmp.path('a-fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(MappedFile.open(fifo, { type: 'u8' })).rejects.toMatchObject({ code: 'MMAP_IO_ERROR', context: expect.objectContaining({ errno: 'ENOTREG' }) });
    expect(() => RecordWriter.open(fifo, { schema: { a: 'u8' } })).toThrow(expect.objectContaining({ code: 'MMAP_IO_ERROR' }));
    expect(() => RecordWriter.open('/dev/null', { schema: { a: 'u8' } })).toThrow(expect.objectContaining({ code: 'MMAP_IO_ERROR', context: expect.objectContaining({ errno: 'ENOTREG' }) }));
  });

  it("readwrite on a file without write permission → MMAP_IO_ERROR (EACCES unless root)", async () => {
    const path = tmp.path('readonly.bin');
    writeU32(path, [1]);
    chmodSync(path, 0o444);
    const isRoot = process.getuid?.() === 0;
    if (isRoot) {
      const file = await MappedFile.open(path, { type: 'u32', mode: 'readwrite' });
      file.close();
    } else {
      await expect(MappedFile.open(path, { type: 'u32', mode: 'readwrite' })).rejects.toMatchObject({ code: 'MMAP_IO_ERROR', context: expect.objectContaining({ errno: 'EACCES' }) });
    }
  });

  it('empty file → empty view, no error', async () => {
    const path = tmp.path('empty.bin');
    writeFileSync(path, '');
    const file = await MappedFile.open(path, { type: 'u32' });
    expect(file.asMappedSlice().length).toBe(0);
    file.close();
  });

  it('file shorter than offset + length → MMAP_OUT_OF_RANGE', async () => {
    const path = tmp.path('short.bin');
    writeFileSync(path, Buffer.alloc(4096 + 16));
    await expect(MappedFile.open(path, { type: 'u8', offset: 4096, length: 17 })).rejects.toMatchObject({
      code: 'MMAP_OUT_OF_RANGE',
      context: expect.objectContaining({ offset: 4096, length: 17, fileSize: 4112 }),
    });
    await expect(MappedFile.open(path, { type: 'u8', offset: 8192 })).rejects.toMatchObject({ code: 'MMAP_OUT_OF_RANGE' });
    await expect(MappedFile.open(path, { type: 'u8', length: 1_000_000 })).rejects.toMatchObject({ code: 'MMAP_OUT_OF_RANGE' });
  });

  it('unaligned offset → MMAP_ADDRESS_ALIGNMENT', async () => {
    const path = tmp.path('unaligned.bin');
    writeFileSync(path, Buffer.alloc(8192));
    await expect(MappedFile.open(path, { type: 'u8', offset: 100 })).rejects.toMatchObject({ code: 'MMAP_ADDRESS_ALIGNMENT', name: 'MappingAddressAlignmentError' });
  });

  it('length not a multiple of the element size → MMAP_ALIGNMENT_MISMATCH', async () => {
    const path = tmp.path('odd.bin');
    writeFileSync(path, Buffer.alloc(10));
    await expect(MappedFile.open(path, { type: 'u32' })).rejects.toMatchObject({ code: 'MMAP_ALIGNMENT_MISMATCH', context: expect.objectContaining({ byteLength: 10, unitBytes: 4 }) });
    await expect(MappedFile.open(path, { type: 'f64', length: 4 })).rejects.toMatchObject({ code: 'MMAP_ALIGNMENT_MISMATCH' });
    await expect(MappedRecords.open(path, { schema: { a: 'u32', b: 'u16' } })).rejects.toMatchObject({ code: 'MMAP_ALIGNMENT_MISMATCH' });
  });

  it('write through a read-only file → MMAP_READ_ONLY, the mapping is untouched', async () => {
    const path = tmp.path('ro.bin');
    writeU32(path, [1, 2]);
    const file = await MappedFile.open(path, { type: 'u32' });
    const slice = file.asMappedSlice() as unknown as { set(i: number, v: number): void; get(i: number): number };
    const readOnly = expect.objectContaining({ code: 'MMAP_READ_ONLY', context: { path } });
    expect(() => slice.set(0, 9)).toThrow(readOnly);
    expect(slice.get(0)).toBe(1);
    const records = await MappedRecords.open(path, { schema: { a: 'u32' } });
    const row = records.view(0) as unknown as { a: number };
    expect(() => {
      row.a = 5;
    }).toThrow(readOnly);
    expect(row.a).toBe(1);
    file.close();
    records.close();
  });

  it('access after close → MMAP_CLOSED', async () => {
    const path = tmp.path('closed.bin');
    writeU32(path, [1]);
    const file = await MappedFile.open(path, { type: 'u32', mode: 'readwrite' });
    const slice = file.asMappedSlice();
    file.close();
    expect(() => slice.get(0)).toThrow(code('MMAP_CLOSED'));
    expect(() => slice.set(0, 1)).toThrow(code('MMAP_CLOSED'));
  });

  it('access far out of bounds → undefined for get/slice, RangeError for set', async () => {
    const path = tmp.path('bounds.bin');
    writeU32(path, [1, 2, 3]);
    const file = await MappedFile.open(path, { type: 'u32', mode: 'readwrite' });
    const slice = file.asMappedSlice();
    for (const index of [3, 1e9, 2 ** 32, 2 ** 53, Number.MAX_VALUE, Infinity, -1, -1e9, 0.5, NaN]) {
      expect(slice.get(index)).toBeUndefined();
      expect(() => slice.set(index, 1)).toThrow(RangeError);
    }
    expect(slice.get('1' as unknown as number)).toBeUndefined();
    expect(slice.slice(0, 1e12)).toBeUndefined();
    expect(slice.slice(-1, 2)).toBeUndefined();
    expect(slice.slice(2, 1)).toBeUndefined();
    expect(() => slice.slice(0.5, 1)).toThrow(TypeError);
    expect(() => slice.set(0, 1n as unknown as number)).toThrow('Expected `value` to be a number for u32, got 1 (bigint)');
    expect([...slice]).toEqual([1, 2, 3]);
    file.close();
  });

  it('a sub-slice reads only its own elements, whatever the index; property names never reach the typed array', async () => {
    const path = tmp.path('sub-bounds.bin');
    writeU32(path, [10, 11, 12, 13, 14, 15]);
    for (const mode of ['read', 'readwrite', 'private'] as const) {
      const file = await MappedFile.open(path, { type: 'u32', mode });
      const sub = file.asMappedSlice().slice(2, 4)!;
      expect([sub.get(0), sub.get(1)]).toEqual([12, 13]);
      for (const index of [-1, -2, 2, 3, 0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 32, -0.5]) expect(sub.get(index)).toBeUndefined();
      expect(sub.get(-0)).toBe(12);
      for (const key of ['0', 'length', 'buffer', 'byteOffset', 'constructor', '__proto__', Symbol.iterator, 1n, null, undefined, {}]) {
        expect(sub.get(key as number)).toBeUndefined();
        expect(file.asMappedSlice().get(key as number)).toBeUndefined();
        if (mode !== 'read') expect(() => (sub as unknown as { set(i: number, v: number): void }).set(key as number, 1)).toThrow(RangeError);
      }
      expect(sub.slice(1, 2)!.get(0)).toBe(13);
      expect(sub.slice(1, 2)!.get(-1)).toBeUndefined();
      file.close();
      expect(() => sub.get(0)).toThrow(code('MMAP_CLOSED'));
      expect(() => sub.get(-1)).toThrow(code('MMAP_CLOSED'));
    }
  });

  it('invalid options → TypeError/RangeError with the house message', async () => {
    const path = tmp.path('opts.bin');
    writeU32(path, [1]);
    await expect(MappedFile.open(path, { type: 'u128' as never })).rejects.toThrow('Expected `type` to be one of u8, i8, u16, i16, u32, i32, f32, f64, u64, i64, got "u128" (string)');
    await expect(MappedFile.open(path, { type: 'u8', mode: 'rw' as never })).rejects.toThrow('Expected `mode` to be one of read, readwrite, private, got "rw" (string)');
    await expect(MappedFile.open(path, { type: 'u8', offset: -1 })).rejects.toThrow('Expected `offset` to be a non-negative integer, got -1 (number)');
    await expect(MappedFile.open(path, { type: 'u8', length: 1.5 })).rejects.toThrow(RangeError);
    await expect(MappedFile.open(path, { type: 'u8', size: 10 })).rejects.toThrow("Expected `size` to be used with mode 'readwrite' or 'private', got mode 'read'");
    await expect(MappedFile.open(path, { type: 'u8', mode: 'readwrite', fallback: 'read' })).rejects.toThrow(TypeError);
    await expect(MappedFile.open(path, { type: 'u8', windowBytes: 1000 })).rejects.toThrow(RangeError);
    await expect(MappedFile.open(path, { type: 'u8', windowBytes: 3 * 4096 })).rejects.toThrow('Expected `windowBytes` to be a power of two from the page size (4096) to 1073741824, got 12288 (number)');
    await expect(MappedFile.open(path, { type: 'u8', windowBytes: 2 ** 31 })).rejects.toThrow(RangeError);
    await expect(MappedFile.open(path, { type: 'u8', checked: 'yes' as never })).rejects.toThrow('Expected `checked` to be a boolean, got "yes" (string)');
    await expect(MappedFile.open(path, { type: 'u8', monitor: {} as never })).rejects.toThrow(TypeError);
    await expect(MappedFile.open(path, { type: 'u8', monitor: null as never })).rejects.toThrow('Expected `monitor` to be a Monitor (an object with a record method), got null');
    await expect(MappedFile.open(path, { type: 'u8', name: 5 as never })).rejects.toThrow('Expected `name` to be a non-empty string, got 5 (number)');
    await expect(MappedFile.open(path, { type: 'u8', name: '' })).rejects.toThrow(TypeError);
    expect(() => RecordWriter.open(tmp.path('w.bin'), { schema: { a: 'u8' }, monitor: 1 as never })).toThrow('Expected `monitor` to be a Monitor');
    expect(() => RecordWriter.open(tmp.path('w.bin'), { schema: { a: 'u8' }, name: '' })).toThrow('Expected `name` to be a non-empty string');
    await expect(MappedFile.open(path, { type: 'u8', loadBinding: 'x' as never })).rejects.toThrow('Expected `loadBinding` to be a function, got "x" (string)');
    await expect(MappedFile.open('', { type: 'u8' })).rejects.toThrow('Expected `path` to be a non-empty string, got "" (string)');
    await expect(MappedFile.open(path, null as never)).rejects.toThrow('Expected `options` to be an object, got null');
    await expect(MappedRecords.open(path, null as never)).rejects.toThrow('Expected `options` to be an object, got null');
  });

  it('constructors are not public', async () => {
    const { MappedSlice } = await import('./public.js');
    expect(() => new (MappedSlice as unknown as new (...a: unknown[]) => unknown)(Symbol('x'))).toThrow(TypeError);
    expect(() => new (MappedFile as unknown as new (...a: unknown[]) => unknown)(Symbol('x'))).toThrow(TypeError);
    expect(() => new (MappedRecords as unknown as new (...a: unknown[]) => unknown)(Symbol('x'))).toThrow(TypeError);
  });
});

describe('elementSize', () => {
  it('is a TypeError naming `type` for anything but an element type, including inherited property names', () => {
    expect(elementSize('u64')).toBe(8);
    for (const bad of ['u128', 'toString', '__proto__', 'constructor', undefined, 4]) {
      expect(() => elementSize(bad as never)).toThrow(new TypeError(`Expected \`type\` to be one of u8, i8, u16, i16, u32, i32, f32, f64, u64, i64, got ${describeValue(bad)}`));
    }
  });
});
