// Worker side of shared-map.bench: runs `op` ('get' or 'set') on random keys for `durationMs` against
// one of three stores and reports how many it did:
// - shared: a SharedMap attached from the handle (all workers share it);
// - post:   a Map in the main thread, one postMessage round trip per operation (what users do today);
// - local:  a plain Map of this worker's own (the floor: no sharing at all).
import { parentPort, workerData } from 'node:worker_threads';
import { SharedMap } from '@patinox/shared';

const { store, op, keys, durationMs, port, handle } = workerData;
const local = new Map();
const map = store === 'shared' ? SharedMap.from(handle) : undefined;
for (let i = 0; i < keys; i += 1) local.set(`sym:${i}`, { price: i, ts: 0 });
const names = Array.from({ length: keys }, (_, i) => `sym:${i}`);
let seed = (workerData.seed * 2654435761) >>> 0;
const next = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return names[seed % keys];
};

// Every run starts together: the main thread posts 'go' to all workers at once.
parentPort.once('message', async () => {
  let done = 0;
  let sink = 0;
  const started = performance.now();
  const until = started + durationMs;
  if (store === 'post') {
    let resolveReply;
    port.on('message', (value) => resolveReply(value));
    const ask = (message) =>
      new Promise((resolve) => {
        resolveReply = resolve;
        port.postMessage(message);
      });
    while (performance.now() < until) {
      for (let i = 0; i < 64; i += 1) {
        const key = next();
        if (op === 'get') sink += (await ask({ get: key }))?.price ?? 0;
        else await ask({ set: key, value: { price: done, ts: 1 } });
        done += 1;
      }
    }
    port.close();
  } else {
    while (performance.now() < until) {
      for (let i = 0; i < 1024; i += 1) {
        const key = next();
        if (store === 'shared') {
          if (op === 'get') sink += map.get(key)?.price ?? 0;
          else map.set(key, { price: done, ts: 1 });
        } else if (op === 'get') sink += local.get(key)?.price ?? 0;
        else local.set(key, { price: done, ts: 1 });
        done += 1;
      }
    }
  }
  parentPort.postMessage({ done, ms: performance.now() - started, sink });
});
parentPort.postMessage('ready');
