import pg from 'pg';
import { Pool, type ConnectionManager } from '@patinox/pool';
import { CleanupPriority } from '@patinox/resource';
import { readProduct, type Catalog, type Product } from './catalog.js';
import type { Resources } from './resources.js';

/** Options of {@link createPgPrices}. */
export interface PgPricesOptions {
  url: string;
  catalog: Catalog;
  /** The products the stream will ask for: only those are copied into the table. */
  productIds: Iterable<number>;
  resources: Resources;
  size: number;
}

/** Base prices in a PostgreSQL table, read through a `Pool` of pg clients. */
export interface PgPrices {
  pool: Pool<pg.Client>;
  table: string;
  rows: number;
  /** Reads one product's row. */
  product(id: number): Promise<Product>;
  /** Time spent with a borrowed client, in ms: the pool's busy time. */
  readonly busyMs: number;
}

const BATCH = 20_000;

interface ProductRow {
  id: number;
  category: number;
  stock: number;
  base_price_cents: number;
  weight_grams: number;
}

/**
 * Creates a table of the requested products' base prices (dropped again by the registry at the end),
 * and a pool of pg clients to read it with.
 */
export async function createPgPrices(options: PgPricesOptions): Promise<PgPrices> {
  const { url, catalog, resources } = options;
  const manager: ConnectionManager<pg.Client> = {
    async create() {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
      await client.connect();
      return client;
    },
    isValid: (client) => client.query('SELECT 1').then(() => true, () => false),
    destroy: (client) => client.end(),
    watch: (client, onError) => {
      client.on('error', onError);
    },
  };
  const pool = new Pool(manager, { name: 'postgres', maxSize: options.size, acquireTimeoutMs: 5_000 });
  resources.adopt(pool, { name: `postgres pool (${options.size} clients)`, priority: CleanupPriority.High });

  const table = `patinox_demo_prices_${process.pid}_${Date.now().toString(36)}`;
  await pool.use((client) =>
    client.query(`CREATE UNLOGGED TABLE ${table} (id integer PRIMARY KEY, category smallint, stock smallint, base_price_cents integer, weight_grams integer)`),
  );
  // Dropped over its own connection, so it does not matter whether the pool closed first.
  resources.guard(table, (name) => dropTable(url, name), { name: `postgres table ${table}`, priority: CleanupPriority.High });

  const ids = [...new Set(options.productIds)];
  for (let start = 0; start < ids.length; start += BATCH) {
    const columns: number[][] = [[], [], [], [], []];
    for (const id of ids.slice(start, start + BATCH)) {
      const p = readProduct(catalog, id);
      [p.id, p.category, p.stock, p.basePriceCents, p.weightGrams].forEach((value, i) => columns[i]!.push(value));
    }
    await pool.use((client) =>
      client.query(`INSERT INTO ${table} SELECT * FROM unnest($1::int[], $2::smallint[], $3::smallint[], $4::int[], $5::int[])`, columns),
    );
  }

  const query = { name: `price-${table}`, text: `SELECT id, category, stock, base_price_cents, weight_grams FROM ${table} WHERE id = $1` };
  let busyMs = 0;
  return {
    pool,
    table,
    rows: ids.length,
    get busyMs() {
      return busyMs;
    },
    async product(id) {
      const result = await pool.use(async (client) => {
        const start = performance.now();
        try {
          return await client.query<ProductRow>({ ...query, values: [id] });
        } finally {
          busyMs += performance.now() - start;
        }
      });
      const row = result.rows[0];
      if (row === undefined) throw new Error(`Product ${id} is not in ${table}`);
      return { id: row.id, category: row.category, stock: row.stock, basePriceCents: row.base_price_cents, weightGrams: row.weight_grams };
    },
  };
}

async function dropTable(url: string, table: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
  } finally {
    await client.end();
  }
}
