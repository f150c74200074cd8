import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import { MemoryMonitor } from '@patinox/monitor';
import { HOSTILE_COUNT, HostileRef, resolveHostile } from '@patinox/test-servers';
import fc from 'fast-check';
import { MappedFile, MappedRecords, MMAP_EVENTS, RecordWriter } from './public.js';
import { tempDir } from './helpers.js';

// Random sequences of calls with hostile arguments against a reference model (a plain Uint32Array):
// every failure is a TypeError, a RangeError or a coded error; a read returns what the model holds (or
// undefined out of range); the file on disk matches the model after sync; after close every view
// refuses with MMAP_CLOSED and nothing holds the event loop.

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// Generated data carries HostileRefs (fast-check could not print a Proxy whose traps throw), resolved per call.
const hostile = fc.nat(HOSTILE_COUNT - 1).map((i) => new HostileRef(i));
const real = resolveHostile;

const LENGTH = 64;
const index = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -2, max: LENGTH + 2 }) }, { weight: 1, arbitrary: hostile });
const u32 = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 2 ** 32 - 1 }) }, { weight: 1, arbitrary: hostile });

type Op =
  | { t: 'get'; i: unknown }
  | { t: 'set'; i: unknown; v: unknown }
  | { t: 'slice'; a: unknown; b: unknown }
  | { t: 'advise'; advice: unknown }
  | { t: 'open'; options: unknown }
  | { t: 'record'; i: unknown }
  | { t: 'append'; values: unknown };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('get' as const), i: index }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('set' as const), i: index, v: u32 }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('slice' as const), a: index, b: index }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('advise' as const), advice: fc.oneof(fc.constantFrom('random', 'sequential'), hostile) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('open' as const),
      options: fc.oneof(
        hostile,
        fc.record({ type: fc.oneof(fc.constant('u32'), hostile), offset: fc.oneof(fc.constant(undefined), hostile), length: fc.oneof(fc.constant(undefined), hostile) }),
        fc.record({ type: fc.constant('u32'), monitor: hostile }),
        fc.record({ type: fc.constant('u32'), windowBytes: hostile }),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('record' as const), i: index }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('append' as const), values: fc.oneof(hostile, fc.record({ a: u32, b: u32 })) }) },
);

function isTyped(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError || isPatinoxError(error);
}

const realOptions = resolveHostile;

let runs = 0;

describe('mmap under hostile input (property)', () => {
  it('fails only with typed errors, reads what it wrote and refuses every view after close', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        runs += 1;
        const path = tmp.path(`hostile-${runs}.bin`);
        writeFileSync(path, Buffer.alloc(LENGTH * 4));
        const monitor = new MemoryMonitor();
        const file = await MappedFile.open(path, { type: 'u32', mode: 'readwrite', monitor });
        const slice = file.asMappedSlice();
        const model = new Uint32Array(LENGTH);
        const writer = RecordWriter.open(tmp.path(`hostile-${runs}.rec`), { schema: { a: 'u32', b: 'u32' } });
        const records = await MappedRecords.open(path, { schema: { a: 'u32', b: 'u32' } });
        const opened: { close(): void }[] = [];
        const attempt = async (fn: () => unknown): Promise<void> => {
          try {
            await fn();
          } catch (error) {
            expect(isTyped(error)).toBe(true);
          }
        };
        for (const o of ops) {
          switch (o.t) {
            case 'get': {
              const i = real(o.i);
              let got: unknown;
              await attempt(() => {
                got = slice.get(i as number);
              });
              const valid = typeof i === 'number' && Number.isInteger(i) && i >= 0 && i < LENGTH;
              if (valid) expect(got).toBe(model[i]);
              else expect(got).toBeUndefined();
              break;
            }
            case 'set': {
              const i = real(o.i);
              const v = real(o.v);
              let ok = false;
              await attempt(() => {
                slice.set(i as number, v as number);
                ok = true;
              });
              if (ok) model[i as number] = v as number;
              break;
            }
            case 'slice':
              await attempt(() => {
                const part = slice.slice(real(o.a) as number, real(o.b) as number);
                if (part !== undefined) expect([...part]).toEqual([...model.subarray(real(o.a) as number, real(o.b) as number)]);
              });
              break;
            case 'advise':
              await attempt(() => file.advise(real(o.advice) as never));
              break;
            case 'open':
              await attempt(async () => {
                opened.push(await MappedFile.open(path, realOptions(o.options) as never));
              });
              break;
            case 'record':
              await attempt(() => {
                const i = real(o.i);
                const r = records.get(i as number);
                if (typeof i === 'number' && Number.isInteger(i) && i >= 0 && i < LENGTH / 2 && r !== undefined) {
                  expect(r.a).toBe(model[2 * i]);
                  expect(r.b).toBe(model[2 * i + 1]);
                }
              });
              break;
            case 'append':
              await attempt(() => writer.append(realOptions(o.values) as never));
              break;
          }
        }
        await file.sync();
        const onDisk = await MappedFile.open(path, { type: 'u32' });
        expect(onDisk.asMappedSlice().toTypedArray()).toEqual(model);
        onDisk.close();
        for (const other of opened) other.close();
        records.close();
        writer.close();
        await file[Symbol.asyncDispose]();
        expect(file.closed).toBe(true);
        expect(() => slice.get(0)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
        expect(() => slice.set(0, 1)).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
        const known = new Set<string>(Object.values(MMAP_EVENTS));
        expect(monitor.events().filter((e) => !known.has(e.type))).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
