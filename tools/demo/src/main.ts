// `pnpm demo`: a small product-pricing service that uses every Patinox package together.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { toError } from '@patinox/errors';
import type { Pool } from '@patinox/pool';
import { installShutdownHooks, type CleanupReport, type ShutdownHooks } from '@patinox/resource';
import { ConfigData } from '@patinox/shared';
import { parseDemoArgs, UsageError, USAGE, type DemoArgs } from './args.js';
import { openCatalog, readProduct, writeCatalog } from './catalog.js';
import { count, megabytes, ms, percent, seconds } from './format.js';
import { createDemoMetrics, serveMetrics } from './metrics.js';
import { createPgPrices } from './pg-pricing.js';
import { createPriceCache, redact } from './price-cache.js';
import { INITIAL_RULES, priceProduct, summerSale, validateRules, type PricingRules, type Quote } from './pricing.js';
import { Progress } from './progress.js';
import { Resources } from './resources.js';
import { formatColumns, formatTable } from './summary.js';
import { runTraffic } from './traffic.js';
import { createWorkerPool, type PricingWorker } from './worker-pool.js';
import { createWorkspace, writeJsonAtomically } from './workspace.js';
import { productIds } from './zipf.js';

const say = (line = ''): boolean => process.stdout.write(`${line}\n`);

// Module scope: the resources must outlive `run()` when --hold keeps serving metrics after it returns.
const resources = new Resources();
let hooks: ShutdownHooks | undefined;

async function run(args: DemoArgs): Promise<number | 'hold'> {
  const { registry } = resources;
  const interrupted = new AbortController();
  // Ctrl-C: the hooks shut the registry down (workers, mapping, files…), then let the signal end the process.
  hooks = installShutdownHooks({
    registry,
    onReport: (report, trigger) => {
      say();
      say(`Interrupted by ${trigger}.`);
      printCleanup(report);
    },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => interrupted.abort());

  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  say('Patinox demo: a product-pricing service built from every Patinox package (Ctrl-C stops it cleanly)');
  say();

  // The catalog: fixed-size records written once, then read in place through a read-only mapping.
  const workspace = createWorkspace(resources);
  const t0 = performance.now();
  writeCatalog(workspace.catalogPath, args.records, args.seed);
  const catalog = resources.adopt(await openCatalog(workspace.catalogPath), { name: 'mapping of catalog.bin' });
  const catalogBytes = catalog.length * catalog.recordSize;
  const catalogMs = performance.now() - t0;
  say(`catalog   ${count(catalog.length)} products × ${catalog.recordSize} B = ${megabytes(catalogBytes)}, written in ${seconds(catalogMs)}, mapped read-only (@patinox/mmap)`);
  say(`          ${workspace.dir}`);

  // The rules: a JSON file, watched; ConfigData validates each version and ships it to every worker.
  await writeJsonAtomically(workspace.rulesPath, INITIAL_RULES);
  const config = resources.adopt(new ConfigData<PricingRules>(INITIAL_RULES, { name: 'pricing-rules', validate: validateRules }), { name: 'pricing rules (ConfigData)' });
  resources.adopt(await config.watchFile(workspace.rulesPath, { debounceMs: 50 }), { name: 'watcher of pricing-rules.json' });
  say(`rules     v${config.get().version} from pricing-rules.json, watched for changes (@patinox/shared ConfigData)`);

  const { metrics, requests, failures, loads, latency } = createDemoMetrics();
  metrics.addCollector(() => registry.collectMetrics());
  metrics.addCollector(() => catalog.collectMetrics());
  metrics.addCollector(() => config.collectMetrics());

  // Who prices a cache miss: a pool of worker threads, or PostgreSQL through a pool of pg clients.
  let workers: PricingWorker[] = [];
  let pricer: (id: number) => Promise<Quote>;
  let pool: Pick<Pool<unknown>, 'stats' | 'collectMetrics' | 'acquireWaitHistogram'>;
  let busyMs = 0;
  let busy = (): number => busyMs;
  if (databaseUrl === undefined) {
    const size = Math.min(4, Math.max(2, availableParallelism()));
    const workerPool = createWorkerPool({
      size,
      config,
      resources,
      onRulesSeen: (worker, version) => {
        progress.log(`rules     worker #${worker.id} now prices with rules v${version}`);
      },
    });
    ({ pool, workers } = workerPool);
    resources.adopt(workerPool.pool, { name: `worker pool (${size} threads)` });
    pricer = (id) =>
      workerPool.pool.use(async (worker) => {
        const start = performance.now();
        try {
          return await worker.price(readProduct(catalog, id));
        } finally {
          busyMs += performance.now() - start;
        }
      });
    say(`pricing   ${size} worker threads in a Pool (@patinox/pool), each with a ConfigReplica of the rules`);
  } else {
    say(`pricing   PostgreSQL at ${redact(databaseUrl)}: copying the requested products into a table…`);
    const pg = await createPgPrices({ url: databaseUrl, catalog, productIds: productIds(args.requests, args.records, args.seed), resources, size: 4 });
    pool = pg.pool;
    pricer = async (id) => priceProduct(await pg.product(id), config.get());
    busy = () => pg.busyMs;
    say(`          table ${pg.table} (${count(pg.rows)} products), read through a Pool of 4 pg clients (@patinox/pool)`);
  }
  metrics.addCollector(() => pool.collectMetrics());

  const cache = await createPriceCache({ maxEntries: Math.max(1_000, Math.round(args.records / 20)), redisUrl, resources });
  metrics.addCollector(() => cache.collectMetrics());
  say(`cache     ${cache.description} (@patinox/cache)`);
  if (args.metricsPort !== undefined) say(`metrics   ${await serveMetrics(metrics, args.metricsPort, resources)} (@patinox/monitor/prometheus)`);
  say(`cleanup   ${resources.active} resources guarded so far by a ResourceRegistry (@patinox/resource)`);
  say();

  // A new rules version: cached prices of the old one are dropped, and each worker reports the switch.
  let rulesVersion = config.get().version;
  config.subscribe((rules) => {
    const old = rulesVersion;
    rulesVersion = rules.version;
    progress.log(`rules     v${rules.version} loaded from the edited file (markup ${rules.markupPercent} %)`);
    cache.invalidateTag(`rules-v${old}`).then(
      (dropped) => progress.log(`cache     dropped ${count(dropped)} prices computed with rules v${old}`),
      (error: unknown) => progress.log(`cache     could not drop the prices of rules v${old}: ${String(error)}`),
    );
  });

  // Answered without pricing, out of all requests (a failed request is never a hit).
  const hitRate = (): number => {
    const done = requests.value + failures.value;
    return done === 0 ? 0 : Math.max(0, requests.value - loads.value) / done;
  };
  const handle = (id: number): Promise<Quote> => {
    const version = config.get().version;
    return cache.getOrLoad(`v${version}:${id}`, () => (loads.inc(), pricer(id)), [`rules-v${version}`]);
  };
  const progress = new Progress(process.stdout, () => {
    const done = requests.value + failures.value;
    return {
      done,
      total: args.requests,
      hitRate: hitRate(),
      p50Ms: latency.percentile(0.5),
      p99Ms: latency.percentile(0.99),
      poolUtilization: pool.stats().utilization,
      rulesVersion,
    };
  });

  const half = Math.floor(args.requests / 2);
  let editedAt = 0;
  progress.start();
  const traffic = await runTraffic({
    ids: productIds(args.requests, args.records, args.seed),
    concurrency: 16,
    handle,
    requests,
    failures,
    latency,
    signal: interrupted.signal,
    milestone: {
      after: half,
      run: () => {
        editedAt = half;
        const next = summerSale(config.get());
        writeJsonAtomically(workspace.rulesPath, next).then(
          () => progress.log(`rules     pricing-rules.json edited after ${count(half)} requests: v${next.version}, summer sale`),
          (error: unknown) => progress.log(`rules     could not edit pricing-rules.json: ${String(error)}`),
        );
      },
    },
  });
  progress.stop();
  if (interrupted.signal.aborted) return 130; // the shutdown hooks report and end the process

  // The stream may end before the new version reached everyone; give it a moment.
  const target = summerSale(INITIAL_RULES).version;
  const rolledOut = (): boolean => config.get().version === target && workers.every((w) => w.exited || w.rulesVersion === target);
  await waitFor(rolledOut, 10_000);

  const elapsed = traffic.durationMs;
  const done = requests.value + failures.value;
  const l = latency.summary();
  const poolSize = pool.stats().maxSize;
  const onTarget = workers.filter((w) => w.rulesVersion === target).length;
  say();
  say(
    formatTable('Summary', [
      ['requests', `${count(requests.value)} in ${seconds(elapsed)} (${count((done / elapsed) * 1000)}/s), ${count(failures.value)} failed`],
      ['hit rate', `${percent(hitRate())} (${count(loads.value)} prices computed)`],
      ...cache.tierStats().map(({ name, hits, misses }) => [`  ${name}`, `${count(hits)} hits, ${count(misses)} misses`] as const),
      ['latency', `p50 ${ms(l.p50)}   p99 ${ms(l.p99)}   max ${ms(l.max)}`],
      ['pricing', databaseUrl === undefined ? `${poolSize} worker threads, ${percent(busy() / (poolSize * elapsed))} busy` : `PostgreSQL, ${poolSize} pg clients, ${percent(busy() / (poolSize * elapsed))} busy`],
      ['pool wait', `p99 ${ms(pool.acquireWaitHistogram.percentile(0.99))} to borrow a ${databaseUrl === undefined ? 'worker' : 'client'}`],
      [
        'rules',
        `v${INITIAL_RULES.version} → v${config.get().version} after ${count(editedAt)} requests; ` +
          (databaseUrl === undefined ? `seen by ${onTarget}/${workers.length} workers` : 'applied by the PostgreSQL loader'),
      ],
      ['catalog', `${count(catalog.length)} products, ${megabytes(catalogBytes)} mapped`],
    ]),
  );
  if (workers.length > 0) {
    say(formatColumns(['worker', 'quotes', 'rules versions seen'], workers.map((w) => [`#${w.id}`, count(w.quotes), w.rulesVersions.map((v) => `v${v}`).join(' → ')])));
  }
  if (traffic.firstError !== undefined) say(`first failure: ${toError(traffic.firstError).message}`);

  if (args.hold) {
    say();
    say('Holding: metrics stay up until Ctrl-C, which cleans everything up.');
    return 'hold';
  }
  hooks.uninstall();
  say();
  printCleanup(await resources.shutdown());
  say(`temp dir  ${existsSync(workspace.dir) ? 'STILL THERE' : 'removed'}: ${workspace.dir}`);
  return failures.value === 0 && rolledOut() ? 0 : 1;
}

function printCleanup(report: CleanupReport): void {
  say(`Cleaned up ${report.cleaned} resources in ${ms(report.durationMs)}, ${report.failures.length} failed:`);
  const counts = new Map<string, number>();
  for (const name of resources.log.cleaned) {
    const kind = name.replace(/ #\d+$/, '');
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  for (const [kind, n] of counts) say(`  ✓ ${kind}${n > 1 ? ` ×${n}` : ''}`);
  for (const failure of report.failures) say(`  ✗ ${failure.name}: ${failure.code} ${failure.reason}`);
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

try {
  const args = parseDemoArgs(process.argv.slice(2));
  if (args.help) say(USAGE);
  else {
    const code = await run(args);
    if (code !== 'hold') process.exitCode = code;
  }
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`patinox demo: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    // A server that is down, a full disk…: say why, and still release everything.
    process.stderr.write(`patinox demo failed: ${toError(error).message}\n`);
    hooks?.uninstall();
    printCleanup(await resources.shutdown());
    process.exitCode = 1;
  }
}
