import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { MemoryMonitor } from '@patinox/monitor';
import { MappedFile, MappedRecords, MappedSlice } from './public.js';
import { tempDir, writeU32 } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const failingLoader = (): never => {
  throw new Error("Cannot find module '@riaskov/mmap-io'");
};

describe('MMAP_UNAVAILABLE', () => {
  it('fails with a message that says why when the addon cannot load', async () => {
    const path = tmp.path('a.bin');
    writeU32(path, [1, 2]);
    const error = await MappedFile.open(path, { type: 'u32', loadBinding: failingLoader }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MMAP_UNAVAILABLE', name: 'MappingUnavailableError', recovery: 'fallback' });
    expect((error as Error).message).toContain("Cannot find module '@riaskov/mmap-io'");
    expect((error as Error).message).toContain("{ fallback: 'read' }");
    await expect(MappedFile.open(path, { type: 'u32', loadBinding: () => Promise.reject(new Error('dlopen failed')) })).rejects.toMatchObject({
      code: 'MMAP_UNAVAILABLE',
      message: expect.stringContaining('dlopen failed') as unknown,
    });
  });

  it('fails when the loaded module is not the addon', async () => {
    const path = tmp.path('b.bin');
    writeU32(path, [1]);
    await expect(MappedFile.open(path, { type: 'u32', loadBinding: () => ({ default: { nope: true } }) })).rejects.toMatchObject({ code: 'MMAP_UNAVAILABLE' });
    await expect(MappedFile.open(path, { type: 'u32', loadBinding: () => 42 })).rejects.toMatchObject({ code: 'MMAP_UNAVAILABLE' });
  });

  it("accepts the addon as a namespace, its default, or a CJS default-of-default", async () => {
    const path = tmp.path('c.bin');
    writeU32(path, [3]);
    const mod = (await import('@riaskov/mmap-io')) as unknown as { default: unknown };
    for (const shape of [mod, mod.default, { default: { default: mod.default } }]) {
      const file = await MappedFile.open(path, { type: 'u32', loadBinding: () => shape });
      expect(file.asMappedSlice().get(0)).toBe(3);
      file.close();
    }
  });
});

describe("fallback: 'read'", () => {
  it('reads the range into memory behind the same read-only API', async () => {
    const path = tmp.path('fb.bin');
    writeU32(path, [10, 20, 30, 40]);
    const monitor = new MemoryMonitor();
    const file = await MappedFile.open(path, { type: 'u32', fallback: 'read', loadBinding: failingLoader, monitor });
    expect(file.isFallback).toBe(true);
    const view = file.asSlice();
    expect(view).toBeInstanceOf(MappedSlice);
    expect([...view]).toEqual([10, 20, 30, 40]);
    expect(() => (view as MappedSlice<'u32'>).set(0, 1)).toThrow(expect.objectContaining({ code: 'MMAP_READ_ONLY' }));
    expect(file.incore()).toEqual({ residentPages: 1, totalPages: 1 });
    file.advise('willneed');
    await file.sync();
    expect(monitor.events('mmap.fallback')[0]?.data).toMatchObject({ reason: expect.stringContaining('could not be loaded') as unknown });
    file.close();
    expect(() => view.get(0)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
  });

  it('reads windows lazily and detects a file that shrank', async () => {
    const path = tmp.path('fb-windows.bin');
    writeFileSync(path, Buffer.alloc(4 * 4096, 7));
    const file = await MappedFile.open(path, { type: 'u8', fallback: 'read', loadBinding: failingLoader, windowBytes: 4096 });
    expect(file.isWindowed).toBe(true);
    expect(file.isChecked).toBe(true);
    expect(file.asMappedSlice().get(5000)).toBe(7);
    writeFileSync(path, Buffer.alloc(4096));
    expect(() => file.asMappedSlice().get(3 * 4096)).toThrow(expect.objectContaining({ code: 'MMAP_FILE_TRUNCATED' }));
    file.close();
  });

  it('raises MMAP_FILE_TRUNCATED when an unchecked fallback read comes up short', async () => {
    const path = tmp.path('fb-short.bin');
    writeFileSync(path, Buffer.alloc(2 * 4096, 1));
    const file = await MappedFile.open(path, { type: 'u8', fallback: 'read', loadBinding: failingLoader, windowBytes: 4096, checked: false });
    writeFileSync(path, Buffer.alloc(4096));
    expect(() => file.asMappedSlice().get(4096)).toThrow(expect.objectContaining({ code: 'MMAP_FILE_TRUNCATED' }));
    expect(() => file.asMappedSlice()).toThrow(expect.objectContaining({ code: 'MMAP_FILE_TRUNCATED' }));
  });

  it('works for records too', async () => {
    const path = tmp.path('fb-records.bin');
    writeU32(path, [1, 2]);
    const records = await MappedRecords.open(path, { schema: { a: 'u32' }, fallback: 'read', loadBinding: failingLoader });
    expect(records.get(1)?.a).toBe(2);
    records.close();
  });
});
