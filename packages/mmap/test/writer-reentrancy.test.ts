import { afterAll, describe, expect, it } from '@jest/globals';
import { MappedRecords, RecordWriter } from './public.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const schema = { a: 'u32', b: 'u32' } as const;

describe('RecordWriter.append with a record whose getters use the writer', () => {
  it('refuses an append made from a getter of the record being appended, and writes every accepted record as given', async () => {
    const path = tmp.path('reentrant.bin');
    const writer = RecordWriter.open(path, { schema });
    let inner: unknown;
    const outer = {
      a: 1,
      get b(): number {
        try {
          writer.append({ a: 100, b: 200 });
        } catch (err) {
          inner = err;
        }
        return 2;
      },
    };
    expect(writer.append(outer)).toBe(0);
    expect(inner).toBeInstanceOf(TypeError);
    expect((inner as Error).message).toMatch(/`record`.*append\(\)/);
    expect(writer.append({ a: 3, b: 4 })).toBe(1);
    writer.close();
    const records = await MappedRecords.open(path, { schema });
    expect([...records]).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: 4 },
    ]);
    records.close();
  });

  it('a getter that closes the writer fails that append with MMAP_CLOSED instead of acknowledging a record that is never written', async () => {
    const path = tmp.path('closing.bin');
    const writer = RecordWriter.open(path, { schema });
    writer.append({ a: 1, b: 1 });
    const closing = {
      a: 2,
      get b(): number {
        writer.close();
        return 2;
      },
    };
    expect(() => writer.append(closing)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
    expect(writer.length).toBe(1);
    const records = await MappedRecords.open(path, { schema });
    expect([...records]).toEqual([{ a: 1, b: 1 }]);
    records.close();
  });
});
