import { describe, expect, it } from '@jest/globals';
import { eventually, hostileValues } from '../src/index.js';

describe('eventually', () => {
  it('resolves once the condition holds and rejects when the timeout passes first', async () => {
    let calls = 0;
    await eventually(() => (calls += 1) >= 3, { intervalMs: 1 });
    expect(calls).toBe(3);
    await expect(eventually(() => false, { timeoutMs: 10, intervalMs: 1 })).rejects.toThrow('condition not met within 10 ms');
    await expect(eventually(() => Promise.resolve(false), { timeoutMs: 5, intervalMs: 1, message: 'no server' })).rejects.toThrow('no server');
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
