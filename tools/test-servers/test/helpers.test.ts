import { describe, expect, it } from '@jest/globals';
import { clock, deferred, eventually, HOSTILE_COUNT, HostileRef, hostileValues, resolveHostile } from '../src/index.js';

describe('eventually', () => {
  it('resolves once the condition holds and rejects when the timeout passes first', async () => {
    let calls = 0;
    await eventually(() => (calls += 1) >= 3, { intervalMs: 1 });
    expect(calls).toBe(3);
    await expect(eventually(() => false, { timeoutMs: 10, intervalMs: 1 })).rejects.toThrow('condition not met within 10 ms');
    await expect(eventually(() => Promise.resolve(false), { timeoutMs: 5, intervalMs: 1, message: 'no server' })).rejects.toThrow('no server');
  });
});

describe('clock', () => {
  it('starts at 0 and moves only when advanced, each clock on its own', () => {
    const c = clock();
    const other = clock();
    const now = c.now;
    expect(now()).toBe(0);
    c.advance(250);
    c.advance(0.5);
    expect(now()).toBe(250.5);
    expect(other.now()).toBe(0);
  });
});

describe('deferred', () => {
  it('settles its promise only when resolve or reject is called', async () => {
    const d = deferred<number>();
    let settled = false;
    void d.promise.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    d.resolve(7);
    await expect(d.promise).resolves.toBe(7);
    expect(settled).toBe(true);
    const failed = deferred<number>();
    failed.reject(new Error('load failed'));
    await expect(failed.promise).rejects.toThrow('load failed');
    const gate = deferred();
    gate.resolve();
    await expect(gate.promise).resolves.toBeUndefined();
  });
});

describe('hostileValues', () => {
  it('returns fresh, labelled values including ones that throw on every access', () => {
    const values = hostileValues();
    expect(new Set(values.map((v) => v.label)).size).toBe(values.length);
    const proxy = values.find((v) => v.label === 'a Proxy whose traps throw')!.value as Record<string, unknown>;
    expect(() => proxy.anything).toThrow('hostile get trap');
    const revoked = values.find((v) => v.label === 'a revoked Proxy')!.value as Record<string, unknown>;
    expect(() => revoked.anything).toThrow(TypeError);
    expect(hostileValues()[0]).not.toBe(values[0]);
  });
});

describe('HostileRef', () => {
  it('stands for a hostile value until resolved, alone or as a field of a plain object', () => {
    const last = new HostileRef(HOSTILE_COUNT - 1);
    expect(String(last)).toBe(hostileValues().at(-1)!.label);
    expect(resolveHostile(new HostileRef(0))).toBeNaN();
    const bag = resolveHostile({ a: new HostileRef(0), b: 2, c: undefined }) as Record<string, unknown>;
    expect(Object.keys(bag)).toEqual(['a', 'b']);
    expect(bag.a).toBeNaN();
    expect(resolveHostile(5)).toBe(5);
  });
});
