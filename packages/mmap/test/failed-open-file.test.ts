import { existsSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { MappedFile, MappedRecords } from './public.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const code = (c: string) => expect.objectContaining({ code: c });

describe('an open with `size` that fails leaves the file system as it found it', () => {
  it.each([
    ['a range past the addon’s reach (1 TiB)', { type: 'u8', size: 2 ** 40 }, 'MMAP_TOO_LARGE'],
    ['a size no file system grows a file to', { type: 'u8', size: 2 ** 53 - 1 }, 'MMAP_TOO_LARGE'],
    ['a size that is not whole elements', { type: 'u32', size: 4097 }, 'MMAP_ALIGNMENT_MISMATCH'],
    ['an offset past the grown end', { type: 'u8', size: 8192, offset: 2 ** 20 }, 'MMAP_OUT_OF_RANGE'],
    ['a length past the grown end', { type: 'u8', size: 8192, length: 8193 }, 'MMAP_OUT_OF_RANGE'],
  ] as const)('%s: creates no file, and grows no existing one', async (_label, options, expected) => {
    for (const mode of ['readwrite', 'private'] as const) {
      const fresh = tmp.path(`fresh-${mode}-${expected}-${options.size}.bin`);
      await expect(MappedFile.open(fresh, { ...options, mode })).rejects.toThrow(code(expected));
      expect(existsSync(fresh)).toBe(false);
      const existing = tmp.path(`existing-${mode}-${expected}-${options.size}.bin`);
      writeFileSync(existing, Buffer.alloc(4096, 1));
      await expect(MappedFile.open(existing, { ...options, mode })).rejects.toThrow(code(expected));
      expect(statSync(existing).size).toBe(4096);
    }
  });

  it('records: a size that is not whole records creates no file', async () => {
    const path = tmp.path('records.bin');
    await expect(MappedRecords.open(path, { schema: { a: 'u32', b: 'u8' }, packed: true, mode: 'readwrite', size: 4096 })).rejects.toThrow(code('MMAP_ALIGNMENT_MISMATCH'));
    expect(existsSync(path)).toBe(false);
  });

  it('an open that succeeds still creates and grows the file', async () => {
    const path = tmp.path('grown.bin');
    const file = await MappedFile.open(path, { type: 'u32', mode: 'readwrite', size: 8192 });
    expect(file.length).toBe(2048);
    file.close();
    expect(statSync(path).size).toBe(8192);
    const again = await MappedFile.open(path, { type: 'u32', mode: 'readwrite', size: 4096 });
    expect(again.length).toBe(2048);
    again.close();
    expect(statSync(path).size).toBe(8192);
  });
});
