import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MappedFile } from './public.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('MappedSlice', () => {
  it('behaves like an array model for any sequence of get/set/slice (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 0, maxLength: 64 }),
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('get' as const), i: fc.integer({ min: -5, max: 80 }) }),
            fc.record({ op: fc.constant('set' as const), i: fc.integer({ min: 0, max: 63 }), v: fc.integer({ min: 0, max: 0xffff }) }),
            fc.record({ op: fc.constant('slice' as const), s: fc.integer({ min: -2, max: 70 }), e: fc.integer({ min: -2, max: 70 }), i: fc.integer({ min: 0, max: 70 }) }),
          ),
        ),
        async (initial, ops) => {
          const path = tmp.path('prop.bin');
          writeFileSync(path, Buffer.from(new Uint16Array(initial).buffer));
          const model = [...initial];
          const file = await MappedFile.open(path, { type: 'u16', mode: 'private' });
          const slice = file.asMappedSlice();
          for (const op of ops) {
            if (op.op === 'get') expect(slice.get(op.i)).toBe(model[op.i]);
            else if (op.op === 'set') {
              if (op.i < model.length) {
                slice.set(op.i, op.v);
                model[op.i] = op.v;
              } else expect(() => slice.set(op.i, op.v)).toThrow(RangeError);
            } else {
              const sub = slice.slice(op.s, op.e);
              const valid = op.s >= 0 && op.e <= model.length && op.s <= op.e;
              expect(sub === undefined).toBe(!valid);
              if (sub !== undefined) {
                expect(sub.length).toBe(op.e - op.s);
                expect(sub.get(op.i)).toBe(op.i < op.e - op.s ? model[op.s + op.i] : undefined);
              }
            }
          }
          expect([...slice]).toEqual(model);
          expect(slice.length).toBe(model.length);
          expect(slice.isEmpty).toBe(model.length === 0);
          file.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('slices are zero-copy views that write through and nest', async () => {
    const path = tmp.path('nest.bin');
    writeFileSync(path, Buffer.from(new Int32Array([0, 1, 2, 3, 4, 5, 6, 7]).buffer));
    const file = await MappedFile.open(path, { type: 'i32', mode: 'readwrite' });
    const all = file.asMappedSlice();
    const middle = all.slice(2, 6)!;
    const inner = middle.slice(1)!;
    expect([...inner]).toEqual([3, 4, 5]);
    inner.set(0, -3);
    expect(all.get(3)).toBe(-3);
    expect(file.asSlice()[3]).toBe(-3);
    expect(middle.slice(4)!.isEmpty).toBe(true);
    expect(Array.from(middle.toTypedArray())).toEqual([2, -3, 4, 5]);
    file.close();
  });

  it('stores bigints for 64-bit types and rejects numbers', async () => {
    const path = tmp.path('big.bin');
    writeFileSync(path, Buffer.alloc(16));
    const file = await MappedFile.open(path, { type: 'i64', mode: 'readwrite' });
    const slice = file.asMappedSlice();
    slice.set(1, -42n);
    expect(slice.get(1)).toBe(-42n);
    expect(() => slice.set(0, 1 as unknown as bigint)).toThrow('Expected `value` to be a bigint for i64, got 1 (number)');
    file.close();
  });

  it('asMappedSlice returns the same slice every time', async () => {
    const path = tmp.path('same.bin');
    writeFileSync(path, Buffer.alloc(8));
    const file = await MappedFile.open(path, { type: 'u8' });
    expect(file.asMappedSlice()).toBe(file.asMappedSlice());
    file.close();
  });
});
