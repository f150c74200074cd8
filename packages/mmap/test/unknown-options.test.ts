import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { MappedFile, MappedRecords, RecordWriter } from './public.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const unknown = (key: string, hint: string): TypeError => new TypeError(`Expected \`options\` to have only known keys, got unknown key \`${key}\`; ${hint}`);

describe('unknown option keys', () => {
  it('MappedFile.open refuses a typo, naming the option it most likely meant, and creates no file', async () => {
    const path = tmp.path('typo.bin');
    await expect(MappedFile.open(path, { type: 'u8', mode: 'readwrite', sise: 10 } as never)).rejects.toThrow(unknown('sise', 'did you mean `size`?'));
    await expect(MappedFile.open(path, { type: 'u8', mode: 'readwrite', size: 10, windowByte: 4096 } as never)).rejects.toThrow(
      unknown('windowByte', 'did you mean `windowBytes`?'),
    );
    expect(existsSync(path)).toBe(false);
  });

  it('MappedRecords.open and RecordWriter.open refuse a typo', async () => {
    const path = tmp.path('records.bin');
    await expect(MappedRecords.open(path, { schema: { a: 'u32' }, mode: 'readwrite', size: 8, pack: true } as never)).rejects.toThrow(
      unknown('pack', 'did you mean `packed`?'),
    );
    expect(() => RecordWriter.open(path, { schema: { a: 'u32' }, bufferRecord: 4 } as never)).toThrow(unknown('bufferRecord', 'did you mean `bufferRecords`?'));
    expect(existsSync(path)).toBe(false);
  });
});
