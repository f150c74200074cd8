import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { ResourceRegistry, guard, installShutdownHooks, type CleanupReport } from '../src/index.js';

describe('installShutdownHooks', () => {
  const installed: { uninstall(): void }[] = [];
  afterEach(() => {
    for (const hooks of installed.splice(0)) hooks.uninstall();
  });

  it('shuts the registry down on a signal, reports, and removes itself', async () => {
    const registry = new ResourceRegistry();
    const cleaned: string[] = [];
    guard('socket', (s) => void cleaned.push(s), { registry });
    const reports: [CleanupReport, string][] = [];
    const before = process.listenerCount('SIGUSR2');
    const hooks = installShutdownHooks({ registry, signals: ['SIGUSR2'], beforeExit: false, exitAfterSignal: false, onReport: (r, t) => reports.push([r, t]) });
    installed.push(hooks);
    expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
    expect(hooks.isInstalled).toBe(true);
    process.emit('SIGUSR2', 'SIGUSR2');
    const report = await hooks.done;
    expect(report).toMatchObject({ cleaned: 1, complete: true });
    expect(cleaned).toEqual(['socket']);
    expect(reports).toEqual([[report, 'SIGUSR2']]);
    await new Promise((r) => setImmediate(r));
    expect(hooks.isInstalled).toBe(false);
    expect(process.listenerCount('SIGUSR2')).toBe(before);
    expect(registry.isShuttingDown).toBe(true);
  });

  it('shuts down on beforeExit and writes unclean resources to stderr by default', async () => {
    const registry = new ResourceRegistry();
    guard('x', () => {
      throw new Error('nope');
    }, { registry, name: 'bad-file' });
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const hooks = installShutdownHooks({ registry, signals: [] });
      installed.push(hooks);
      process.emit('beforeExit', 0);
      process.emit('beforeExit', 0);
      const report = await hooks.done;
      expect(report?.failures.map((f) => f.name)).toEqual(['bad-file']);
      await new Promise((r) => setImmediate(r));
      expect(hooks.isInstalled).toBe(false);
      expect(write).toHaveBeenCalledWith(expect.stringContaining('could not clean 1 resource(s): bad-file (RESOURCE_CLEANUP_FAILED)'));
    } finally {
      write.mockRestore();
    }
  });

  it('survives a throwing onReport and can be uninstalled with using', async () => {
    const registry = new ResourceRegistry();
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      let done: Promise<CleanupReport> | undefined;
      {
        using hooks = installShutdownHooks({ registry, signals: ['SIGUSR2'], exitAfterSignal: false, beforeExit: false, onReport: () => { throw new Error('report broke'); } });
        process.emit('SIGUSR2', 'SIGUSR2');
        done = hooks.done;
      }
      expect(await done).toMatchObject({ complete: true });
      expect(write).toHaveBeenCalledWith(expect.stringContaining('onReport threw'));
    } finally {
      write.mockRestore();
    }
  });

  it('a second signal while shutting down stops waiting', async () => {
    const registry = new ResourceRegistry({ timeoutMs: 50 });
    let finish!: () => void;
    guard('slow', () => new Promise<void>((r) => (finish = r)), { registry });
    const hooks = installShutdownHooks({ registry, signals: ['SIGUSR2'], beforeExit: false, exitAfterSignal: false });
    installed.push(hooks);
    process.emit('SIGUSR2', 'SIGUSR2');
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(hooks.isInstalled).toBe(false);
    finish();
    await hooks.done;
  });

  it('a signal during a beforeExit shutdown joins it instead of cutting it short', async () => {
    const registry = new ResourceRegistry();
    let finish!: () => void;
    const cleanedAt: string[] = [];
    guard('slow', () => new Promise<void>((r) => (finish = r)).then(() => void cleanedAt.push('slow')), { registry });
    const reports: string[] = [];
    const hooks = installShutdownHooks({ registry, signals: ['SIGUSR2'], exitAfterSignal: false, onReport: (_, t) => reports.push(t) });
    installed.push(hooks);
    process.emit('beforeExit', 0);
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(hooks.isInstalled).toBe(true);
    finish();
    await hooks.done;
    await new Promise((r) => setImmediate(r));
    expect(cleanedAt).toEqual(['slow']);
    expect(reports).toEqual(['beforeExit']);
    expect(hooks.isInstalled).toBe(false);
  });

  it('reports a shutdown once, however many hooks or late beforeExit events reach it', async () => {
    const registry = new ResourceRegistry();
    guard('x', () => {
      throw new Error('nope');
    }, { registry, name: 'bad-file' });
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const reports: string[] = [];
      const first = installShutdownHooks({ registry, signals: [], onReport: (_, t) => reports.push(`first ${t}`) });
      const beside = installShutdownHooks({ registry, signals: [], onReport: (_, t) => reports.push(`beside ${t}`) });
      installed.push(first, beside);
      process.emit('beforeExit', 0);
      const report = await first.done;
      expect(await beside.done).toBe(report);
      await new Promise((r) => setImmediate(r));
      // Installed after the shutdown completed (a late hook), with the default onReport that prints.
      const late = installShutdownHooks({ registry, signals: ['SIGUSR2'], exitAfterSignal: false });
      installed.push(late);
      process.emit('beforeExit', 0);
      expect(await late.done).toBe(report);
      const lateSignal = installShutdownHooks({ registry, signals: ['SIGUSR2'], beforeExit: false, exitAfterSignal: false });
      installed.push(lateSignal);
      process.emit('SIGUSR2', 'SIGUSR2');
      expect(await lateSignal.done).toBe(report);
      await new Promise((r) => setImmediate(r));
      expect(reports).toEqual(['first beforeExit']);
      expect(write.mock.calls.filter(([line]) => String(line).includes('could not clean'))).toEqual([]);
      expect([first, beside, late, lateSignal].map((h) => h.isInstalled)).toEqual([false, false, false, false]);
    } finally {
      write.mockRestore();
    }
  });

  it('validates its options', () => {
    expect(() => installShutdownHooks({ signals: 'SIGTERM' as never })).toThrow(/`signals` to be an array of signal names/);
    expect(() => installShutdownHooks({ signals: ['TERM' as never] })).toThrow(TypeError);
    expect(() => installShutdownHooks({ deadlineMs: -5 })).toThrow(RangeError);
    expect(() => installShutdownHooks({ beforeExit: 'no' as never })).toThrow(TypeError);
    expect(() => installShutdownHooks({ exitAfterSignal: 1 as never })).toThrow(TypeError);
    expect(() => installShutdownHooks({ onReport: 3 as never })).toThrow(/`onReport` to be a function/);
    expect(() => installShutdownHooks({ registry: {} as never })).toThrow(/`registry` to be a ResourceRegistry/);
    expect(() => installShutdownHooks(null as never)).toThrow(/`options` to be an object/);
  });
});
