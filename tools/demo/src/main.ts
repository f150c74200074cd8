// `pnpm demo`: a small product-pricing service that uses every Patinox package together.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { toError } from '@patinox/errors';
import { installShutdownHooks, type ShutdownHooks } from '@patinox/resource';
import { ConfigData, SharedMap } from '@patinox/shared';
import { parseDemoArgs, UsageError, USAGE, type DemoArgs } from './args.js';
import { openCatalog, writeCatalog } from './catalog.js';
import { count, fitColumns, megabytes, seconds } from './format.js';
import { createDemoMetrics, serveMetrics } from './metrics.js';
import { createPriceCache } from './price-cache.js';
import { createPricer } from './pricer.js';
import { INITIAL_RULES, summerSale, validateRules, type PricingRules, type Quote } from './pricing.js';
import { checkServices } from './preflight.js';
import { Progress } from './progress.js';
import { Resources } from './resources.js';
import { ServiceUnavailableError } from './service-unavailable.js';
import { cleanupLines, summaryLines } from './summary.js';
import { runTraffic } from './traffic.js';
import { createWorkspace, writeJsonAtomically } from './workspace.js';
import { productIds } from './zipf.js';

const say = (...lines: string[]): void => {
  process.stdout.write(lines.length === 0 ? '\n' : `${fitColumns(lines.join('\n'))}\n`);
};

// Module scope: the resources must outlive `run()` when --hold keeps serving metrics after it returns.
const resources = new Resources();
let hooks: ShutdownHooks | undefined;

async function run(args: DemoArgs): Promise<number | 'hold'> {
  const interrupted = new AbortController();
  // Ctrl-C: the hooks shut the registry down (workers, mapping, files…), then let the signal end the process.
  hooks = installShutdownHooks({
    registry: resources.registry,
    onReport: (report, trigger) => say('', `Interrupted by ${trigger}.`, ...cleanupLines(report, resources.log.cleaned)),
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => interrupted.abort());
  say('Patinox demo: a product-pricing service built from every Patinox package', '(Ctrl-C stops it cleanly)', '');

  // The catalog: fixed-size records written once, then read in place through a read-only mapping.
  const workspace = createWorkspace(resources);
  const started = performance.now();
  writeCatalog(workspace.catalogPath, args.records, args.seed);
  const catalog = resources.adopt(await openCatalog(workspace.catalogPath), { name: 'mapping of catalog.bin' });
  const catalogBytes = catalog.length * catalog.recordSize;
  say(
    `catalog   ${count(catalog.length)} products × ${catalog.recordSize} B = ${megabytes(catalogBytes)}, written in ${seconds(performance.now() - started)},`,
    `          mapped read-only (@patinox/mmap) from a file in`,
    `          ${workspace.dir}`,
  );

  // The rules: a JSON file, watched; ConfigData validates each version and ships it to every worker.
  await writeJsonAtomically(workspace.rulesPath, INITIAL_RULES);
  const config = resources.adopt(new ConfigData<PricingRules>(INITIAL_RULES, { name: 'pricing-rules', validate: validateRules }), { name: 'pricing rules (ConfigData)' });
  resources.adopt(await config.watchFile(workspace.rulesPath, { debounceMs: 50 }), { name: 'watcher of pricing-rules.json' });
  say(`rules     v${config.get().version} from pricing-rules.json, watched (@patinox/shared ConfigData)`);

  // `--cache shared-map`: the price cache is a SharedMap every pricing worker writes its quotes into.
  const maxEntries = Math.max(1_000, Math.round(args.records / 20));
  if (args.cache === 'shared-map' && process.env.REDIS_URL !== undefined) throw new UsageError('--cache shared-map does not combine with REDIS_URL');
  const prices = args.cache === 'shared-map' ? SharedMap.create<Quote>({ capacity: maxEntries, maxKeyBytes: 24, maxValueBytes: 96, name: 'prices' }) : undefined;
  const pricer = await createPricer({
    databaseUrl: process.env.DATABASE_URL,
    catalog,
    config,
    resources,
    workerThreads: Math.min(4, Math.max(2, availableParallelism())),
    productIds: () => productIds(args.requests, args.records, args.seed),
    onRulesSeen: (worker, version) => progress.log(`rules     worker #${worker.id} now prices with rules v${version}`),
    ...(prices === undefined ? {} : { prices }),
  });
  say(`pricing   ${pricer.description}`);
  const cache = await createPriceCache({
    maxEntries,
    redisUrl: process.env.REDIS_URL,
    resources,
    ...(prices === undefined ? {} : { shared: { map: prices, filledByWorkers: pricer.storesQuotes } }),
  });
  say(`cache     ${cache.description}`);

  // Every package's metrics, pulled at scrape time.
  const { metrics, requests, failures, loads, latency } = createDemoMetrics();
  for (const source of [resources.registry, catalog, config, pricer.pool, cache]) metrics.addCollector(() => source.collectMetrics());
  if (args.metricsPort !== undefined) say(`metrics   ${await serveMetrics(metrics, args.metricsPort, resources)} (@patinox/monitor/prometheus)`);
  say(`cleanup   ${resources.active} resources guarded by a ResourceRegistry (@patinox/resource)`, '');

  // A new rules version: prices cached under the old one are dropped; each worker reports the switch.
  let rulesVersion = config.get().version;
  config.subscribe((rules) => {
    const old = rulesVersion;
    rulesVersion = rules.version;
    progress.log(`rules     v${rules.version} loaded from the edited file (markup ${rules.markupPercent} %)`);
    cache.invalidateTag(`rules-v${old}`).then(
      (dropped) => progress.log(`cache     dropped ${count(dropped)} prices computed with rules v${old}`),
      (error: unknown) => progress.log(`cache     could not drop the prices of rules v${old}: ${toError(error).message}`),
    );
  });

  // The service's one endpoint: a product's price, from the cache or priced on a miss.
  const handle = (id: number): Promise<Quote> => {
    const version = config.get().version;
    const key = `v${version}:${id}`;
    return cache.getOrLoad(key, () => (loads.inc(), pricer.price(id, key)), [`rules-v${version}`]);
  };
  // Requests answered without pricing, out of all requests (a failed request is never a hit).
  const hitRate = (): number => {
    const done = requests.value + failures.value;
    return done === 0 ? 0 : Math.max(0, requests.value - loads.value) / done;
  };
  const progress = new Progress(process.stdout, () => ({
    done: requests.value + failures.value,
    total: args.requests,
    hitRate: hitRate(),
    p50Ms: latency.percentile(0.5),
    p99Ms: latency.percentile(0.99),
    poolUtilization: pricer.pool.stats().utilization,
    rulesVersion,
  }));

  const half = Math.floor(args.requests / 2);
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
        const next = summerSale(config.get());
        writeJsonAtomically(workspace.rulesPath, next).then(
          () => progress.log(`rules     pricing-rules.json edited after ${count(half)} requests: v${next.version}, summer sale`),
          (error: unknown) => progress.log(`rules     could not edit pricing-rules.json: ${toError(error).message}`),
        );
      },
    },
  });
  progress.stop();
  if (interrupted.signal.aborted) return 130; // the shutdown hooks report and end the process

  // The stream may end before the new version reached everyone; give it a moment.
  const target = summerSale(INITIAL_RULES).version;
  const rolledOut = (): boolean => config.get().version === target && pricer.workers.every((w) => w.exited || w.rulesVersion === target);
  await waitFor(rolledOut, 10_000);

  say(
    '',
    ...summaryLines({
      requests: requests.value,
      failures: failures.value,
      loads: loads.value,
      hitRate: hitRate(),
      durationMs: traffic.durationMs,
      latency: latency.summary(),
      tiers: cache.tierStats(),
      pricer,
      rules: { from: INITIAL_RULES.version, to: config.get().version, editedAfter: half },
      catalog: { records: catalog.length, bytes: catalogBytes },
    }),
  );
  if (traffic.firstError !== undefined) say(`first failure: ${toError(traffic.firstError).message}`);

  if (args.hold) {
    say('', 'Holding: metrics stay up until Ctrl-C, which cleans everything up.');
    return 'hold';
  }
  hooks.uninstall();
  say('', ...cleanupLines(await resources.shutdown(), resources.log.cleaned));
  say(`temp dir  ${existsSync(workspace.dir) ? 'STILL THERE' : 'removed'}: ${workspace.dir}`);
  return failures.value === 0 && rolledOut() ? 0 : 1;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

try {
  const args = parseDemoArgs(process.argv.slice(2));
  if (args.help) say(USAGE);
  else {
    // Before anything is built: a server that is down costs one line, at once.
    await checkServices({ redisUrl: process.env.REDIS_URL, databaseUrl: process.env.DATABASE_URL });
    const code = await run(args);
    if (code !== 'hold') process.exitCode = code;
  }
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`patinox demo: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else if (error instanceof ServiceUnavailableError) {
    // One line: what is down and what to do. Whatever was built is released quietly (listed only if that fails).
    process.stderr.write(`patinox demo: ${error.message}\n`);
    hooks?.uninstall();
    const report = await resources.shutdown();
    if (report.failures.length > 0) say(...cleanupLines(report, resources.log.cleaned));
    process.exitCode = 1;
  } else {
    // A server that is down, a full disk…: say why, and still release everything.
    process.stderr.write(`patinox demo failed: ${toError(error).message}\n`);
    hooks?.uninstall();
    say(...cleanupLines(await resources.shutdown(), resources.log.cleaned));
    process.exitCode = 1;
  }
}
