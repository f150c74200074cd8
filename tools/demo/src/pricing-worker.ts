// The worker thread behind each pooled connection: prices products with the rules it gets from the
// main thread's ConfigData, and says when a new version of the rules reached it.
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigReplica, type ConfigHandle } from '@patinox/shared';
import { priceProduct, type PricingRules } from './pricing.js';
import type { FromWorker, ToWorker } from './worker-pool.js';

const port = parentPort;
if (port === null) throw new Error('pricing-worker.js runs as a worker thread');
const data = workerData as { rules: ConfigHandle<PricingRules> };
const rules = ConfigReplica.from(data.rules);
const send = (message: FromWorker): void => port.postMessage(message);

rules.subscribe((config) => send({ type: 'rules', version: config.version }));
port.on('message', (message: ToWorker) => {
  send({ type: 'quote', requestId: message.requestId, quote: priceProduct(message.product, rules.get()) });
});
send({ type: 'ready', version: rules.get().version });
