import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from '@jest/globals';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const script = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'shared-worker.mjs');

function nextMessage<T>(worker: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

describe('cross-worker shared memory', () => {
  it('shows a write made in one worker to another worker that mapped the file earlier', async () => {
    const path = tmp.path('shared.bin');
    writeFileSync(path, Buffer.alloc(4096));
    const env = { ...process.env, NODE_OPTIONS: '' };
    const reader = new Worker(script, { workerData: { path, role: 'reader', index: 5 }, env });
    try {
      await expect(nextMessage(reader)).resolves.toEqual({ ready: true, value: 0 });
      const writer = new Worker(script, { workerData: { path, role: 'writer', index: 5, value: 0xc0ffee }, env });
      await expect(nextMessage(writer)).resolves.toEqual({ written: 0xc0ffee });
      await new Promise((resolve) => writer.once('exit', resolve));
      reader.postMessage('read');
      await expect(nextMessage(reader)).resolves.toEqual({ value: 0xc0ffee });
      reader.postMessage('stop');
    } finally {
      await reader.terminate();
    }
  });
});
