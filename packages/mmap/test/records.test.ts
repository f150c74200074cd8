import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { inspect } from 'node:util';
import { MappedRecords, RecordWriter, computeRecordLayout } from './public.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const schema = { id: 'u32', price: 'f64', qty: 'i16', big: 'u64', flag: 'u8' } as const;

describe('computeRecordLayout', () => {
  it('aligns each field naturally and pads the record to the largest alignment', () => {
    const layout = computeRecordLayout(schema);
    expect(layout.fields.map((f) => [f.name, f.offset])).toEqual([
      ['id', 0],
      ['price', 8],
      ['qty', 16],
      ['big', 24],
      ['flag', 32],
    ]);
    expect(layout.recordSize).toBe(40);
    expect(layout.alignment).toBe(8);
  });

  it('packs fields back to back when packed', () => {
    const layout = computeRecordLayout(schema, true);
    expect(layout.fields.map((f) => f.offset)).toEqual([0, 4, 12, 14, 22]);
    expect(layout.recordSize).toBe(23);
  });

  it('places every field inside the record, aligned and without overlap (property)', () => {
    const types = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'f64', 'u64', 'i64'] as const;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...types), { minLength: 1, maxLength: 12 }), fc.boolean(), (fieldTypes, packed) => {
        const s = Object.fromEntries(fieldTypes.map((t, i) => [`f${i}`, t]));
        const layout = computeRecordLayout(s, packed);
        let end = 0;
        for (const f of layout.fields) {
          expect(f.offset).toBeGreaterThanOrEqual(end);
          if (!packed) expect(f.offset % f.bytes).toBe(0);
          end = f.offset + f.bytes;
        }
        expect(layout.recordSize).toBeGreaterThanOrEqual(end);
        expect(layout.recordSize % layout.alignment).toBe(0);
        if (packed) expect(layout.recordSize).toBe(end);
      }),
    );
  });

  it('rejects bad schemas with the house message', () => {
    expect(() => computeRecordLayout({})).toThrow('Expected `schema` to have at least one field, got an empty object');
    expect(() => computeRecordLayout({ a: 'u7' as never })).toThrow('Expected `schema.a` to be one of u8, i8, u16, i16, u32, i32, f32, f64, u64, i64, got "u7" (string)');
    expect(() => computeRecordLayout({ index: 'u8' })).toThrow(TypeError);
    expect(() => computeRecordLayout(null as never)).toThrow('Expected `schema` to be an object of field types, got null');
    expect(() => computeRecordLayout([] as never)).toThrow(TypeError);
    expect(() => computeRecordLayout({ a: 'u8' }, 'yes' as never)).toThrow('Expected `packed` to be a boolean, got "yes" (string)');
  });

  it('refuses field names JavaScript would list before the others (array indexes), which would break declaration order', () => {
    // Object.keys({ price: 'f64', 2: 'u8' }) is ['2', 'price']: the layout would put the u8 first.
    expect(() => computeRecordLayout({ price: 'f64', 2: 'u8' })).toThrow(
      new TypeError('Expected `schema` field names that are not array indexes (JavaScript lists those first, out of declaration order), got "2"'),
    );
    expect(() => computeRecordLayout({ a: 'u8', 4294967294: 'u8' })).toThrow(TypeError);
    // Names that only look numeric keep their place.
    expect(computeRecordLayout({ b: 'u8', '01': 'u8', '-1': 'u8', '1.5': 'u8', 4294967295: 'u8' }).fields.map((f) => f.name)).toEqual(['b', '01', '-1', '1.5', '4294967295']);
  });
});

describe('RecordWriter + MappedRecords', () => {
  it('appends records that get() reads back as independent plain records and view() through one reused view', async () => {
    const path = tmp.path('prices.bin');
    const writer = RecordWriter.open(path, { schema, bufferRecords: 2 });
    const rows = Array.from({ length: 5 }, (_, i) => ({ id: i, price: i * 1.5, qty: 10 - i, big: BigInt(i) << 40n, flag: i % 2 }));
    rows.forEach((row, i) => expect(writer.append(row)).toBe(i));
    expect(writer.length).toBe(5);
    writer.close();
    writer.close();
    expect(writer.closed).toBe(true);
    expect(readFileSync(path).length).toBe(5 * 40);

    const records = await MappedRecords.open(path, { schema });
    expect(records.length).toBe(5);
    expect(records.recordSize).toBe(40);
    // get: a new plain object per call, printable and serialisable, unchanged by later reads.
    const [r0, r1] = [0, 1].map((i) => records.get(i)!);
    expect(r0).toEqual(rows[0]);
    expect(r1).toEqual(rows[1]);
    expect(r0).not.toBe(r1);
    expect(Object.getPrototypeOf(r0)).toBe(Object.prototype);
    expect(Object.keys(r0!)).toEqual(['id', 'price', 'qty', 'big', 'flag']);
    expect(inspect(records.get(2))).toBe(inspect(rows[2]));
    expect(JSON.parse(JSON.stringify({ ...records.get(2), big: 0 }))).toEqual({ ...rows[2], big: 0 });
    expect([...records]).toEqual(rows);
    expect(records.get(5)).toBeUndefined();
    expect(records.get(-1)).toBeUndefined();
    // view: the shared zero-allocation view, moved by every call.
    const first = records.view(0)!;
    expect(first.toObject()).toEqual(rows[0]);
    const again = records.view(3)!;
    expect(again).toBe(first);
    expect(first.index).toBe(3);
    expect(first.price).toBe(4.5);
    expect(JSON.stringify(records.view(1, records.cursor())!, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).toBe(
      JSON.stringify({ ...rows[1], big: String(rows[1]!.big) }),
    );
    expect(Array.from(records.views(), (r) => r.id)).toEqual([0, 1, 2, 3, 4]);
    expect(records.view(5)).toBeUndefined();
    records.close();
  });

  it('continues an existing file and refuses one of another record size', () => {
    const path = tmp.path('continue.bin');
    const w1 = RecordWriter.open(path, { schema: { a: 'u32' } });
    w1.append({ a: 1 });
    w1.close();
    using w2 = RecordWriter.open(path, { schema: { a: 'u32' } });
    expect(w2.length).toBe(1);
    expect(w2.append({ a: 2 })).toBe(1);
    const odd = tmp.path('odd.bin');
    writeFileSync(odd, Buffer.alloc(5));
    expect(() => RecordWriter.open(odd, { schema: { a: 'u32' } })).toThrow(expect.objectContaining({ code: 'MMAP_ALIGNMENT_MISMATCH' }));
    expect(() => RecordWriter.open(tmp.path('no/such/dir.bin'), { schema: { a: 'u32' } })).toThrow(expect.objectContaining({ code: 'MMAP_IO_ERROR' }));
  });

  it('rejects missing or mistyped fields without appending', () => {
    const path = tmp.path('typed.bin');
    const writer = RecordWriter.open(path, { schema: { a: 'u32', b: 'i64' } });
    expect(() => writer.append({ a: 1 } as never)).toThrow('Expected `b` to be a bigint (i64), got undefined');
    expect(() => writer.append({ a: '1', b: 1n } as never)).toThrow(TypeError);
    expect(() => writer.append(null as never)).toThrow('Expected `record` to be an object, got null');
    expect(writer.length).toBe(0);
    writer.close();
    expect(() => writer.append({ a: 1, b: 1n })).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
    expect(() => RecordWriter.open('', { schema: { a: 'u8' } })).toThrow('Expected `path` to be a non-empty string, got "" (string)');
    expect(() => RecordWriter.open(path, null as never)).toThrow('Expected `options` to be an object, got null');
    expect(() => RecordWriter.open(path, { schema: { a: 'u8' }, bufferRecords: 0 })).toThrow('Expected `bufferRecords` to be a positive integer, got 0 (number)');
  });

  it('writes fields in place in readwrite mode, with independent cursors', async () => {
    const path = tmp.path('inplace.bin');
    const writer = RecordWriter.open(path, { schema, packed: true });
    writer.append({ id: 1, price: 1, qty: 1, big: 1n, flag: 1 });
    writer.append({ id: 2, price: 2, qty: 2, big: 2n, flag: 2 });
    writer.close();
    const records = await MappedRecords.open(path, { schema, packed: true, mode: 'readwrite' });
    const a = records.cursor();
    expect(a.index).toBe(-1);
    expect(() => a.id).toThrow(RangeError);
    const b = records.cursor();
    records.view(0, a);
    records.view(1, b);
    a.price = 10.25;
    b.big = 99n;
    expect(() => {
      a.qty = 1n as never;
    }).toThrow(TypeError);
    expect(records.get(0)!.price).toBe(10.25);
    expect(records.get(1)!.big).toBe(99n);
    // A plain record is a copy: assigning to it does not write the file.
    const copy = records.get(0)!;
    copy.price = 1;
    expect(records.get(0)!.price).toBe(10.25);
    expect(() => records.view(0, {} as never)).toThrow(TypeError);
    await records.sync();
    records.close();
    const reread = await MappedRecords.open(path, { schema, packed: true });
    expect(reread.get(0)).toEqual({ id: 1, price: 10.25, qty: 1, big: 1n, flag: 1 });
    expect(reread.layout.packed).toBe(true);
    reread.close();
  });

  it('throws MMAP_CLOSED from views after close, keeps plain records readable, and supports dispose', async () => {
    const path = tmp.path('closed.bin');
    const writer = RecordWriter.open(path, { schema: { a: 'u16' } });
    writer[Symbol.dispose]();
    expect(writer.closed).toBe(true);
    const w = RecordWriter.open(path, { schema: { a: 'u16' } });
    w.append({ a: 7 });
    w.close();
    let row;
    let copy;
    {
      using records = await MappedRecords.open(path, { schema: { a: 'u16' }, mode: 'private' });
      row = records.view(0)!;
      copy = records.get(0)!;
      expect(row.a).toBe(7);
      expect(records.isEmpty).toBe(false);
      expect(records.mode).toBe('private');
      expect(records.path).toBe(path);
      expect(records.isWindowed).toBe(false);
      expect(records.incore().totalPages).toBe(1);
      records.advise('random');
      records.verify();
      expect(records.collectMetrics().length).toBeGreaterThan(0);
    }
    expect(() => row.a).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
    expect(copy).toEqual({ a: 7 });
  });

  it('maps an empty records file as zero records', async () => {
    const path = tmp.path('empty-records.bin');
    writeFileSync(path, '');
    const records = await MappedRecords.open(path, { schema: { a: 'f32' } });
    expect(records.isEmpty).toBe(true);
    expect(records.get(0)).toBeUndefined();
    expect(() => records.cursor().a).toThrow(RangeError);
    records.close();
    expect(records.closed).toBe(true);
    expect(() => records.cursor()).toThrow(expect.objectContaining({ code: 'MMAP_CLOSED' }));
  });
});
