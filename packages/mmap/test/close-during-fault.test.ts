import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { Monitor, MonitorEvent } from '@patinox/monitor';
import { MappedFile, MappedRecords } from './public.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A monitor that runs `onWindow` when a window is mapped, as a service closing files from its monitor would. */
function closingMonitor(onWindow: () => void): Monitor {
  return {
    record(event: MonitorEvent) {
      if (event.type === 'mmap.window.mapped') onWindow();
    },
  };
}

describe('close() from a monitor while a window is being mapped', () => {
  it.each(['read', 'readwrite'] as const)("%s: the access that faulted and every later one throw MMAP_CLOSED, never reading the window", async (mode) => {
    const path = tmp.path(`slice-${mode}.bin`);
    writeFileSync(path, Buffer.alloc(3 * 4096, 7));
    const ref: { file?: MappedFile<'u8'> } = {};
    const file = await MappedFile.open(path, { type: 'u8', mode, windowBytes: 4096, monitor: closingMonitor(() => ref.file?.close()) });
    ref.file = file;
    const slice = file.asMappedSlice();
    expect(() => slice.get(0)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
    expect(file.closed).toBe(true);
    expect(() => slice.get(1)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
    expect(() => slice.toTypedArray()).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
    expect(file.collectMetrics().find((m) => m.name === 'patinox_mmap_mapped_bytes')).toMatchObject({ value: 0 });
  });

  it('records: the read that faulted and every later one throw MMAP_CLOSED', async () => {
    const path = tmp.path('records.bin');
    writeFileSync(path, Buffer.alloc(3 * 4096, 7));
    const ref: { records?: MappedRecords<{ a: 'u32' }> } = {};
    const records = await MappedRecords.open(path, { schema: { a: 'u32' }, windowBytes: 4096, monitor: closingMonitor(() => ref.records?.close()) });
    ref.records = records;
    expect(() => records.get(0)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
    expect(records.closed).toBe(true);
    expect(() => records.get(1)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
  });
});
