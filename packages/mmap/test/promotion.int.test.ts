import { afterAll, describe, expect, it } from '@jest/globals';
import { MappedFile, type MappingAdvice } from './public.js';
import { countingBinding, sparseU32File, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const MiB = 2 ** 20;
// Over the default 32 MiB 'read' window: three windows (32 + 32 + 1 MiB), sparse, with marks in each.
const BYTES = 65 * MiB;
const MARKS: [number, number][] = [
  [0, 11],
  [8 * MiB + 5, 22],
  [(32 * MiB) / 4 + 1, 33],
  [(64 * MiB) / 4 + 7, 44],
  [BYTES / 4 - 1, 55],
];

const sparseFile = (name: string): string => sparseU32File(tmp.path(name), BYTES, MARKS);

/** One turn of the event loop: immediates queued before this one (a scheduled promotion) have run. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function recordingMonitor(): { events: { type: string; data: Record<string, unknown> }[]; record: (e: { type: string; data: Record<string, unknown> }) => void } {
  const events: { type: string; data: Record<string, unknown> }[] = [];
  return { events, record: (e) => void events.push(e) };
}

const touchEveryWindow = (slice: { get(i: number): number | undefined }) => MARKS.map(([i]) => slice.get(i));

describe("promotion of a windowed 'read' range to one mapping", () => {
  it('promotes an unchecked file on the turn after open; get returns the same values before and after', async () => {
    const path = sparseFile('unchecked.u32');
    const counting = await countingBinding();
    const monitor = recordingMonitor();
    const file = await MappedFile.open(path, { type: 'u32', checked: false, loadBinding: counting.load, monitor });
    const slice = file.asMappedSlice();
    expect(file.isWindowed).toBe(true);
    expect(file.isPromoted).toBe(false);
    expect(slice.get(MARKS[1]![0])).toBe(22);
    expect(counting.calls.map((c) => c[0])).toEqual([32 * MiB]);
    await nextTurn();
    expect(file.isPromoted).toBe(true);
    expect(counting.calls.map((c) => c[0])).toEqual([32 * MiB, BYTES]);
    expect(monitor.events.find((e) => e.type === 'mmap.promoted')?.data).toMatchObject({ bytes: BYTES, reused: false });
    expect(touchEveryWindow(slice)).toEqual(MARKS.map(([, v]) => v));
    expect(counting.calls).toHaveLength(2);
    const sub = slice.slice(MARKS[2]![0] - 1, MARKS[2]![0] + 2)!;
    expect([...sub]).toEqual([0, 33, 0]);
    expect(Array.from(sub.toTypedArray())).toEqual([0, 33, 0]);
    expect(slice.get(BYTES / 4)).toBeUndefined();
    for (const advice of ['random', 'willneed', 'normal'] as MappingAdvice[]) file.advise(advice);
    expect(file.incore().totalPages).toBe(BYTES / 4096);
    expect(file.collectMetrics().find((m) => m.name === 'patinox_mmap_mapped_bytes')).toMatchObject({ value: BYTES });
    file.close();
    expect(() => slice.get(0)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
    expect(() => sub.get(0)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
  });

  it('promotes a checked file (the default) only once every window has been mapped', async () => {
    const path = sparseFile('checked.u32');
    const counting = await countingBinding();
    const file = await MappedFile.open(path, { type: 'u32', loadBinding: counting.load });
    const slice = file.asMappedSlice();
    expect(file.isChecked).toBe(true);
    expect(slice.get(0)).toBe(11);
    expect(slice.get(MARKS[2]![0])).toBe(33);
    await nextTurn();
    expect(file.isPromoted).toBe(false);
    expect(slice.get(MARKS[4]![0])).toBe(55);
    expect(file.isPromoted).toBe(false);
    await nextTurn();
    expect(file.isPromoted).toBe(true);
    expect(counting.calls.map((c) => c[0])).toEqual([32 * MiB, 32 * MiB, 1 * MiB, BYTES]);
    expect(touchEveryWindow(slice)).toEqual(MARKS.map(([, v]) => v));
    file.close();
  });

  it("never promotes with promote: 'never', an explicit windowBytes, or a range over the window size alone", async () => {
    const path = sparseFile('never.u32');
    const counting = await countingBinding();
    const never = await MappedFile.open(path, { type: 'u32', checked: false, promote: 'never', loadBinding: counting.load });
    const explicit = await MappedFile.open(path, { type: 'u32', checked: false, windowBytes: 16 * MiB, loadBinding: counting.load });
    expect(touchEveryWindow(never.asMappedSlice())).toEqual(MARKS.map(([, v]) => v));
    expect(touchEveryWindow(explicit.asMappedSlice())).toEqual(MARKS.map(([, v]) => v));
    await nextTurn();
    expect(never.isPromoted).toBe(false);
    expect(explicit.isPromoted).toBe(false);
    expect(counting.calls.every((c) => (c[0] as number) <= 32 * MiB)).toBe(true);
    never.close();
    explicit.close();
    await expect(MappedFile.open(path, { type: 'u32', promote: 'yes' as never })).rejects.toThrow('Expected `promote` to be one of auto, never, got "yes" (string)');
  });

  it('cancels a pending promotion on close: nothing is mapped afterwards and views throw MMAP_CLOSED', async () => {
    const path = sparseFile('close-before.u32');
    const counting = await countingBinding();
    const file = await MappedFile.open(path, { type: 'u32', checked: false, loadBinding: counting.load });
    const slice = file.asMappedSlice();
    expect(slice.get(0)).toBe(11);
    file.close();
    await nextTurn();
    expect(file.isPromoted).toBe(false);
    expect(counting.calls.map((c) => c[0])).toEqual([32 * MiB]);
    expect(() => slice.get(0)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
  });

  it('drops the new mapping when the file is closed while the addon maps it', async () => {
    const path = sparseFile('close-during.u32');
    const counting = await countingBinding();
    const binding = await counting.load();
    const realMap = binding.map;
    binding.map = (...args: unknown[]) => {
      const buffer = realMap(...args);
      if (args[0] === BYTES) file.close();
      return buffer;
    };
    const monitor = recordingMonitor();
    const file = await MappedFile.open(path, { type: 'u32', checked: false, loadBinding: async () => binding, monitor });
    const slice = file.asMappedSlice();
    await nextTurn();
    expect(counting.calls.map((c) => c[0])).toEqual([BYTES]);
    expect(file.closed).toBe(true);
    expect(file.isPromoted).toBe(false);
    expect(monitor.events.some((e) => e.type === 'mmap.promoted')).toBe(false);
    expect(() => slice.get(0)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
  });

  it('reports a failing mmap as mmap.promote.failed and stays windowed', async () => {
    const path = sparseFile('fail.u32');
    const binding = await (await countingBinding()).load();
    const realMap = binding.map;
    binding.map = (...args: unknown[]) => {
      if (args[0] === BYTES) throw new Error('mmap failed, 12');
      return realMap(...args);
    };
    const monitor = recordingMonitor();
    const file = await MappedFile.open(path, { type: 'u32', checked: false, loadBinding: async () => binding, monitor });
    await nextTurn();
    expect(file.isPromoted).toBe(false);
    expect(monitor.events.find((e) => e.type === 'mmap.promote.failed')?.data).toMatchObject({ reason: expect.stringContaining('mmap failed, 12') });
    expect(touchEveryWindow(file.asMappedSlice())).toEqual(MARKS.map(([, v]) => v));
    file.close();
  });

  it("adopts an earlier open's live whole mapping at once when reopened, without mapping anything", async () => {
    const path = sparseFile('reopen.u32');
    const counting = await countingBinding();
    const first = await MappedFile.open(path, { type: 'u32', checked: false, loadBinding: counting.load });
    await nextTurn();
    expect(first.isPromoted).toBe(true);
    const calls = counting.calls.length;
    const second = await MappedFile.open(path, { type: 'u32', checked: false, loadBinding: counting.load });
    expect(second.isPromoted).toBe(true);
    expect(counting.calls).toHaveLength(calls);
    first.close();
    expect(touchEveryWindow(second.asMappedSlice())).toEqual(MARKS.map(([, v]) => v));
    second.close();
  });

  it('does not keep the event loop alive: the pending promotion is an unref’d immediate', async () => {
    const path = sparseFile('unref.u32');
    const refed = () => process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length;
    const before = refed();
    const file = await MappedFile.open(path, { type: 'u32', checked: false });
    expect(refed()).toBe(before);
    file.close();
  });
});
