import { MappedRecords, RecordWriter, type RecordValues } from '@patinox/mmap';
import { createRandom } from './zipf.js';

/** One fixed-size product record (16 bytes): the layout of the catalog file. */
export const PRODUCT_SCHEMA = {
  id: 'u32',
  category: 'u16',
  stock: 'u16',
  basePriceCents: 'u32',
  weightGrams: 'u32',
} as const;

export type Product = RecordValues<typeof PRODUCT_SCHEMA>;
export type Catalog = MappedRecords<typeof PRODUCT_SCHEMA, 'read'>;

/** Product categories; a product's `category` indexes this list. */
export const CATEGORIES = ['books', 'games', 'garden', 'kitchen', 'music', 'outdoor', 'tools', 'toys'] as const;

/** Writes `records` generated products to `path`, once, with the same products for the same seed. */
export function writeCatalog(path: string, records: number, seed: number): void {
  const random = createRandom(seed ^ 0x5eed);
  const writer = RecordWriter.open(path, { schema: PRODUCT_SCHEMA, bufferRecords: 8192 });
  try {
    const product: Product = { id: 0, category: 0, stock: 0, basePriceCents: 0, weightGrams: 0 };
    for (let id = 0; id < records; id += 1) {
      product.id = id;
      product.category = Math.floor(random() * CATEGORIES.length);
      product.stock = Math.floor(random() * 500);
      product.basePriceCents = 199 + Math.floor(random() * 20_000);
      product.weightGrams = 50 + Math.floor(random() * 5_000);
      writer.append(product);
    }
  } finally {
    writer.close();
  }
}

/** Maps the catalog read-only: lookups read the page cache directly, with no copy and no parse. */
export function openCatalog(path: string): Promise<Catalog> {
  return MappedRecords.open(path, { schema: PRODUCT_SCHEMA, mode: 'read', advice: 'random' });
}

/** A plain copy of product `id` (the mapped accessor is reused by the next lookup). */
export function readProduct(catalog: Catalog, id: number): Product {
  const record = catalog.get(id);
  if (record === undefined) throw new RangeError(`Expected a product id below ${catalog.length}, got ${id}`);
  return { id: record.id, category: record.category, stock: record.stock, basePriceCents: record.basePriceCents, weightGrams: record.weightGrams };
}
