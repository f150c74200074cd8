import type { Pool } from '@patinox/pool';
import type { ConfigData, SharedMap } from '@patinox/shared';
import { readProduct, type Catalog } from './catalog.js';
import { count } from './format.js';
import { createPgPrices } from './pg-pricing.js';
import { redact } from './price-cache.js';
import { priceProduct, type PricingRules, type Quote } from './pricing.js';
import type { Resources } from './resources.js';
import { createWorkerPool, type PricingWorker } from './worker-pool.js';

/** What the summary and the metrics read of either pool. */
export type PoolView = Pick<Pool<unknown>, 'stats' | 'collectMetrics' | 'acquireWaitHistogram'>;

/** Who prices a cache miss: a pool of worker threads, or PostgreSQL through a pool of pg clients. */
export interface Pricer {
  /** Lines for the output. */
  readonly description: string;
  /** Prices product `id`; with a shared price map, the pricing thread stores the quote under `cacheKey`. */
  price(id: number, cacheKey?: string): Promise<Quote>;
  /** True when `price` stores quotes in the shared price map itself. */
  readonly storesQuotes: boolean;
  readonly pool: PoolView;
  /** What one pooled connection is, for the output. */
  readonly connection: 'worker' | 'pg client';
  /** Time the pool's connections spent answering, in ms. */
  busyMs(): number;
  /** Every worker started (none with PostgreSQL). */
  readonly workers: readonly PricingWorker[];
}

/** Options of {@link createPricer}. */
export interface PricerOptions {
  /** PostgreSQL holds the base prices when set; worker threads price from the catalog otherwise. */
  databaseUrl: string | undefined;
  catalog: Catalog;
  config: ConfigData<PricingRules>;
  resources: Resources;
  /** Worker threads (CPU-bound work: about one per core). */
  workerThreads: number;
  /** The products the stream will ask for (PostgreSQL only copies those). */
  productIds: () => Iterable<number>;
  /** A worker reported a new rules version. */
  onRulesSeen: (worker: PricingWorker, version: number) => void;
  /** The shared price map workers store quotes in (`--cache shared-map`). */
  prices?: SharedMap<Quote>;
}

/** Starts the pricing side and waits until the whole pool is ready to take traffic. */
export async function createPricer(options: PricerOptions): Promise<Pricer> {
  return options.databaseUrl === undefined ? workerPricer(options) : postgresPricer(options, options.databaseUrl);
}

async function workerPricer({ catalog, config, resources, workerThreads: size, onRulesSeen, prices }: PricerOptions): Promise<Pricer> {
  const { pool, workers } = createWorkerPool({ size, config, resources, onRulesSeen, ...(prices === undefined ? {} : { prices }) });
  resources.adopt(pool, { name: `worker pool (${size} threads)` });
  await warmUp(pool, size);
  return {
    description: `${size} worker threads in a Pool (@patinox/pool),\n          each with a ConfigReplica of the rules`,
    price: (id, cacheKey) => pool.use((worker) => worker.price(readProduct(catalog, id), prices === undefined ? undefined : cacheKey)),
    storesQuotes: prices !== undefined,
    pool,
    connection: 'worker',
    busyMs: () => workers.reduce((sum, w) => sum + w.busyMs, 0),
    workers,
  };
}

// I/O-bound: more clients than cores pay off.
const PG_CLIENTS = 4;

async function postgresPricer({ catalog, config, resources, productIds }: PricerOptions, url: string): Promise<Pricer> {
  const size = PG_CLIENTS;
  const pg = await createPgPrices({ url, catalog, productIds: productIds(), resources, size });
  await warmUp(pg.pool, size);
  return {
    description:
      `PostgreSQL at ${redact(url)},\n` +
      `          table ${pg.table} (${count(pg.rows)} requested products),\n` +
      `          read through a Pool of ${size} pg clients (@patinox/pool);\n` +
      `          rules applied on the main thread`,
    price: async (id) => priceProduct(await pg.product(id), config.get()),
    storesQuotes: false,
    pool: pg.pool,
    connection: 'pg client',
    busyMs: () => pg.busyMs,
    workers: [],
  };
}

// Borrowing every connection at once makes the pool open them all before the first request arrives.
// Every loan granted goes back even when another acquire fails: a Ctrl-C while workers start closes the
// pool, which rejects the acquires still waiting and then waits for the loans already out until its
// deadline (10 s), past the registry's cleanup timeout (5 s).
async function warmUp<C>(pool: Pool<C>, size: number): Promise<void> {
  const loans = await Promise.allSettled(Array.from({ length: size }, () => pool.acquire()));
  for (const loan of loans) if (loan.status === 'fulfilled') loan.value.release();
  const failed = loans.find((loan) => loan.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
