import { describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MemoryMonitor } from '@patinox/monitor';
import { ConfigData, MAX_NOTIFY_ROUNDS, SHARED_CONFIG_UPDATE_LOOP } from '../src/index.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

// Runs the fixture in a worker and takes its one report; a worker that froze is terminated, so a
// regression fails this test (naming the stage) instead of hanging the suite. Both listeners are attached
// at once: a busy main thread can take the report and the exit in one turn, and an 'exit' listener added
// after the report arrived would then wait for an event that already happened.
async function runLoop<R>(mode: string): Promise<R> {
  const worker = new Worker(join(fixtures, 'update-loop-worker.mjs'), { workerData: { mode } });
  const reported = once(worker, 'message');
  const exited = once(worker, 'exit');
  let guard: ReturnType<typeof setTimeout> | undefined;
  let stage = 'report';
  const froze = new Promise<never>((_, reject) => {
    guard = setTimeout(() => reject(new Error(`the ${mode} update loop froze its thread (no ${stage} after 15 s)`)), 15_000);
  });
  try {
    const [report] = (await Promise.race([reported, froze])) as [R];
    // Nothing of ours may keep the thread alive once the config is closed: the worker exits by itself.
    stage = 'exit';
    const [code] = (await Promise.race([exited, froze])) as [number];
    expect(code).toBe(0);
    return report;
  } finally {
    clearTimeout(guard);
    await worker.terminate();
  }
}

interface SyncReport {
  returned: number;
  version: number;
  n: number;
  errors: string[];
  lastSeenByOthers: number;
  failed: (string | undefined)[];
}

interface AsyncReport {
  versionsAtTicks: number[];
  closedAt: number;
  after: number;
}

describe('ConfigData update loops', () => {
  it(`stops a listener that updates on every notification after ${MAX_NOTIFY_ROUNDS} rounds with SHARED_CONFIG_UPDATE_LOOP`, async () => {
    const report = await runLoop<SyncReport>('sync');
    expect(report.returned).toBe(2);
    // Round 1 delivers version 2; each of the rounds 1..MAX−1 adds one version; the update in the last round is refused.
    expect(report.version).toBe(1 + MAX_NOTIFY_ROUNDS);
    expect(report.n).toBe(MAX_NOTIFY_ROUNDS);
    expect(report.errors).toEqual([SHARED_CONFIG_UPDATE_LOOP]);
    expect(report.failed).toEqual([SHARED_CONFIG_UPDATE_LOOP]);
    expect(report.lastSeenByOthers).toBe(report.version);
  });

  it.each(['async', 'async-await', 'iterator'])('keeps timers running beside an %s subscriber that updates on every notification', async (mode) => {
    const report = await runLoop<AsyncReport>(mode);
    // The loop made progress between ticks (it is paced, not stopped) and ended with close().
    expect(report.versionsAtTicks[0]).toBeGreaterThan(1);
    expect(report.versionsAtTicks[2]).toBeGreaterThan(report.versionsAtTicks[0]!);
    expect(report.after).toBe(report.closedAt);
  });

  it('refuses the update in the last round, keeps the last committed configuration and reports it', () => {
    const monitor = new MemoryMonitor();
    const config = new ConfigData({ n: 0 }, { monitor, name: 'loop' });
    const refused: unknown[] = [];
    // Bounded on purpose (stops at 300): on code without the limit this test fails instead of hanging.
    config.subscribe((c) => {
      if (c.n >= 300) return;
      try {
        config.update({ n: c.n + 1 });
      } catch (error) {
        refused.push(error);
      }
    });
    config.update({ n: 1 });
    expect(config.get()).toEqual({ n: MAX_NOTIFY_ROUNDS });
    expect(config.version).toBe(1 + MAX_NOTIFY_ROUNDS);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ code: SHARED_CONFIG_UPDATE_LOOP, recovery: 'fail', context: { name: 'loop', rounds: MAX_NOTIFY_ROUNDS } });
    expect(monitor.events('shared.config.rejected').map((e) => e.data.code)).toEqual([SHARED_CONFIG_UPDATE_LOOP]);
    // The limit is per notification: the next update outside a listener starts afresh.
    expect(config.update({ n: 1000 })).toBe(config.version);
    expect(config.get().n).toBe(1000);
  });

  it('lets a listener update a few times in one notification, in version order', () => {
    const config = new ConfigData({ n: 0 });
    const seen: number[] = [];
    config.subscribe((c) => {
      seen.push(c.n);
      if (c.n < 5) config.update({ n: c.n + 1 });
    });
    config.update({ n: 1 });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it.each([
    ['an async listener', 'async'],
    ['an iterator', 'iterator'],
  ])(`paces %s that updates on each notification to one turn of the event loop per ${MAX_NOTIFY_ROUNDS} deliveries`, async (_label, mode) => {
    const config = new ConfigData({ n: 0 });
    const target = 3 * MAX_NOTIFY_ROUNDS;
    if (mode === 'async') {
      config.subscribe(async (c) => {
        if (c.n < target) config.update({ n: c.n + 1 });
      });
    } else {
      void (async () => {
        for await (const { config: c } of config.subscribe()) {
          if (c.n >= target) break;
          config.update({ n: c.n + 1 });
        }
      })();
    }
    const atNextTurn = new Promise<number>((resolve) => setImmediate(() => resolve(config.get().n)));
    config.update({ n: 1 });
    // Without pacing the whole chain runs in microtasks before any immediate: n would already be the target.
    const n = await atNextTurn;
    expect(n).toBeGreaterThan(1);
    expect(n).toBeLessThan(target);
    while (config.get().n < target) await new Promise((resolve) => setImmediate(resolve));
    expect(config.get().n).toBe(target);
    config.close();
  });
});
