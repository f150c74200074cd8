import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { computeRecordLayout, MappedFile, MappedRecords, RecordWriter } from './public.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const openDescriptors = (): number => readdirSync('/proc/self/fd').length;

describe('option values past what the platform can hold', () => {
  it('a `bufferRecords` whose buffer one write cannot take is a RangeError naming it, and opens (and creates) nothing', () => {
    const path = tmp.path('huge-buffer.bin');
    const before = openDescriptors();
    expect(() => RecordWriter.open(path, { schema: { a: 'u32' }, bufferRecords: 2 ** 40 })).toThrow(
      new RangeError('Expected `bufferRecords` to be at most 536870911 (4-byte records, one write of at most 2147483647 bytes), got 1099511627776 (number)'),
    );
    // 2 GiB: a buffer Node allocates, but that no single write (and so no flush) could ever write.
    expect(() => RecordWriter.open(path, { schema: { a: 'f64' }, bufferRecords: 2 ** 28 })).toThrow(
      new RangeError('Expected `bufferRecords` to be at most 268435455 (8-byte records, one write of at most 2147483647 bytes), got 268435456 (number)'),
    );
    expect(openDescriptors()).toBe(before);
    expect(existsSync(path)).toBe(false);
  });

  it('a `size` beyond a safe integer is a RangeError naming it, and creates no file', async () => {
    const path = tmp.path('huge-size.bin');
    await expect(MappedFile.open(path, { type: 'u8', mode: 'readwrite', size: 2 ** 53 })).rejects.toThrow(
      new RangeError('Expected `size` to be a positive safe integer, got 9007199254740992 (number)'),
    );
    expect(existsSync(path)).toBe(false);
  });
});

describe('a schema whose getters or Proxy traps throw', () => {
  const throwingGetter = {
    get a(): 'u8' {
      throw new Error('getter boom');
    },
  };
  const throwingKeys = new Proxy(
    {},
    {
      ownKeys() {
        throw new Error('ownKeys boom');
      },
    },
  );

  it('is a TypeError naming `schema` from computeRecordLayout, MappedRecords.open and RecordWriter.open', async () => {
    const path = tmp.path('schema.bin');
    writeFileSync(path, Buffer.alloc(8));
    for (const schema of [throwingGetter, throwingKeys]) {
      expect(() => computeRecordLayout(schema as never)).toThrow(TypeError);
      expect(() => computeRecordLayout(schema as never)).toThrow(/^Expected `schema` to be readable, but reading .* threw: (getter|ownKeys) boom$/);
      await expect(MappedRecords.open(path, { schema: schema as never })).rejects.toThrow(TypeError);
      expect(() => RecordWriter.open(tmp.path('w.bin'), { schema: schema as never })).toThrow(TypeError);
    }
  });
});

describe('a loadBinding result whose getters throw', () => {
  const hostile = () => ({
    get map(): never {
      throw new Error('binding getter boom');
    },
  });

  it('is MMAP_UNAVAILABLE, so fallback: read still reads the file', async () => {
    const path = tmp.path('binding.bin');
    writeFileSync(path, Buffer.from([1, 2, 3]));
    await expect(MappedFile.open(path, { type: 'u8', loadBinding: hostile })).rejects.toMatchObject({ code: 'MMAP_UNAVAILABLE', name: 'MappingUnavailableError' });
    const file = await MappedFile.open(path, { type: 'u8', loadBinding: hostile, fallback: 'read' });
    expect(file.isFallback).toBe(true);
    expect([...file.asMappedSlice()]).toEqual([1, 2, 3]);
    file.close();
  });
});

describe('a path with a NUL byte', () => {
  it('is a TypeError naming `path` (a programmer mistake, not an I/O failure), from every opener', async () => {
    const message = 'Expected `path` to be a file path without NUL bytes, got "a\\u0000b" (string)';
    await expect(MappedFile.open('a\0b', { type: 'u8' })).rejects.toThrow(new TypeError(message));
    await expect(MappedRecords.open('a\0b', { schema: { a: 'u8' } })).rejects.toThrow(new TypeError(message));
    expect(() => RecordWriter.open('a\0b', { schema: { a: 'u8' } })).toThrow(new TypeError(message));
  });
});
