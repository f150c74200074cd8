// @patinox/mmap: a price table of fixed-size records written once and read in place through a
// memory mapping (no parse, no copy), plus a counters file shared through a writable mapping.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MMAP_CLOSED, MappedFile, MappedRecords, RecordWriter, computeRecordLayout } from '@patinox/mmap';
import { isPatinoxError } from '@patinox/errors';

const dir = mkdtempSync(join(tmpdir(), 'patinox-mmap-example-'));
try {
  const schema = { sku: 'u32', priceCents: 'u32', stock: 'u16', rating: 'f32' };
  const layout = computeRecordLayout(schema);
  console.log(`record layout: ${layout.fields.map((f) => `${f.name}@${f.offset}`).join(' ')}, ${layout.recordSize} bytes`);

  const writer = RecordWriter.open(join(dir, 'prices.bin'), { schema });
  for (let sku = 0; sku < 100_000; sku += 1) writer.append({ sku, priceCents: 100 + (sku % 900), stock: sku % 50, rating: (sku % 5) + 0.5 });
  writer.close();

  const prices = await MappedRecords.open(join(dir, 'prices.bin'), { schema });
  const item = prices.get(41_999);
  console.log(`${prices.length} records mapped; sku ${item.sku} costs ${item.priceCents} cents, rating ${item.rating}`);
  let inStock = 0;
  for (const record of prices) if (record.stock > 0) inStock += 1;
  console.log(`${inStock} in stock, out-of-range get: ${prices.get(100_000)}`);
  prices.close();
  try {
    prices.get(0);
  } catch (error) {
    if (!isPatinoxError(error, MMAP_CLOSED)) throw error;
    console.log(`after close: ${error.code}, not a crash`);
  }

  // A writable mapping: the file grows to `size` and writes reach it without write() calls.
  const counters = await MappedFile.open(join(dir, 'counters.u32'), { type: 'u32', mode: 'readwrite', size: 4096 });
  const hits = counters.asMappedSlice();
  for (let i = 0; i < 1_000; i += 1) hits.set(i % 8, (hits.get(i % 8) ?? 0) + 1);
  await counters.sync();
  counters.close();
  const reread = await MappedFile.open(join(dir, 'counters.u32'), { type: 'u32' });
  console.log(`counters after reopening: ${[...reread.asMappedSlice().slice(0, 8)].join(' ')}`);
  reread.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
