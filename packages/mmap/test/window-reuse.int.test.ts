import { renameSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { MappedFile } from './public.js';
import { countingBinding, tempDir, writeU32 } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('window reuse', () => {
  it('hands a reopened file the live windows of an earlier open of the same file, mode and range', async () => {
    const path = tmp.path('reuse.bin');
    writeU32(path, Array.from({ length: 3 * 1024 }, (_, i) => i));
    const counting = await countingBinding();
    const first = await MappedFile.open(path, { type: 'u32', windowBytes: 4096, loadBinding: counting.load });
    expect(first.asMappedSlice().get(1030)).toBe(1030);
    expect(counting.calls).toHaveLength(1);
    const second = await MappedFile.open(path, { type: 'u32', windowBytes: 4096, loadBinding: counting.load });
    expect(second.asMappedSlice().get(1031)).toBe(1031);
    expect(counting.calls).toHaveLength(1);
    expect(second.asMappedSlice().get(5)).toBe(5);
    expect(counting.calls).toHaveLength(2);
    first.close();
    expect(second.asMappedSlice().get(1032)).toBe(1032);
    expect(() => first.asMappedSlice()).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
    second.close();
  });

  it("shares writes between 'readwrite' opens that reuse a window, like two mappings of the file would", async () => {
    const path = tmp.path('reuse-rw.bin');
    writeU32(path, [1, 2, 3, 4]);
    const counting = await countingBinding();
    const a = await MappedFile.open(path, { type: 'u32', mode: 'readwrite', loadBinding: counting.load });
    const b = await MappedFile.open(path, { type: 'u32', mode: 'readwrite', loadBinding: counting.load });
    expect(counting.calls).toHaveLength(1);
    a.asMappedSlice().set(0, 10);
    expect(b.asMappedSlice().get(0)).toBe(10);
    a.close();
    b.close();
  });

  it("never reuses a 'private' window or a window of another mode", async () => {
    const path = tmp.path('reuse-private.bin');
    writeU32(path, [1, 2, 3, 4]);
    const counting = await countingBinding();
    const a = await MappedFile.open(path, { type: 'u32', mode: 'private', loadBinding: counting.load });
    const b = await MappedFile.open(path, { type: 'u32', mode: 'private', loadBinding: counting.load });
    expect(counting.calls).toHaveLength(2);
    a.asMappedSlice().set(0, 99);
    expect(b.asMappedSlice().get(0)).toBe(1);
    const ro = await MappedFile.open(path, { type: 'u32', mode: 'read', loadBinding: counting.load });
    const rw = await MappedFile.open(path, { type: 'u32', mode: 'readwrite', loadBinding: counting.load });
    expect(counting.calls).toHaveLength(4);
    for (const file of [a, b, ro, rw]) file.close();
  });

  it("applies the new open's advice to a reused window and reports a failing madvise as MMAP_FAILED", async () => {
    const path = tmp.path('reuse-advice.bin');
    writeU32(path, [1, 2, 3, 4]);
    const real = await (await countingBinding()).load();
    const advised: unknown[][] = [];
    let failing = false;
    const binding = {
      ...real,
      advise: (...args: unknown[]) => {
        advised.push(args);
        if (failing) throw new Error('madvise() failed, 22');
        return (real.advise as (...a: unknown[]) => unknown)(...args);
      },
    };
    const load = async () => binding;
    const a = await MappedFile.open(path, { type: 'u32', loadBinding: load });
    const b = await MappedFile.open(path, { type: 'u32', advice: 'random', loadBinding: load });
    expect(advised).toEqual([[expect.any(Buffer), real.MADV_RANDOM]]);
    expect(b.asMappedSlice().get(3)).toBe(4);
    failing = true;
    await expect(MappedFile.open(path, { type: 'u32', loadBinding: load })).rejects.toMatchObject({ code: 'MMAP_FAILED' });
    a.close();
    b.close();
  });

  it('maps a file renamed over the path anew instead of reusing the old file\'s windows', async () => {
    const path = tmp.path('replaced.bin');
    writeU32(path, [1, 2, 3, 4]);
    const counting = await countingBinding();
    const old = await MappedFile.open(path, { type: 'u32', loadBinding: counting.load });
    const next = tmp.path('replaced.next');
    writeFileSync(next, Buffer.from(new Uint32Array([5, 6, 7, 8]).buffer));
    renameSync(next, path);
    const fresh = await MappedFile.open(path, { type: 'u32', loadBinding: counting.load });
    expect(counting.calls).toHaveLength(2);
    expect(fresh.asMappedSlice().get(0)).toBe(5);
    expect(old.asMappedSlice().get(0)).toBe(1);
    old.close();
    fresh.close();
  });
});
