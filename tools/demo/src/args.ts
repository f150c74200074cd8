import { parseArgs } from 'node:util';

/** What the command line asked for. */
export interface DemoArgs {
  /** Requests in the simulated stream. */
  requests: number;
  /** Products in the catalog file. */
  records: number;
  /** Seed of the request stream and of the generated catalog. */
  seed: number;
  /** Port of the Prometheus endpoint (0 picks a free one); undefined when not asked for. */
  metricsPort: number | undefined;
  /** Keep serving metrics after the summary, until Ctrl-C. */
  hold: boolean;
  /** Where prices are cached: an in-process `Cache` on the main thread, or a `SharedMap` the workers fill. */
  cache: 'cache' | 'shared-map';
  help: boolean;
}

/** A command line the demo cannot run with; `main` prints the message and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

// About a minute on a busy 2-core machine (the pricing workers are the bottleneck).
export const DEFAULTS = { requests: 1_800_000, records: 1_000_000, seed: 42 } as const;

export const USAGE = `Usage: pnpm demo [options]

A small product-pricing service built from every Patinox package.

Options:
  --requests <n>      requests in the Zipf-distributed stream
                      (default ${DEFAULTS.requests.toLocaleString('en-US')})
  --records <n>       products in the memory-mapped catalog
                      (default ${DEFAULTS.records.toLocaleString('en-US')})
  --seed <n>          seed of the request stream and the catalog (default ${DEFAULTS.seed})
  --metrics-port <n>  serve Prometheus metrics on http://127.0.0.1:<n>/metrics
                      (0 picks a free port)
  --hold              after the summary, keep serving metrics until Ctrl-C
  --cache <kind>      cache (default): an in-process Cache on the main thread;
                      shared-map: a SharedMap in shared memory that the pricing
                      workers fill
  --help              show this help

Environment:
  REDIS_URL           put a Redis tier behind the in-process cache
                      (TieredCache + RedisBackend)
  DATABASE_URL        read base prices from PostgreSQL through a pool of pg
                      clients instead of the workers
`;

function integer(flag: string, text: string | undefined, min: number, max: number): number {
  const value = Number(text?.replaceAll('_', ''));
  if (text === undefined || text.trim() === '' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`Expected --${flag} to be an integer from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got ${JSON.stringify(text ?? '')}`);
  }
  return value;
}

/**
 * Parses the demo's flags.
 * @throws {UsageError} for an unknown flag, a missing value or a value out of range.
 */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  // `pnpm demo -- --requests 10` passes the `--` along.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        requests: { type: 'string' },
        records: { type: 'string' },
        seed: { type: 'string' },
        'metrics-port': { type: 'string' },
        hold: { type: 'boolean', default: false },
        cache: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const metricsPort = values['metrics-port'] === undefined ? undefined : integer('metrics-port', values['metrics-port'], 0, 65_535);
  if (values.hold && metricsPort === undefined) throw new UsageError('--hold only makes sense with --metrics-port');
  const cache = values.cache ?? 'cache';
  if (cache !== 'cache' && cache !== 'shared-map') throw new UsageError(`Expected --cache to be cache or shared-map, got ${JSON.stringify(cache)}`);
  return {
    requests: values.requests === undefined ? DEFAULTS.requests : integer('requests', values.requests, 1, 100_000_000),
    records: values.records === undefined ? DEFAULTS.records : integer('records', values.records, 1_000, 100_000_000),
    seed: values.seed === undefined ? DEFAULTS.seed : integer('seed', values.seed, 0, 2 ** 32 - 1),
    metricsPort,
    hold: values.hold,
    cache,
    help: values.help,
  };
}
