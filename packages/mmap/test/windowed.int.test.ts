import { closeSync, openSync, readSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MappedFile, MappedRecords, RecordWriter } from './public.js';
import { countingBinding, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const GiB = 2 ** 30;

function writeAt(path: string, position: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, position);
  } finally {
    closeSync(fd);
  }
}

function readAt(path: string, position: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const out = Buffer.alloc(length);
    readSync(fd, out, 0, length, position);
    return out;
  } finally {
    closeSync(fd);
  }
}

describe('windowed mapping', () => {
  it('maps windows lazily and reads, writes and slices across window boundaries', async () => {
    const path = tmp.path('win.bin');
    const values = Uint32Array.from({ length: 4 * 1024 + 10 }, (_, i) => i * 3);
    writeFileSync(path, Buffer.from(values.buffer));
    const counting = await countingBinding();
    const file = await MappedFile.open(path, { type: 'u32', mode: 'readwrite', windowBytes: 4096, loadBinding: counting.load });
    expect(file.isWindowed).toBe(true);
    expect(file.windowCount).toBe(5);
    expect(file.isChecked).toBe(true);
    expect(counting.calls).toHaveLength(0);
    const slice = file.asMappedSlice();
    expect(slice.get(1023)).toBe(1023 * 3);
    expect(slice.get(1024)).toBe(1024 * 3);
    expect(counting.calls).toHaveLength(2);
    expect(slice.get(values.length - 1)).toBe((values.length - 1) * 3);
    expect(slice.get(values.length)).toBeUndefined();
    slice.set(2047, 1);
    slice.set(2048, 2);
    const across = slice.slice(2046, 2050)!;
    expect([...across]).toEqual([2046 * 3, 1, 2, 2049 * 3]);
    expect(Array.from(across.toTypedArray())).toEqual([2046 * 3, 1, 2, 2049 * 3]);
    expect(() => file.asSlice()).toThrow(expect.objectContaining({ code: 'MMAP_TOO_LARGE' }));
    file.advise('sequential');
    expect(file.incore().totalPages).toBe(counting.calls.length);
    await file.sync();
    file.close();
    expect(() => slice.get(0)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
    expect(() => across.get(0)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
    expect(readAt(path, 2047 * 4, 8)).toEqual(Buffer.from(new Uint32Array([1, 2]).buffer));
  });

  it('matches an array model across windows, with slices interleaving windows (property)', async () => {
    const path = tmp.path('win-prop.bin');
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 9000 }),
        fc.array(fc.tuple(fc.integer({ min: -10, max: 9100 }), fc.integer({ min: 0, max: 9100 }), fc.integer({ min: 0, max: 0xffff })), { maxLength: 80 }),
        async (length, ops) => {
          const model = Array.from({ length }, (_, i) => (i * 7919) & 0xffff);
          writeFileSync(path, Buffer.from(new Uint16Array(model).buffer));
          const file = await MappedFile.open(path, { type: 'u16', mode: 'readwrite', windowBytes: 4096 });
          const all = file.asMappedSlice();
          for (const [a, b, v] of ops) {
            const sub = all.slice(Math.min(a, b), Math.max(a, b));
            expect(all.get(a)).toBe(model[a]);
            if (sub !== undefined) {
              const lo = Math.min(a, b);
              expect(sub.get(b - lo)).toBe(b - lo < sub.length ? model[b] : undefined);
              if (sub.length > 0) {
                sub.set(sub.length - 1, v);
                model[Math.max(a, b) - 1] = v;
              }
            }
            expect(all.get(b)).toBe(model[b]);
          }
          expect(Array.from(all.toTypedArray())).toEqual(model);
          file.close();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads records that straddle window boundaries', async () => {
    const path = tmp.path('records-win.bin');
    const schema = { id: 'u32', value: 'f64' } as const;
    const writer = RecordWriter.open(path, { schema, packed: true });
    for (let i = 0; i < 1000; i += 1) writer.append({ id: i, value: i / 4 });
    writer.close();
    const records = await MappedRecords.open(path, { schema, packed: true, windowBytes: 4096, mode: 'readwrite' });
    expect(records.isWindowed).toBe(true);
    for (let i = 0; i < 1000; i += 1) {
      const row = records.get(i)!;
      expect(row.id).toBe(i);
      expect(row.value).toBe(i / 4);
    }
    const straddling = Math.floor(4096 / 12);
    records.view(straddling)!.value = -1;
    expect(records.get(straddling)!.value).toBe(-1);
    records.close();
  });

  it('maps a 3 GiB sparse file through 32-bit addon offsets and reaches its last byte', async () => {
    const path = tmp.path('sparse-3g.bin');
    writeFileSync(path, '');
    truncateSync(path, 3 * GiB);
    const marks = [0, GiB - 1, GiB, 2 * GiB - 1, 2 * GiB, 2 * GiB + 4096 + 7, 3 * GiB - 1];
    marks.forEach((position, i) => writeAt(path, position, Buffer.from([i + 1])));
    const counting = await countingBinding();
    const file = await MappedFile.open(path, { type: 'u8', loadBinding: counting.load });
    expect(file.isWindowed).toBe(true);
    expect(file.windowCount).toBe(96);
    expect(file.isChecked).toBe(true);
    const slice = file.asMappedSlice();
    expect(slice.length).toBe(3 * GiB);
    marks.forEach((position, i) => expect(slice.get(position)).toBe(i + 1));
    expect(slice.get(2 * GiB + 1)).toBe(0);
    expect(slice.get(3 * GiB)).toBeUndefined();
    const tail = slice.slice(3 * GiB - 4, 3 * GiB)!;
    expect(Array.from(tail.toTypedArray())).toEqual([0, 0, 0, marks.length]);
    file.close();

    const large = await MappedFile.open(path, { type: 'u8', windowBytes: GiB, loadBinding: counting.load });
    expect(large.windowCount).toBe(3);
    const bigSlice = large.asMappedSlice();
    marks.forEach((position, i) => expect(bigSlice.get(position)).toBe(i + 1));
    for (const call of counting.calls) {
      const [size, , , , offset] = call as number[];
      expect(offset).toBeLessThan(2 ** 31);
      expect(size).toBeLessThan(2 ** 31);
    }
    large.close();

    const wide = await MappedFile.open(path, { type: 'u64', mode: 'readwrite' });
    const words = wide.asMappedSlice();
    const last = words.length - 1;
    words.set(last, 0x0102030405060708n);
    expect(words.get(last)).toBe(0x0102030405060708n);
    await wide.sync();
    wide.close();
    expect(readAt(path, 3 * GiB - 8, 8).readBigUInt64LE(0)).toBe(0x0102030405060708n);
  });

  it('refuses ranges the addon cannot address instead of wrapping the offset', async () => {
    const path = tmp.path('sparse-5g.bin');
    writeFileSync(path, '');
    truncateSync(path, 5 * GiB);
    await expect(MappedFile.open(path, { type: 'u8' })).rejects.toMatchObject({ code: 'MMAP_TOO_LARGE' });
    await expect(MappedFile.open(path, { type: 'u8', offset: 4 * GiB, length: 4096 })).rejects.toMatchObject({ code: 'MMAP_TOO_LARGE' });
    await expect(MappedFile.open(path, { type: 'u8', offset: 2 * GiB, length: 4096 })).rejects.toMatchObject({ code: 'MMAP_TOO_LARGE' });
    const low = await MappedFile.open(path, { type: 'u8', offset: 2 * GiB - 4096, length: 4096 });
    expect(low.asMappedSlice().get(0)).toBe(0);
    low.close();
  });
});

describe("windowed get of a window that is not mapped yet ('read' mode)", () => {
  // One case per windowed get literal: 8-bit, wide (f64) and 64-bit elements, each on a range that stays windowed
  // (explicit windowBytes) and on a promotable one (default options, before it is promoted).
  const ELEMENTS = [
    { type: 'u8', bytes: 1, value: (k: number): number | bigint => 10 + k, write: (b: Buffer, v: number | bigint) => b.writeUInt8(v as number) },
    { type: 'f64', bytes: 8, value: (k: number): number | bigint => k + 0.5, write: (b: Buffer, v: number | bigint) => b.writeDoubleLE(v as number) },
    { type: 'u64', bytes: 8, value: (k: number): number | bigint => 2n ** 63n + BigInt(k), write: (b: Buffer, v: number | bigint) => b.writeBigUInt64LE(v as bigint) },
  ] as const;

  for (const element of ELEMENTS) {
    for (const promotable of [false, true]) {
      it(`${element.type}, ${promotable ? 'promotable' : 'explicit windowBytes'}: maps exactly the window a slice index lands in, returns its element, and throws MMAP_CLOSED without mapping after close`, async () => {
        const windowBytes = promotable ? 32 * 2 ** 20 : 65536;
        const path = tmp.path(`unmapped-${element.type}-${promotable}.bin`);
        writeFileSync(path, '');
        truncateSync(path, 2 * windowBytes + windowBytes / 2);
        const perWindow = windowBytes / element.bytes;
        // An element a little way into each of the three windows.
        const marks = [0, 1, 2].map((k) => k * perWindow + 3);
        marks.forEach((index, k) => {
          const bytes = Buffer.alloc(element.bytes);
          element.write(bytes, element.value(k));
          writeAt(path, index * element.bytes, bytes);
        });
        const counting = await countingBinding();
        const file = await MappedFile.open(path, { type: element.type, loadBinding: counting.load, ...(promotable ? {} : { windowBytes }) });
        expect(file.isWindowed).toBe(true);
        const slice = file.asMappedSlice() as { get(i: number): number | bigint | undefined; slice(s: number): { get(i: number): number | bigint | undefined } | undefined };
        // Starts two elements before window 1, so the window comes from start + index, not from the index alone.
        const start = perWindow - 2;
        const sub = slice.slice(start)!;
        const mappedOffsets = () => counting.calls.map((call) => call[4]);
        expect(mappedOffsets()).toEqual([]);
        expect(sub.get(marks[2]! - start)).toBe(element.value(2));
        expect(mappedOffsets()).toEqual([2 * windowBytes]);
        expect(sub.get(marks[1]! - start)).toBe(element.value(1));
        expect(sub.get(marks[1]! - start - 1)).toBe(element.type === 'u64' ? 0n : 0);
        expect(mappedOffsets()).toEqual([2 * windowBytes, windowBytes]);
        expect(file.isPromoted).toBe(false);
        file.close();
        expect(() => slice.get(marks[0]!)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
        expect(() => sub.get(marks[1]! - start)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
        expect(mappedOffsets()).toEqual([2 * windowBytes, windowBytes]);
      });
    }
  }
});
