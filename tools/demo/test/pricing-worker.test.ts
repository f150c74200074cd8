import { describe, expect, it } from '@jest/globals';
import { ConfigData } from '@patinox/shared';
import { INITIAL_RULES, type PricingRules } from '../src/pricing.js';
import { PricingWorker } from '../src/worker-pool.js';
import { WorkerStartError } from '../src/worker-start-error.js';

const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);

function start(workerUrl: URL, signal = new AbortController().signal): Promise<PricingWorker> {
  const config = new ConfigData<PricingRules>(INITIAL_RULES, { name: 'pricing-rules' });
  return PricingWorker.start(1, config, () => {}, signal, undefined, workerUrl).finally(() => config.close());
}

describe('PricingWorker.start', () => {
  it('rejects with DEMO_WORKER_START_FAILED when the thread exits before it is ready', async () => {
    const error = await start(fixture('exit-before-ready.mjs')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkerStartError);
    expect(error).toMatchObject({ code: 'DEMO_WORKER_START_FAILED', workerId: 1, exitCode: 3 });
    expect((error as Error).message).toBe('pricing worker #1 exited with code 3 before it was ready');
  });

  it('rejects with DEMO_WORKER_START_FAILED, the thrown error as cause, when the thread throws before it is ready', async () => {
    const error = await start(fixture('throw-before-ready.mjs')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkerStartError);
    expect(error).toMatchObject({ code: 'DEMO_WORKER_START_FAILED', workerId: 1, exitCode: undefined });
    expect((error as Error).message).toBe('pricing worker #1 failed before it was ready: cannot read the rules');
    expect((error as Error).cause).toMatchObject({ message: 'cannot read the rules' });
  });

  it('rejects with the abort reason when the signal aborts before the thread is ready', async () => {
    const controller = new AbortController();
    const reason = new Error('pool closed');
    const started = start(fixture('never-ready.mjs'), controller.signal);
    controller.abort(reason);
    await expect(started).rejects.toBe(reason);
  });
});
