import { readdirSync, readlinkSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@patinox/test-servers';
import { MappedFile, RecordWriter } from './public.js';
import { sparseU32File, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** How many descriptors of this process are open on `path`. */
function descriptorsOn(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n += 1;
    } catch {
      // Closed between the listing and the readlink (the listing's own descriptor): not ours.
    }
  }
  return n;
}

async function openAndDrop(path: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    // A default 'read' open of a file over 32 MiB: windowed, checked, promotable once every window is mapped,
    // which this one never is (only window 0 is read).
    const file = await MappedFile.open(path, { type: 'u32' });
    expect(file.asMappedSlice().get(0)).toBe(7);
  }
}

describe('files dropped without close()', () => {
  it('are collected, descriptor included, even when promotable and never promoted', async () => {
    const path = sparseU32File(tmp.path('dropped.u32'), 64 * 2 ** 20, [[0, 7]]);
    await openAndDrop(path, 8);
    expect(descriptorsOn(path)).toBe(8);
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    await eventually(
      () => {
        gc();
        // At most one left: V8 may keep the last file of the loop reachable for a while (seen under coverage).
        return descriptorsOn(path) <= 1;
      },
      { timeoutMs: 2000, intervalMs: 10, message: `${path} still has open descriptors of dropped files` },
    );
  });
});

describe('record writers dropped without close()', () => {
  it('have their descriptor closed when collected', async () => {
    const path = tmp.path('dropped-writer.bin');
    for (let i = 0; i < 8; i += 1) RecordWriter.open(path, { schema: { a: 'u32' } }).append({ a: i });
    expect(descriptorsOn(path)).toBe(8);
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    await eventually(
      () => {
        gc();
        return descriptorsOn(path) <= 1;
      },
      { timeoutMs: 2000, intervalMs: 10, message: `${path} still has open descriptors of dropped writers` },
    );
  });
});
