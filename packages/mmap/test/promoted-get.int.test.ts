import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { MappedFile } from './public.js';
import { promotedGetState } from '../src/mapped-slice.js';
import { sparseU32File, tempDir } from './helpers.js';

// The switch between the windowed `get` and the fresh fast copy is per process and per element group
// (index 0: 8/16-bit, 1: 32-bit and float, 2: 64-bit), so these tests run in their own file, in order.
const tmp = tempDir();
afterAll(() => tmp.cleanup());

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 2 ** 20;
// Over the default 32 MiB 'read' window, so default 'read' opens are windowed and promotable; sparse.
const BYTES = 65 * MiB;
const MARKS: [number, number][] = [
  [0, 11],
  [(32 * MiB) / 4 + 1, 33],
  [BYTES / 4 - 1, 55],
];

const sparseFile = (name: string): string => sparseU32File(tmp.path(name), BYTES, MARKS);

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const wide = () => promotedGetState()[1]!;
const marks = (slice: { get(i: number): number | undefined }) => MARKS.map(([i]) => slice.get(i));
const expected = MARKS.map(([, v]) => v);

describe("promoted files read through a fresh copy of the single-mapping get", () => {
  it('switches once the file promotes; values, bounds, bad keys, sub-slices and close behave exactly as before', async () => {
    const path = sparseFile('a.u32');
    const file = await MappedFile.open(path, { type: 'u32', checked: false });
    const slice = file.asMappedSlice();
    const before = slice.slice(MARKS[1]![0] - 1, MARKS[1]![0] + 2)!;
    expect(wide()).toEqual({ fast: false, installs: 0, pending: 1 });
    expect(marks(slice)).toEqual(expected);
    await nextTurn();
    expect(file.isPromoted).toBe(true);
    expect(wide()).toEqual({ fast: true, installs: 1, pending: 0 });
    expect(marks(slice)).toEqual(expected);
    expect([before.get(0), before.get(1), before.get(2), before.get(3), before.get(-1)]).toEqual([0, 33, 0, undefined, undefined]);
    const after = slice.slice(MARKS[2]![0] - 1)!;
    expect([after.get(0), after.get(1), after.get(2)]).toEqual([0, 55, undefined]);
    for (const index of [BYTES / 4, 2 ** 32, -1, 0.5, NaN, Infinity]) expect(slice.get(index)).toBeUndefined();
    for (const key of ['0', 'length', 'buffer', Symbol.iterator, 1n, null, {}]) expect(slice.get(key as unknown as number)).toBeUndefined();
    expect(promotedGetState()[0]).toEqual({ fast: false, installs: 0, pending: 0 });
    file.close();
    expect(() => slice.get(0)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
    expect(() => before.get(1)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
    expect(() => after.get(1)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
  });

  it('puts the windowed get back while another file of the group waits for promotion, then switches again', async () => {
    const first = await MappedFile.open(sparseFile('b.u32'), { type: 'u32', checked: false });
    const firstSlice = first.asMappedSlice();
    await nextTurn();
    expect(wide()).toMatchObject({ fast: true, pending: 0 });
    const installs = wide().installs;

    // A checked file (the default) promotes only once every window has been mapped.
    const second = await MappedFile.open(sparseFile('c.f32'), { type: 'f32' });
    const secondSlice = second.asMappedSlice();
    expect(wide()).toMatchObject({ fast: false, pending: 1 });
    expect(marks(firstSlice)).toEqual(expected);
    const floats = MARKS.map(([i]) => secondSlice.get(i));
    expect(floats.every((v) => typeof v === 'number' && v !== 0)).toBe(true);
    await nextTurn();
    expect(second.isPromoted).toBe(true);
    expect(wide()).toEqual({ fast: true, installs: installs + 1, pending: 0 });
    expect(MARKS.map(([i]) => secondSlice.get(i))).toEqual(floats);
    expect(marks(firstSlice)).toEqual(expected);

    // A file that closes before it promotes releases the group too.
    const third = await MappedFile.open(sparseFile('d.i32'), { type: 'i32' });
    expect(third.asMappedSlice().get(MARKS[0]![0])).toBe(11);
    expect(wide()).toMatchObject({ fast: false, pending: 1 });
    third.close();
    expect(wide()).toEqual({ fast: true, installs: installs + 2, pending: 0 });
    expect(marks(firstSlice)).toEqual(expected);
    first.close();
    second.close();
  });

  it('warms the fresh copy on any promoted file still open, not only the one promoted last', async () => {
    const a = await MappedFile.open(sparseFile('g.u32'), { type: 'u32', checked: false });
    const aSlice = a.asMappedSlice();
    await nextTurn();
    const b = await MappedFile.open(sparseFile('h.u32'), { type: 'u32', checked: false });
    b.asMappedSlice();
    await nextTurn();
    expect(wide()).toMatchObject({ fast: true, pending: 0 });
    b.close();
    const c = await MappedFile.open(sparseFile('i.u32'), { type: 'u32', checked: false });
    c.asMappedSlice();
    expect(wide()).toMatchObject({ fast: false, pending: 1 });
    const installs = wide().installs;
    c.close();
    expect(wide()).toEqual({ fast: true, installs: installs + 1, pending: 0 });
    expect(marks(aSlice)).toEqual(expected);
    a.close();
  });

  it('keeps the windowed get for good once a group has switched to a fresh copy 32 times', async () => {
    const path = sparseFile('e.u32');
    const keep = await MappedFile.open(path, { type: 'u32', checked: false });
    const keepSlice = keep.asMappedSlice();
    await nextTurn();
    for (let i = 0; wide().installs < 32 && i < 40; i += 1) {
      // A different range each time: a reopen of the same range would adopt the live whole mapping at once.
      const other = await MappedFile.open(path, { type: 'u32', checked: false, offset: 4096 * (i + 1) });
      expect(other.asMappedSlice().get(MARKS[1]![0] - 1024 * (i + 1))).toBe(33);
      await nextTurn();
      other.close();
    }
    expect(wide().installs).toBe(32);
    const last = await MappedFile.open(path, { type: 'u32', checked: false, offset: 4096 * 50 });
    const lastSlice = last.asMappedSlice();
    expect(wide()).toMatchObject({ fast: false, pending: 1 });
    await nextTurn();
    expect(last.isPromoted).toBe(true);
    expect(wide()).toEqual({ fast: false, installs: 32, pending: 0 });
    expect(lastSlice.get(MARKS[2]![0] - 1024 * 50)).toBe(55);
    expect(marks(keepSlice)).toEqual(expected);
    last.close();
    keep.close();
  });

  it('without code generation from strings, promoted files keep the windowed get and read the same (child process)', () => {
    const path = sparseFile('f.u32');
    const script = [
      "import { MappedFile } from '@patinox/mmap';",
      `const file = await MappedFile.open(${JSON.stringify(path)}, { type: 'u32', checked: false });`,
      'const slice = file.asMappedSlice();',
      'await new Promise((resolve) => setImmediate(resolve));',
      `console.log(JSON.stringify({ promoted: file.isPromoted, values: ${JSON.stringify(MARKS.map(([i]) => i))}.map((i) => slice.get(i)), out: slice.get(${BYTES / 4}) ?? null }));`,
      'file.close();',
      "let codegen = true; try { new Function(''); } catch { codegen = false; }",
      'console.log(JSON.stringify({ codegen }));',
    ].join('\n');
    const out = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script], { cwd: join(here, '..'), encoding: 'utf8', timeout: 15_000 });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const [result, check] = out.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(result).toEqual({ promoted: true, values: expected, out: null });
    expect(check).toEqual({ codegen: false });
  });
});
