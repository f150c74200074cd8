import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@patinox/test-servers';
import { MappedFile } from './public.js';
import { countingBinding, readU32, tempDir, writeU32 } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** How many regions of this process map `path` (from /proc/self/maps). */
function mappedRegions(path: string): number {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((line) => line.endsWith(path)).length;
}

/**
 * Runs garbage collections until no region of `path` is mapped: the addon unmaps from a finalizer, which
 * runs after a collection on a later turn, and no event announces it.
 */
async function collectUntilUnmapped(path: string): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  await eventually(
    () => {
      gc();
      return mappedRegions(path) === 0;
    },
    { timeoutMs: 2000, intervalMs: 10, message: `${path} is still mapped after repeated collections` },
  );
}

describe('close() revokes the typed array of asSlice() in writable modes', () => {
  it("'readwrite': after close the array has length 0, reads undefined and ignores writes; writes made before close are in the file", async () => {
    const path = tmp.path('revoke-rw.bin');
    writeU32(path, [1, 2, 3, 4]);
    const file = await MappedFile.open(path, { type: 'u32', mode: 'readwrite' });
    const array = file.asSlice();
    array[0] = 42;
    expect(array.length).toBe(4);
    file.close();
    expect(array.length).toBe(0);
    expect(array[0]).toBeUndefined();
    array[1] = 99;
    expect(array[1]).toBeUndefined();
    expect(readU32(path)).toEqual([42, 2, 3, 4]);
  });

  it("'private': the same, and the file never sees the copy-on-write pages", async () => {
    const path = tmp.path('revoke-private.bin');
    writeU32(path, [5, 6, 7, 8]);
    const file = await MappedFile.open(path, { type: 'u32', mode: 'private' });
    const array = file.asSlice();
    array[2] = 70;
    expect(array[2]).toBe(70);
    file[Symbol.dispose]();
    expect(array.length).toBe(0);
    expect(array[2]).toBeUndefined();
    expect(readU32(path)).toEqual([5, 6, 7, 8]);
  });

  it('releases the mapping itself, so no region of the file stays mapped', async () => {
    const path = tmp.path('revoke-release.bin');
    writeU32(path, Array.from({ length: 4096 }, (_, i) => i));
    const file = await MappedFile.open(path, { type: 'u32', mode: 'readwrite' });
    const array = file.asSlice();
    expect(array[4095]).toBe(4095);
    expect(mappedRegions(path)).toBe(1);
    file.close();
    expect(array.length).toBe(0);
    // The detached backing store is freed by a garbage collection, which unmaps it.
    await collectUntilUnmapped(path);
    expect(mappedRegions(path)).toBe(0);
  });

  it('MappedSlices and sub-slices held after close keep no region of the file mapped', async () => {
    const path = tmp.path('revoke-slices.bin');
    writeU32(path, Array.from({ length: 4096 }, (_, i) => i));
    const file = await MappedFile.open(path, { type: 'u32', mode: 'private' });
    const whole = file.asMappedSlice();
    const subs = Array.from({ length: 200 }, (_, i) => whole.slice(i, i + 100)!);
    expect(subs[199]!.get(99)).toBe(298);
    expect(mappedRegions(path)).toBe(1);
    file.close();
    await collectUntilUnmapped(path);
    expect(mappedRegions(path)).toBe(0);
    expect(() => whole.get(0)).toThrow(/closed/);
    expect(() => subs[0]!.get(0)).toThrow(/closed/);
  });

  it('waits for the last open file sharing the mapping: the array stays valid while another open file uses it', async () => {
    const path = tmp.path('revoke-shared.bin');
    writeU32(path, [1, 2, 3, 4]);
    const counting = await countingBinding();
    const a = await MappedFile.open(path, { type: 'u32', mode: 'readwrite', loadBinding: counting.load });
    const b = await MappedFile.open(path, { type: 'u32', mode: 'readwrite', loadBinding: counting.load });
    expect(counting.calls).toHaveLength(1);
    const array = a.asSlice();
    a.close();
    expect(array.length).toBe(4);
    expect(b.asMappedSlice().get(3)).toBe(4);
    array[3] = 40;
    expect(b.asMappedSlice().get(3)).toBe(40);
    b.close();
    expect(array.length).toBe(0);
    expect(readU32(path)).toEqual([1, 2, 3, 40]);
  });

  it('a reopen after close maps afresh instead of reusing the detached mapping', async () => {
    const path = tmp.path('revoke-reopen.bin');
    writeU32(path, [1, 2, 3, 4]);
    const counting = await countingBinding();
    const first = await MappedFile.open(path, { type: 'u32', mode: 'readwrite', loadBinding: counting.load });
    first.asSlice()[0] = 11;
    first.close();
    const second = await MappedFile.open(path, { type: 'u32', mode: 'readwrite', loadBinding: counting.load });
    expect(counting.calls).toHaveLength(2);
    const array = second.asSlice();
    expect(array.length).toBe(4);
    expect(array[0]).toBe(11);
    second.close();
  });

  it('leaves a mapping whose typed array never escaped to be reused by the next open', async () => {
    const path = tmp.path('revoke-kept.bin');
    writeU32(path, [1, 2, 3, 4]);
    const counting = await countingBinding();
    const first = await MappedFile.open(path, { type: 'u32', mode: 'readwrite', loadBinding: counting.load });
    first.asMappedSlice().set(1, 22);
    const second = await MappedFile.open(path, { type: 'u32', mode: 'readwrite', loadBinding: counting.load });
    first.close();
    expect(second.asMappedSlice().get(1)).toBe(22);
    expect(counting.calls).toHaveLength(1);
    second.close();
  });

  it('a truncation found by verify() detaches the array at once, so touching it cannot raise SIGBUS (child process)', () => {
    const path = tmp.path('revoke-truncate.bin');
    writeFileSync(path, Buffer.alloc(4 * 65536, 1));
    const here = dirname(fileURLToPath(import.meta.url));
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const out = spawnSync(process.execPath, [join(here, 'fixtures', 'truncate-child.mjs'), path, 'as-slice'], { cwd: join(here, '..'), env, encoding: 'utf8', timeout: 15_000 });
    expect(out.signal).toBeNull();
    expect(out.status).toBe(0);
    const result = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as Record<string, { code?: string; value?: string }>;
    expect(result.before).toEqual({ value: String(0x01010101) });
    expect(result.fault).toEqual({ code: 'MMAP_FILE_TRUNCATED' });
    expect(result.arrayAfter).toEqual({ value: '0 undefined undefined' });
  });
});
