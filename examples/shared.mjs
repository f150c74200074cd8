// @patinox/shared: live feature flags for a service with worker threads. The main thread owns a
// validated, versioned ConfigData; each worker holds a ConfigReplica that receives every new version,
// and all of them count requests in one SharedRegion (shared memory behind a reader-writer lock).
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { isPatinoxError } from '@patinox/errors';
import { SHARED_CONFIG_INVALID, ConfigData, ConfigReplica, SharedRegion } from '@patinox/shared';

if (isMainThread) {
  const flags = new ConfigData(
    { checkoutV2: false, maxCartItems: 50 },
    { name: 'flags', validate: (f) => (Number.isInteger(f.maxCartItems) && f.maxCartItems > 0) || 'maxCartItems must be a positive integer' },
  );
  const counters = SharedRegion.create('Int32Array', 2, { name: 'requests-per-flag' });

  const workers = [1, 2].map((id) => {
    const config = flags.share();
    const worker = new Worker(new URL(import.meta.url), { workerData: { id, config, counters: counters.handle }, transferList: [config.port] });
    return new Promise((resolve) => worker.on('message', (line) => (line === 'done' ? resolve(worker.terminate()) : console.log(line))));
  });

  await new Promise((resolve) => setTimeout(resolve, 50));
  try {
    flags.update({ checkoutV2: true, maxCartItems: 0 });
  } catch (error) {
    if (!isPatinoxError(error, SHARED_CONFIG_INVALID)) throw error;
    console.log(`main: refused version ${flags.version + 1}: ${error.message}`);
  }
  console.log(`main: flags v${flags.update({ checkoutV2: true, maxCartItems: 100 })} published`);
  await Promise.all(workers);
  const [oldCheckout, newCheckout] = await counters.withRead((view) => [...view]);
  console.log(`main: ${oldCheckout + newCheckout} requests, ${newCheckout} on checkout v2`);
  flags.close();
} else {
  const { id, config, counters: handle } = workerData;
  const flags = ConfigReplica.from(config);
  const counters = SharedRegion.from(handle);
  let seen = false;
  flags.subscribe((f, version) => {
    if (seen) return;
    seen = true;
    parentPort.postMessage(`worker ${id}: now on flags v${version} (checkoutV2 = ${f.checkoutV2})`);
  });
  // Serve 100 requests, each reading the flags of the moment; count them in shared memory.
  for (let i = 0; i < 100; i += 1) {
    const slot = flags.get().checkoutV2 ? 1 : 0;
    await counters.withWrite((view) => (view[slot] += 1));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  while (!seen) await new Promise((resolve) => setTimeout(resolve, 5));
  parentPort.postMessage('done');
}
