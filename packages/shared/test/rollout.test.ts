import { describe, expect, it } from '@jest/globals';
import { isPatinoxError } from '@patinox/errors';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { ConfigData, Rollout, isInRollout, rolloutBucket, rolloutIssues, type RolloutRule } from '../src/index.js';

interface Flags {
  rollouts: Record<string, RolloutRule>;
}

const keys = Array.from({ length: 2000 }, (_, i) => `user-${i}`);

describe('Rollout', () => {
  it('puts about `percent` % of keys in, stably, and raising the percentage only adds keys', () => {
    expect(rolloutBucket('user-1', 'a')).toBe(rolloutBucket('user-1', 'a'));
    // Pinned: the hash is part of the contract (a key must stay in across releases).
    expect([rolloutBucket('user-1', 'new-checkout'), rolloutBucket('', ''), rolloutBucket('é', 'x')]).toEqual([849, 9405, 2545]);
    let previous = new Set<string>();
    for (const percent of [0, 1, 10, 25, 50, 90, 100]) {
      const inSet = new Set(keys.filter((k) => isInRollout({ percent }, 'f', k)));
      expect(Math.abs(inSet.size / keys.length - percent / 100)).toBeLessThan(0.03);
      for (const k of previous) expect(inSet.has(k)).toBe(true);
      previous = inSet;
    }
    expect(previous.size).toBe(keys.length);
    // A different salt (or flag name) draws an independent population.
    const a = keys.filter((k) => isInRollout({ percent: 50 }, 'a', k));
    const b = new Set(keys.filter((k) => isInRollout({ percent: 50, salt: 'other' }, 'a', k)));
    const overlap = a.filter((k) => b.has(k)).length / a.length;
    expect(overlap).toBeGreaterThan(0.4);
    expect(overlap).toBeLessThan(0.6);
  });

  it('monotonic in percent for any key (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (key, salt, p, q) => {
        const [lo, hi] = p <= q ? [p, q] : [q, p];
        if (isInRollout({ percent: lo, salt }, 'f', key)) expect(isInRollout({ percent: hi, salt }, 'f', key)).toBe(true);
        const bucket = rolloutBucket(key, salt);
        expect(Number.isInteger(bucket) && bucket >= 0 && bucket < 10_000).toBe(true);
      }),
    );
  });

  it('honours include and exclude, treats malformed or missing rules as off, and validates rules', () => {
    const config = new ConfigData<Flags>({ rollouts: { f: { percent: 0, include: ['vip'], exclude: ['banned'] }, all: { percent: 100, exclude: ['banned'] } } });
    const flags = new Rollout(config, (c) => c.rollouts);
    expect(flags.isEnabled('f', 'vip')).toBe(true);
    expect(flags.isEnabled('f', 'user-1')).toBe(false);
    expect(flags.isEnabled('all', 'banned')).toBe(false);
    expect(flags.isEnabled('missing', 'vip')).toBe(false);
    expect(flags.isEnabled('toString', 'vip')).toBe(false);
    expect(isInRollout({ percent: 'x' } as never, 'f', 'k')).toBe(false);
    expect(isInRollout(undefined, 'f', 'k')).toBe(false);
    expect(flags.valueFor('missing', 'k', 'default')).toBe('default');
    expect(rolloutIssues({ ok: { percent: 5 }, bad: { percent: 101 }, worse: { percent: 5, salt: 1, include: [2] }, nope: 3 })).toEqual([
      'rollouts.bad.percent must be a number from 0 to 100, got 101 (number)',
      'rollouts.worse.salt must be a string, got 1 (number)',
      'rollouts.worse.include must be an array of strings, got an array',
      'rollouts.nope must be a rule object, got 3 (number)',
    ]);
    expect(() => flags.isEnabled('f', 1 as never)).toThrow(TypeError);
    expect(() => new Rollout({} as never, () => undefined)).toThrow(/Expected `source` to have a get\(\) method/);
    // A bad rollout is refused by the config's validate before anyone sees it.
    const guarded = new ConfigData<Flags>({ rollouts: { f: { percent: 5 } } }, { validate: (c) => rolloutIssues(c.rollouts) });
    let code: string | undefined;
    try {
      guarded.update({ rollouts: { f: { percent: 500 } } });
    } catch (error) {
      code = isPatinoxError(error) ? error.code : undefined;
    }
    expect(code).toBe('SHARED_CONFIG_INVALID');
    expect(new Rollout(guarded, (c) => c.rollouts).rule('f')).toEqual({ percent: 5 });
    config.close();
    guarded.close();
  });

  it('every worker sees a percentage change at once and agrees with the main thread', async () => {
    const config = new ConfigData<Flags>(
      { rollouts: { 'new-checkout': { percent: 10 }, engine: { percent: 30, value: 'v2', otherwise: 'v1' } } },
      { validate: (c) => rolloutIssues(c.rollouts) },
    );
    const flags = new Rollout(config, (c) => c.rollouts);
    const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'rollout-worker.mjs');
    const workers = [0, 1].map(() => {
      const handle = config.share();
      return new Worker(fixture, { workerData: { config: handle }, transferList: [handle.port] });
    });
    await Promise.all(workers.map((w) => once(w, 'message')));
    const sample = keys.slice(0, 500);
    const ask = async (version: number): Promise<{ version: number; enabled: string[]; engines: string[] }[]> =>
      Promise.all(
        workers.map(async (w) => {
          const reply = once(w, 'message');
          w.postMessage({ version, keys: sample });
          return (await reply)[0] as { version: number; enabled: string[]; engines: string[] };
        }),
      );
    const expected = () => ({ enabled: sample.filter((k) => flags.isEnabled('new-checkout', k)), engines: sample.map((k) => flags.valueFor('engine', k)) });
    const first = await ask(1);
    expect(first.map(({ enabled, engines }) => ({ enabled, engines }))).toEqual([expected(), expected()]);
    const ten = new Set(first[0]!.enabled);
    const version = config.update({ rollouts: { 'new-checkout': { percent: 50 }, engine: { percent: 30, value: 'v2', otherwise: 'v1' } } });
    const second = await ask(version);
    expect(second.map(({ enabled, engines }) => ({ enabled, engines }))).toEqual([expected(), expected()]);
    for (const k of ten) expect(second[0]!.enabled).toContain(k);
    expect(second[0]!.enabled.length).toBeGreaterThan(ten.size * 3);
    const off = config.update({ rollouts: { 'new-checkout': { percent: 0 }, engine: { percent: 30, value: 'v2', otherwise: 'v1' } } });
    expect((await ask(off)).map((r) => r.enabled)).toEqual([[], []]);
    config.close();
    await Promise.all(workers.map((w) => w.terminate()));
  });
});
