import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Monitor, MonitorEvent } from '@patinox/monitor';
import { SHARED_CONFIG_INVALID, SHARED_CONFIG_LOAD_FAILED, ConfigData, type ConfigSnapshot } from '../src/index.js';

interface Settings {
  poolSize: number;
}

// A monitor that lets a test await the next event of a type instead of sleeping.
class WaitingMonitor implements Monitor {
  readonly events: MonitorEvent[] = [];
  #waiters: { type: string; resolve: (e: MonitorEvent) => void }[] = [];

  record(event: MonitorEvent): void {
    this.events.push(event);
    for (const waiter of this.#waiters.filter((w) => w.type === event.type)) waiter.resolve(event);
    this.#waiters = this.#waiters.filter((w) => w.type !== event.type);
  }

  next(type: string): Promise<MonitorEvent> {
    return new Promise((resolve) => this.#waiters.push({ type, resolve }));
  }
}

function nextVersion<T>(config: ConfigData<T>): Promise<ConfigSnapshot<T>> {
  return new Promise((resolve) => {
    const unsubscribe = config.subscribe((c, version) => {
      unsubscribe();
      resolve({ config: c, version });
    });
  });
}

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'patinox-shared-'));
  file = join(dir, 'settings.json');
});

afterEach(() => {
  jest.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('ConfigData.watchFile', () => {
  it('loads the file, then reloads it on change and on atomic save', async () => {
    writeFileSync(file, JSON.stringify({ poolSize: 2 }));
    const config = new ConfigData<Settings>({ poolSize: 1 }, { validate: (c) => c.poolSize > 0 });
    const watch = await config.watchFile(file, { debounceMs: 5 });
    expect(watch.path).toBe(file);
    expect(config.snapshot()).toEqual({ config: { poolSize: 2 }, version: 2 });

    let next = nextVersion(config);
    writeFileSync(file, JSON.stringify({ poolSize: 3 }));
    expect((await next).config).toEqual({ poolSize: 3 });

    next = nextVersion(config);
    writeFileSync(join(dir, 'settings.json.tmp'), JSON.stringify({ poolSize: 4 }));
    renameSync(join(dir, 'settings.json.tmp'), file);
    expect((await next).config).toEqual({ poolSize: 4 });
    config.close();
  });

  it('folds a burst of writes into one reload of the final content', async () => {
    writeFileSync(file, JSON.stringify({ poolSize: 1 }));
    const config = new ConfigData<Settings>({ poolSize: 1 });
    await config.watchFile(file, { debounceMs: 20 });
    const next = nextVersion(config);
    for (let i = 2; i <= 6; i += 1) writeFileSync(file, JSON.stringify({ poolSize: i }));
    expect(await next).toEqual({ config: { poolSize: 6 }, version: 3 });
    config.close();
  });

  it('waits out the debounce period before reading', async () => {
    writeFileSync(file, JSON.stringify({ poolSize: 1 }));
    const config = new ConfigData<Settings>({ poolSize: 1 });
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    await config.watchFile(file, { debounceMs: 10_000 });
    writeFileSync(file, JSON.stringify({ poolSize: 9 }));
    // The change event arms the debounce timer; nothing is read until it fires.
    while (jest.getTimerCount() === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(config.version).toBe(2);
    const next = nextVersion(config);
    jest.advanceTimersByTime(10_000);
    expect((await next).config.poolSize).toBe(9);
    config.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps the old config and reports when the file is unparsable or invalid', async () => {
    writeFileSync(file, JSON.stringify({ poolSize: 1 }));
    const monitor = new WaitingMonitor();
    const config = new ConfigData<Settings>({ poolSize: 1 }, { monitor, validate: (c) => c.poolSize > 0 || 'poolSize must be > 0' });
    await config.watchFile(file, { debounceMs: 5 });

    let failure = monitor.next('shared.config.reload.failed');
    writeFileSync(file, '{ not json');
    expect((await failure).data).toMatchObject({ code: SHARED_CONFIG_LOAD_FAILED, path: file });
    expect(config.get()).toEqual({ poolSize: 1 });

    failure = monitor.next('shared.config.reload.failed');
    writeFileSync(file, JSON.stringify({ poolSize: -1 }));
    expect((await failure).data).toMatchObject({ code: SHARED_CONFIG_INVALID, error: expect.stringContaining('poolSize must be > 0') });
    expect(config.snapshot()).toEqual({ config: { poolSize: 1 }, version: 2 });

    const next = nextVersion(config);
    writeFileSync(file, JSON.stringify({ poolSize: 5 }));
    expect((await next).config).toEqual({ poolSize: 5 });
    config.close();
  });

  it('reports a throwing parse and a missing file as SHARED_CONFIG_LOAD_FAILED', async () => {
    const monitor = new WaitingMonitor();
    const config = new ConfigData<Settings>({ poolSize: 1 }, { monitor });
    await expect(config.watchFile(join(dir, 'missing.json'))).rejects.toMatchObject({ code: SHARED_CONFIG_LOAD_FAILED });
    writeFileSync(file, 'poolSize=3');
    const watch = await config.watchFile(file, {
      debounceMs: 1,
      parse: (text) => {
        if (!text.startsWith('poolSize=')) throw new Error('bad format');
        return { poolSize: Number(text.slice(9)) };
      },
    });
    expect(config.get().poolSize).toBe(3);
    const failure = monitor.next('shared.config.reload.failed');
    writeFileSync(file, 'size=4');
    expect((await failure).data).toMatchObject({ code: SHARED_CONFIG_LOAD_FAILED });
    watch[Symbol.dispose]();
    watch.close();
    expect(monitor.events.filter((e) => e.type === 'shared.config.reload.failed')[0]?.data).toMatchObject({ initial: true });
    config.close();
  });

  it('stops reloading once closed', async () => {
    writeFileSync(file, JSON.stringify({ poolSize: 1 }));
    writeFileSync(join(dir, 'other.json'), '{}');
    const config = new ConfigData<Settings>({ poolSize: 1 });
    const watch = await config.watchFile(file, { debounceMs: 1 });
    watch.close();
    const second = new ConfigData<Settings>({ poolSize: 1 });
    await second.watchFile(file, { debounceMs: 1 });
    const next = nextVersion(second);
    writeFileSync(join(dir, 'other.json'), '{"x":1}');
    writeFileSync(file, JSON.stringify({ poolSize: 7 }));
    await next;
    expect(config.version).toBe(2);
    expect(second.version).toBe(3);
    second.close();
    config.close();
  });

  it('never keeps the process alive', async () => {
    writeFileSync(file, JSON.stringify({ poolSize: 1 }));
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, [join(fixtures, 'watch-and-forget.mjs'), file], { timeout: 15_000 }, (error, out) => {
        resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? null), stdout: out });
      });
      child.stdin?.end();
    });
    expect(stdout.trim()).toBe('{"watching":2}');
    expect(code).toBe(0);
  });
});
