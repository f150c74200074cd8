import { truncateSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { MemoryMonitor } from '@patinox/monitor';
import { MappedFile } from './public.js';
import { readU32, tempDir, writeU32 } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const truncated = expect.objectContaining({ code: 'MMAP_FILE_TRUNCATED' });

describe('a truncation found by one of several opens sharing a writable mapping', () => {
  it('poisons the other opens too, so none of them reads undefined or drops a write through the revoked mapping', async () => {
    const path = tmp.path('shared.bin');
    writeU32(path, [1, 2, 3, 4]);
    const monitorB = new MemoryMonitor();
    const a = await MappedFile.open(path, { type: 'u32', mode: 'readwrite' });
    const b = await MappedFile.open(path, { type: 'u32', mode: 'readwrite', monitor: monitorB });
    const raw = a.asSlice();
    const slice = b.asMappedSlice();
    expect(slice.get(3)).toBe(4);

    truncateSync(path, 15);
    expect(() => a.verify()).toThrow(truncated);
    expect(raw.length).toBe(0);
    // Grown back: no size check of b's would notice anything now, yet b's mapping was revoked with a's.
    truncateSync(path, 16);

    expect(() => slice.get(0)).toThrow(truncated);
    expect(() => slice.set(0, 9)).toThrow(truncated);
    expect(() => b.asSlice()).toThrow(truncated);
    expect(b.closed).toBe(true);
    expect(monitorB.events('mmap.truncated')).toHaveLength(1);
    // The refused write did not land; truncating to 15 bytes and back only zeroed element 3's high byte, already 0.
    expect(readU32(path)).toEqual([1, 2, 3, 4]);
    a.close();
    b.close();
  });

  it('does not touch opens that share a mapping no one took raw', async () => {
    const path = tmp.path('not-escaped.bin');
    writeU32(path, [5, 6]);
    const a = await MappedFile.open(path, { type: 'u32', mode: 'readwrite' });
    const b = await MappedFile.open(path, { type: 'u32', mode: 'readwrite' });
    truncateSync(path, 7);
    expect(() => a.verify()).toThrow(truncated);
    truncateSync(path, 8);
    expect(b.closed).toBe(false);
    expect(b.asMappedSlice().get(0)).toBe(5);
    b.close();
  });
});

describe('a monitor that closes the file when told of a truncation', () => {
  it('cannot keep the revoked mapping alive: the raw array is detached and the other opens are poisoned', async () => {
    const path = tmp.path('close-on-truncated.bin');
    writeU32(path, [1, 2, 3, 4]);
    const ref: { file?: MappedFile<'u32', 'readwrite'> } = {};
    const monitor = {
      record(event: { type: string }) {
        if (event.type === 'mmap.truncated') ref.file?.close();
      },
    };
    const a = await MappedFile.open(path, { type: 'u32', mode: 'readwrite', monitor });
    ref.file = a;
    const b = await MappedFile.open(path, { type: 'u32', mode: 'readwrite' });
    const raw = a.asSlice();
    truncateSync(path, 15);
    expect(() => a.verify()).toThrow(truncated);
    expect(raw.length).toBe(0);
    expect(() => b.asMappedSlice().get(0)).toThrow(truncated);
    b.close();
  });
});

describe('close() after a detected truncation', () => {
  it('still reports mmap.closed once, and views keep throwing MMAP_FILE_TRUNCATED', async () => {
    const path = tmp.path('closed-event.bin');
    writeU32(path, [1, 2]);
    const monitor = new MemoryMonitor();
    const file = await MappedFile.open(path, { type: 'u32', monitor });
    const slice = file.asMappedSlice();
    truncateSync(path, 4);
    expect(() => file.verify()).toThrow(truncated);
    file.close();
    file.close();
    expect(monitor.events('mmap.closed')).toHaveLength(1);
    expect(() => slice.get(0)).toThrow(truncated);
  });
});
