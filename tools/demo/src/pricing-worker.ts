// The worker thread behind each pooled connection: prices products with the rules it gets from the
// main thread's ConfigData, and says when a new version of the rules reached it. With a shared price
// map (`--cache shared-map`) it also stores each quote there, where every thread reads it.
import { parentPort, workerData } from 'node:worker_threads';
import { isPatinoxError } from '@patinox/errors';
import { ConfigReplica, SHARED_MAP_FULL, SharedMap, type ConfigHandle, type SharedMapHandle } from '@patinox/shared';
import { priceProduct, type PricingRules, type Quote } from './pricing.js';
import type { FromWorker, ToWorker } from './worker-pool.js';

const port = parentPort;
if (port === null) throw new Error('pricing-worker.js runs as a worker thread');
const data = workerData as { rules: ConfigHandle<PricingRules>; prices?: SharedMapHandle };
const rules = ConfigReplica.from(data.rules);
const prices = data.prices === undefined ? undefined : SharedMap.from<Quote>(data.prices);
const send = (message: FromWorker): void => port.postMessage(message);

rules.subscribe((config) => send({ type: 'rules', version: config.version }));
port.on('message', (message: ToWorker) => {
  const quote = priceProduct(message.product, rules.get());
  if (prices !== undefined && message.cacheKey !== undefined) {
    try {
      prices.set(message.cacheKey, quote);
    } catch (error) {
      // A full map (it has no eviction) just stops caching new products; anything else is a bug.
      if (!isPatinoxError(error, SHARED_MAP_FULL)) throw error;
    }
  }
  send({ type: 'quote', requestId: message.requestId, quote });
});
send({ type: 'ready', version: rules.get().version });
