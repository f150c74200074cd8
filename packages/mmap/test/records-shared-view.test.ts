import { afterAll, describe, expect, it } from '@jest/globals';
import { MappedRecords, RecordWriter } from './public.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('the shared view of MappedRecords', () => {
  it('is moved only by view(): get() and iteration, which return copies, leave it where it was', async () => {
    const path = tmp.path('ids.bin');
    const writer = RecordWriter.open(path, { schema: { id: 'u32' } });
    for (let i = 0; i < 5; i += 1) writer.append({ id: i * 10 });
    writer.close();
    const records = await MappedRecords.open(path, { schema: { id: 'u32' } });
    const shared = records.view(1)!;
    expect(records.get(3)).toEqual({ id: 30 });
    expect([...records].map((r) => r.id)).toEqual([0, 10, 20, 30, 40]);
    expect(shared.index).toBe(1);
    expect(shared.id).toBe(10);
    // The pattern this protects: a plain read of another record inside a loop over the shared view.
    const pairs = Array.from(records.views(), (view) => [records.get(Math.max(0, view.index - 1))!.id, view.id]);
    expect(pairs).toEqual([
      [0, 0],
      [0, 10],
      [10, 20],
      [20, 30],
      [30, 40],
    ]);
    records.close();
  });
});
