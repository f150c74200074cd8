import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import { MemoryMonitor, type MonitorEvent } from '@patinox/monitor';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LayeredConfig } from '../src/index.js';

interface AppConfig {
  pool: { maxSize: number; idleMs: number };
  cache: { maxEntries: number; ttlMs: number; enabled: boolean };
  region: string;
  tags: string[];
}

const defaults: AppConfig = { pool: { maxSize: 10, idleMs: 30_000 }, cache: { maxEntries: 1000, ttlMs: 60_000, enabled: true }, region: 'eu', tags: [] };
const validate = (c: AppConfig): string[] => [
  ...(c.pool.maxSize > 0 && Number.isInteger(c.pool.maxSize) ? [] : [`pool.maxSize must be a positive integer, got ${c.pool.maxSize}`]),
  ...(c.cache.ttlMs >= 0 ? [] : ['cache.ttlMs must be >= 0']),
];

// A MemoryMonitor whose next event of a type can be awaited, instead of polling for it.
class WaitingMonitor extends MemoryMonitor {
  #waiters: { type: string; resolve: () => void }[] = [];

  override record(event: MonitorEvent): void {
    super.record(event);
    for (const waiter of this.#waiters.filter((w) => w.type === event.type)) waiter.resolve();
    this.#waiters = this.#waiters.filter((w) => w.type !== event.type);
  }

  next(type: string): Promise<void> {
    return new Promise((resolve) => this.#waiters.push({ type, resolve }));
  }
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isPatinoxError(error) ? error.code : String(error);
  }
  return undefined;
}

describe('LayeredConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'patinox-layers-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function standard(env: Record<string, string>, monitor?: MemoryMonitor): LayeredConfig<AppConfig> {
    return new LayeredConfig<AppConfig>({
      name: 'app',
      validate,
      ...(monitor === undefined ? {} : { monitor }),
      layers: [
        { name: 'defaults', values: defaults as unknown as Record<string, unknown> },
        { name: 'file', file: join(dir, 'config.json') },
        { name: 'env-file', file: join(dir, 'config.production.json'), optional: true },
        { name: 'env', prefix: 'APP_', env, vars: { region: 'REGION' } },
      ],
    });
  }

  it('merges defaults → file → environment file → env vars → overrides, and explains every value', () => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ pool: { maxSize: 20 }, cache: { ttlMs: 5000 } }));
    writeFileSync(join(dir, 'config.production.json'), JSON.stringify({ pool: { maxSize: 40 } }));
    const config = standard({ APP_POOL__MAX_SIZE: '50', APP_CACHE__ENABLED: 'false', APP_TAGS: '["a","b"]', REGION: 'us', OTHER: 'x' });
    expect(config.get()).toEqual({ pool: { maxSize: 50, idleMs: 30_000 }, cache: { maxEntries: 1000, ttlMs: 5000, enabled: false }, region: 'us', tags: ['a', 'b'] });
    expect(config.explain('pool.maxSize')).toEqual({
      path: 'pool.maxSize',
      layer: 'env',
      kind: 'env',
      source: 'APP_POOL__MAX_SIZE',
      value: 50,
      shadowed: [
        { layer: 'env-file', kind: 'file', source: join(dir, 'config.production.json'), value: 40 },
        { layer: 'file', kind: 'file', source: join(dir, 'config.json'), value: 20 },
        { layer: 'defaults', kind: 'values', value: 10 },
      ],
    });
    expect(config.explain('cache.ttlMs')).toMatchObject({ layer: 'file', source: join(dir, 'config.json'), value: 5000 });
    expect(config.explain('pool.idleMs')).toMatchObject({ layer: 'defaults', value: 30_000, shadowed: [] });
    expect(config.explain('region')).toMatchObject({ layer: 'env', source: 'REGION', value: 'us' });
    expect(config.explain('nope')).toBeUndefined();

    expect(config.set('pool.maxSize', 64)).toBe(2);
    expect(config.get().pool.maxSize).toBe(64);
    expect(config.explain('pool.maxSize')).toMatchObject({ layer: 'override', kind: 'override', value: 64, shadowed: [{ source: 'APP_POOL__MAX_SIZE' }, {}, {}, {}] });
    config.unset('pool.maxSize');
    expect(config.get().pool.maxSize).toBe(50);
    expect(config.explain('pool.maxSize')).toMatchObject({ layer: 'env' });
    config.close();
  });

  it('validates every change as a whole and keeps the last good configuration and layers', () => {
    writeFileSync(join(dir, 'config.json'), '{}');
    const monitor = new MemoryMonitor();
    const config = standard({}, monitor);
    expect(codeOf(() => config.set('pool.maxSize', 0))).toBe('SHARED_CONFIG_INVALID');
    expect(config.get().pool.maxSize).toBe(10);
    expect(config.explain('pool.maxSize')).toMatchObject({ layer: 'defaults' });
    expect(config.version).toBe(1);
    // The refused override is not kept: a later, valid change does not resurrect it.
    config.set('cache.ttlMs', 1);
    expect(config.get().pool.maxSize).toBe(10);
    writeFileSync(join(dir, 'config.json'), '{ "pool": { "maxSize": -3 } }');
    expect(codeOf(() => config.reload())).toBe('SHARED_CONFIG_INVALID');
    writeFileSync(join(dir, 'config.json'), '{ broken');
    expect(codeOf(() => config.reload())).toBe('SHARED_CONFIG_LOAD_FAILED');
    expect(config.get().pool.maxSize).toBe(10);
    expect(monitor.events().map((e) => e.type)).toEqual(expect.arrayContaining(['shared.config.rejected', 'shared.config.reload.failed']));
    config.close();
  });

  it('refuses an env var that does not coerce or names no field, naming the variable', () => {
    writeFileSync(join(dir, 'config.json'), '{}');
    const errorOf = (env: Record<string, string>): unknown => {
      try {
        standard(env);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(errorOf({ APP_POOL__MAX_SIZE: 'lots' })).toMatchObject({ code: 'SHARED_CONFIG_INVALID', issues: ['APP_POOL__MAX_SIZE must be a number, got "lots"'] });
    expect(errorOf({ APP_CACHE__ENABLED: 'maybe' })).toMatchObject({ issues: ['APP_CACHE__ENABLED must be true/false/1/0, got "maybe"'] });
    expect(errorOf({ APP_POOL__MAX_SIZ: '3' })).toMatchObject({ issues: ['APP_POOL__MAX_SIZ does not name a configuration field'] });
    expect(errorOf({ APP_TAGS: '[nope' })).toMatchObject({ issues: ['APP_TAGS must be JSON, got "[nope"'] });
    // Coerces, but the whole is refused by validate.
    expect(errorOf({ APP_POOL__MAX_SIZE: '2.5' })).toMatchObject({ code: 'SHARED_CONFIG_INVALID', issues: ['pool.maxSize must be a positive integer, got 2.5'] });
    // A reload with a bad variable keeps the old configuration.
    const env: Record<string, string> = { APP_POOL__MAX_SIZE: '7' };
    const config = standard(env);
    env['APP_POOL__MAX_SIZE'] = 'x';
    expect(codeOf(() => config.reload())).toBe('SHARED_CONFIG_INVALID');
    expect(config.get().pool.maxSize).toBe(7);
    env['APP_POOL__MAX_SIZE'] = '8';
    config.reload();
    expect(config.get().pool.maxSize).toBe(8);
    config.close();
  });

  it('fails with SHARED_CONFIG_LOAD_FAILED for a missing required file, and TypeError for malformed layers', () => {
    expect(codeOf(() => standard({}))).toBe('SHARED_CONFIG_LOAD_FAILED');
    expect(codeOf(() => new LayeredConfig({ layers: 'x' as never }))).toMatch(/TypeError: Expected `layers` to be an array/);
    expect(codeOf(() => new LayeredConfig({ layers: [{ nothing: 1 } as never] }))).toMatch(/TypeError: Expected `layers\[0\]` to have/);
    expect(codeOf(() => new LayeredConfig({ layers: [{ values: [] as never }] }))).toMatch(/TypeError: Expected `layers\[0\].values` to be a plain object/);
    expect(codeOf(() => new LayeredConfig({ layers: [{ values: {} }] }).explain(''))).toMatch(/TypeError: Expected `path`/);
  });

  it('reloads when a file layer changes on disk (atomic save), and reports a bad edit without applying it', async () => {
    writeFileSync(join(dir, 'config.json'), '{ "pool": { "maxSize": 11 } }');
    const monitor = new WaitingMonitor();
    const config = standard({}, monitor);
    const watchHandle = config.watch({ debounceMs: 10 });
    const versions: number[] = [];
    const seen = new Promise<void>((resolve) => {
      config.subscribe((c, version) => {
        versions.push(c.pool.maxSize);
        if (version >= 2) resolve();
      });
    });
    writeFileSync(join(dir, 'tmp.json'), '{ "pool": { "maxSize": 12 } }');
    renameSync(join(dir, 'tmp.json'), join(dir, 'config.json'));
    await seen;
    expect(config.get().pool.maxSize).toBe(12);
    expect(config.explain('pool.maxSize')).toMatchObject({ layer: 'file', value: 12 });
    const failed = monitor.next('shared.config.reload.failed');
    writeFileSync(join(dir, 'config.json'), '{ nope');
    await failed;
    expect(config.get().pool.maxSize).toBe(12);
    watchHandle.close();
    config.close();
    expect(config.data.closed).toBe(true);
  });
});

describe('LayeredConfig conventions (issue 17)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'patinox-layers-conv-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('exposes closed and closes with await using', async () => {
    let seen: LayeredConfig | undefined;
    {
      await using config = new LayeredConfig({ name: 'disposed', layers: [{ values: { a: 1 } }] });
      seen = config;
      expect(config.closed).toBe(false);
    }
    expect(seen.closed).toBe(true);
    expect(seen.data.closed).toBe(true);
  });

  it('has a health check: up, degraded while the last reload failed, up again after a good one, down once closed', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ a: 1 }));
    const config = new LayeredConfig({ name: 'health', layers: [{ file }] });
    const check = config.healthCheck();
    expect(check.name).toBe('shared.config:health');
    expect(await check.check(new AbortController().signal)).toMatchObject({ status: 'up' });
    writeFileSync(file, '{ not json');
    expect(codeOf(() => config.reload())).toBe('SHARED_CONFIG_LOAD_FAILED');
    expect(await check.check(new AbortController().signal)).toMatchObject({ status: 'degraded', details: { reloadFailing: true } });
    writeFileSync(file, JSON.stringify({ a: 2 }));
    config.reload();
    expect(await check.check(new AbortController().signal)).toMatchObject({ status: 'up', details: { version: 2 } });
    config.close();
    expect(await check.check(new AbortController().signal)).toMatchObject({ status: 'down' });
  });

  it('refuses a watch debounce a Node timer cannot honour (above 2^31-1 ms, which Node turns into 1 ms)', () => {
    const config = new LayeredConfig({ name: 'debounce', layers: [{ values: { a: 1 } }] });
    expect(() => config.watch({ debounceMs: 2 ** 31 })).toThrow(RangeError);
    config.watch({ debounceMs: 2 ** 31 - 1 }).close();
    config.close();
  });
});
