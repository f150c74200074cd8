import { describe, expect, it } from '@jest/globals';
import { RESOURCE_CLEANUP_FAILED, ResourceRegistry, guard } from '../src/index.js';

/** Values a cleanup may throw or reject with, each of which once left a resource active forever. */
function hostileThrowables(): [string, () => unknown][] {
  return [
    ['an object whose message getter throws', () => Object.create(Error.prototype, { message: { get: () => { throw new Error('getter'); } } }) as unknown],
    ['an error whose every getter throws', () =>
      Object.create(Error.prototype, {
        message: { get: () => { throw new Error('message'); } },
        name: { get: () => { throw new Error('name'); } },
        stack: { get: () => { throw new Error('stack'); } },
        cause: { get: () => { throw new Error('cause'); } },
      }) as unknown],
    ['a Proxy whose traps throw', () => new Proxy({}, { get: () => { throw new Error('get'); }, getPrototypeOf: () => { throw new Error('proto'); } })],
    ['a revoked Proxy', () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    }],
    ['null', () => null],
    ['undefined', () => undefined],
    ['a string', () => 'plain string'],
    ['a frozen object', () => Object.freeze({ message: Object.freeze({}) })],
    ['a frozen Error', () => Object.freeze(new Error('frozen'))],
    ['a symbol', () => Symbol('thrown')],
  ];
}

describe('a cleanup that throws or rejects with a hostile value', () => {
  it.each(hostileThrowables())('ends as a recorded RESOURCE_CLEANUP_FAILED when it throws %s, never active', async (_label, make) => {
    const registry = new ResourceRegistry({ maxRetries: 0 });
    const g = guard({}, () => { throw make(); }, { registry, name: 'hostile' });
    const error = await g.cleanup().then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: RESOURCE_CLEANUP_FAILED });
    expect(typeof (error as Error).message).toBe('string');
    expect(g.state).toBe('failed');
    expect(registry.list()).toEqual([]);
    expect(registry.stats()).toMatchObject({ active: 0, failed: 1 });
    await registry.shutdown();
  });

  it.each(hostileThrowables())('is reported by shutdown as RESOURCE_CLEANUP_FAILED, not a missed deadline, when it rejects with %s', async (_label, make) => {
    const registry = new ResourceRegistry({ maxRetries: 0 });
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    const g = guard({}, () => Promise.reject(make()), { registry, name: 'hostile' });
    const report = await registry.shutdown({ deadlineMs: 1000 });
    expect(report.failures.map((f) => [f.name, f.code])).toEqual([['hostile', RESOURCE_CLEANUP_FAILED]]);
    expect(g.state).toBe('failed');
    expect(registry.stats()).toMatchObject({ active: 0, failed: 1 });
  });

  it('survives a thenable whose then getter throws or whose then throws', async () => {
    const registry = new ResourceRegistry();
    const badGetter = guard({}, () => Object.defineProperty({}, 'then', { get: () => { throw new Error('then getter'); } }), { registry });
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    const badThen = guard({}, () => ({ then: () => { throw 'then threw'; } }), { registry });
    await expect(badGetter.cleanup()).resolves.toBeUndefined();
    await expect(badThen.cleanup()).rejects.toMatchObject({ code: RESOURCE_CLEANUP_FAILED, message: 'Cleanup of "Object" failed: then threw' });
    expect(registry.stats()).toMatchObject({ active: 0, cleaned: 1, failed: 1 });
    await registry.shutdown();
  });
});
