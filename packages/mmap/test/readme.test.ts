import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { MappedFile, MappedRecords, RecordWriter } from './public.js';
import { tempDir } from './helpers.js';

// Keeps the README quick start honest: the body below is the README's code, line for line.
const tmp = tempDir();
const cwd = process.cwd();
beforeAll(() => process.chdir(tmp.dir));
afterAll(() => {
  process.chdir(cwd);
  tmp.cleanup();
});

describe('README quick start', () => {
  it('runs as written', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    {
      const writer = RecordWriter.open('prices.bin', { schema: { id: 'u32', price: 'f64' } });
      writer.append({ id: 1, price: 9.5 });
      writer.close();

      const prices = await MappedRecords.open('prices.bin', { schema: { id: 'u32', price: 'f64' } });
      console.log(prices.get(0)); // { id: 1, price: 9.5 }
      prices.close();

      const counters = await MappedFile.open('counters.u32', { type: 'u32', mode: 'readwrite', size: 4096 });
      const slice = counters.asMappedSlice();
      slice.set(0, (slice.get(0) ?? 0) + 1);
      await counters.sync();
      counters.close();
    }
    expect(log).toHaveBeenCalledWith({ id: 1, price: 9.5 });
    log.mockRestore();
    const again = await MappedFile.open('counters.u32', { type: 'u32' });
    expect(again.asMappedSlice().get(0)).toBe(1);
    again.close();
  });
});
