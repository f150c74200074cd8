import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { MappedFile, MappedRecords } from './public.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("advise('dontneed') on a 'private' mapping", () => {
  it('is a TypeError, and the copy-on-write writes stay (madvise would have thrown them away)', async () => {
    const path = tmp.path('private.bin');
    writeFileSync(path, Buffer.alloc(2 * 4096, 1));
    const file = await MappedFile.open(path, { type: 'u8', mode: 'private' });
    const slice = file.asMappedSlice();
    slice.set(0, 42);
    expect(() => file.advise('dontneed')).toThrow(
      new TypeError("Expected `advice` other than 'dontneed' on a 'private' mapping (it discards the mapping's own writes), got \"dontneed\" (string)"),
    );
    expect(slice.get(0)).toBe(42);
    for (const advice of ['normal', 'sequential', 'random', 'willneed'] as const) file.advise(advice);
    expect(slice.get(0)).toBe(42);
    file.close();
  });

  it('is refused for private records too, and stays allowed on shared mappings, whose writes it keeps', async () => {
    const path = tmp.path('shared.bin');
    writeFileSync(path, Buffer.alloc(4096, 1));
    const records = await MappedRecords.open(path, { schema: { a: 'u32' }, mode: 'private' });
    records.view(0)!.a = 7;
    expect(() => records.advise('dontneed')).toThrow(TypeError);
    expect(records.get(0)).toEqual({ a: 7 });
    records.close();

    const file = await MappedFile.open(path, { type: 'u8', mode: 'readwrite' });
    file.asMappedSlice().set(0, 9);
    file.advise('dontneed');
    expect(file.asMappedSlice().get(0)).toBe(9);
    file.close();
  });
});
