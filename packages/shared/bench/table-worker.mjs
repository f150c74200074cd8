// Worker side of cross-worker.bench: answers 'scan' (sum the whole shared table under a read lock),
// 'lookup' (read one element under a read lock) and posted copies (sum the received table).
import { parentPort, workerData } from 'node:worker_threads';
import { SharedRegion } from '@patinox/shared';

const region = SharedRegion.from(workerData.region);
const sum = (view) => {
  let s = 0;
  for (let i = 0; i < view.length; i += 1) s += view[i];
  return s;
};

parentPort.on('message', async (message) => {
  if (message === 'scan') parentPort.postMessage(await region.withRead(sum));
  else if (message === 'lookup') parentPort.postMessage(await region.withRead((view) => view[12345]));
  else if (message === 'close') parentPort.close();
  else if (message.copy) parentPort.postMessage(message.lookup ? message.copy[12345] : sum(message.copy));
});
