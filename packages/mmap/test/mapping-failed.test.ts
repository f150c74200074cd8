import { existsSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { MappedFile } from './public.js';
import { countingBinding, sparseU32File, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** How many descriptors of this process are open on `path`. */
function descriptorsOn(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

/** The real addon, with `call` failing the way the addon reports a failed system call. */
async function failing(call: 'map' | 'advise' | 'incore', message: string): Promise<{ load: () => Promise<unknown>; fail: (on: boolean) => void }> {
  const binding = await (await countingBinding()).load();
  const real = binding[call] as (...args: unknown[]) => unknown;
  let on = false;
  (binding as Record<string, unknown>)[call] = (...args: unknown[]) => {
    if (on) throw new Error(message);
    return real(...args);
  };
  return { load: async () => binding, fail: (value) => (on = value) };
}

describe('MMAP_FAILED', () => {
  it('carries the errno the addon reported in context.errno, as documented', async () => {
    const path = tmp.path('map.bin');
    writeFileSync(path, Buffer.alloc(4096));
    const addon = await failing('map', 'mmap failed, 12');
    addon.fail(true);
    await expect(MappedFile.open(path, { type: 'u8', loadBinding: addon.load })).rejects.toMatchObject({
      code: 'MMAP_FAILED',
      name: 'MappingFailedError',
      context: expect.objectContaining({ path, errno: 12 }),
    });
  });

  it('reports no mmap.closed for an open that failed, since no mmap.opened was reported either', async () => {
    const path = tmp.path('unbalanced.bin');
    writeFileSync(path, Buffer.alloc(4096));
    const addon = await failing('map', 'mmap failed, 12');
    addon.fail(true);
    const events: string[] = [];
    const monitor = { record: (event: { type: string }) => void events.push(event.type) };
    await expect(MappedFile.open(path, { type: 'u8', loadBinding: addon.load, monitor })).rejects.toMatchObject({ code: 'MMAP_FAILED' });
    expect(events).toEqual([]);
  });

  it('removes the file that an open with `size` created before its mmap failed', async () => {
    const path = tmp.path('created.bin');
    const addon = await failing('map', 'mmap failed, 12');
    addon.fail(true);
    await expect(MappedFile.open(path, { type: 'u8', mode: 'readwrite', size: 4096, loadBinding: addon.load })).rejects.toMatchObject({ code: 'MMAP_FAILED' });
    expect(existsSync(path)).toBe(false);
  });

  it('is what a failing madvise or mincore of an open file throws, not the addon’s plain Error', async () => {
    const path = tmp.path('advise.bin');
    writeFileSync(path, Buffer.alloc(4096));
    for (const [call, run] of [
      ['advise', (file: MappedFile<'u8'>) => file.advise('random')],
      ['incore', (file: MappedFile<'u8'>) => file.incore()],
    ] as const) {
      const addon = await failing(call, `${call === 'advise' ? 'madvise' : 'mincore'}() failed, 22`);
      const file = await MappedFile.open(path, { type: 'u8', loadBinding: addon.load });
      addon.fail(true);
      expect(() => run(file)).toThrow(expect.objectContaining({ code: 'MMAP_FAILED', context: expect.objectContaining({ errno: 22 }) }));
      file.close();
    }
  });
});

describe('an open that fails after its range was opened', () => {
  it('closes what it opened: a reopen whose adopted mapping cannot be advised leaves no descriptor behind', async () => {
    // Over 32 MiB and unchecked: promoted the turn after open, and a reopen adopts that mapping at once.
    const path = sparseU32File(tmp.path('adopt.u32'), 40 * 2 ** 20, [[0, 7]]);
    const addon = await failing('advise', 'madvise() failed, 22');
    const first = await MappedFile.open(path, { type: 'u32', checked: false, loadBinding: addon.load });
    await new Promise((resolve) => setImmediate(resolve));
    expect(first.isPromoted).toBe(true);
    const before = descriptorsOn(path);
    addon.fail(true);
    const events: string[] = [];
    const monitor = { record: (event: { type: string }) => void events.push(event.type) };
    await expect(MappedFile.open(path, { type: 'u32', checked: false, loadBinding: addon.load, monitor })).rejects.toMatchObject({ code: 'MMAP_FAILED' });
    expect(descriptorsOn(path)).toBe(before);
    expect(events).toEqual(['mmap.opened', 'mmap.closed']);
    addon.fail(false);
    expect(first.asMappedSlice().get(0)).toBe(7);
    first.close();
  });
});
