import { describe, expect, it } from '@jest/globals';
import { PatinoxError, isPatinoxError } from '@patinox/errors';
import {
  RESOURCE_ALREADY_CLEANED_UP,
  AsyncResourceGuard,
  RESOURCE_CLEANUP_FAILED,
  CleanupError,
  RESOURCE_TAKEN,
  ResourceRegistry,
  ResourceStateError,
  defaultRegistry,
  guard,
  isResourceGuard,
} from '../src/index.js';

describe('AsyncResourceGuard', () => {
  it('gives access to the resource until cleanup, then cleans it exactly once', async () => {
    const registry = new ResourceRegistry();
    const calls: string[] = [];
    const g = guard({ fd: 3 }, (r) => void calls.push(`close ${r.fd}`), { registry });
    expect(g.get()).toEqual({ fd: 3 });
    expect(g.state).toBe('active');
    expect(g.isCleanedUp).toBe(false);
    await g.cleanup();
    await g.cleanup();
    expect(calls).toEqual(['close 3']);
    expect(g.isCleanedUp).toBe(true);
    expect(g.state).toBe('cleaned');
    expect(registry.stats()).toMatchObject({ active: 0, created: 1, cleaned: 1 });
  });

  it('shares one run between concurrent cleanup calls', async () => {
    const registry = new ResourceRegistry();
    let runs = 0;
    let finish!: () => void;
    const g = guard('conn', () => {
      runs += 1;
      return new Promise<void>((resolve) => (finish = resolve));
    }, { registry });
    const a = g.cleanup();
    const b = g.cleanup();
    expect(g.state).toBe('cleaning');
    expect(registry.list()[0]?.state).toBe('cleaning');
    finish();
    await Promise.all([a, b]);
    expect(runs).toBe(1);
    expect(g.state).toBe('cleaned');
  });

  it('cleans up at the end of an await using block', async () => {
    const registry = new ResourceRegistry();
    const closed: number[] = [];
    {
      await using g = guard(7, async (n) => void closed.push(n), { registry });
      expect(g.get()).toBe(7);
    }
    expect(closed).toEqual([7]);
  });

  it('hands the resource back with intoInner and never cleans it', async () => {
    const registry = new ResourceRegistry();
    let cleaned = false;
    const resource = { id: 1 };
    {
      await using g = guard(resource, () => void (cleaned = true), { registry });
      expect(g.intoInner()).toBe(resource);
      expect(g.state).toBe('taken');
      await g.cleanup();
    }
    expect(cleaned).toBe(false);
    expect(registry.stats()).toMatchObject({ active: 0, handedBack: 1, cleaned: 0 });
  });

  it('throws RESOURCE_TAKEN when used after intoInner and RESOURCE_ALREADY_CLEANED_UP after cleanup', async () => {
    const registry = new ResourceRegistry();
    const taken = guard(1, () => undefined, { registry });
    taken.intoInner();
    expect(() => taken.get()).toThrow(expect.objectContaining({ code: RESOURCE_TAKEN, name: 'ResourceStateError' }));
    expect(() => taken.intoInner()).toThrow(ResourceStateError);
    const cleaned = guard(2, () => undefined, { registry });
    await cleaned.cleanup();
    for (const use of [() => cleaned.get(), () => cleaned.intoInner()]) {
      try {
        use();
        throw new Error('expected a throw');
      } catch (error) {
        expect(isPatinoxError(error, RESOURCE_ALREADY_CLEANED_UP)).toBe(true);
      }
    }
  });

  it('rejects with RESOURCE_CLEANUP_FAILED when the cleanup throws synchronously, and keeps that outcome', async () => {
    const registry = new ResourceRegistry();
    const boom = new Error('boom');
    const g = guard(1, () => {
      throw boom;
    }, { registry, name: 'sync-thrower' });
    const error = await g.cleanup().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CleanupError);
    expect(error).toMatchObject({ code: RESOURCE_CLEANUP_FAILED, cause: boom, recovery: 'fail' });
    expect((error as CleanupError).context).toMatchObject({ name: 'sync-thrower', attempts: 1 });
    await expect(g.cleanup()).rejects.toBe(error);
    expect(g.state).toBe('failed');
    expect(registry.stats()).toMatchObject({ active: 0, failed: 1 });
  });

  it('wraps a non-Error rejection in the cause', async () => {
    const registry = new ResourceRegistry();
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the point of the test
    const g = guard(1, () => Promise.reject('nope'), { registry });
    const error = (await g.cleanup().catch((e: unknown) => e)) as CleanupError;
    expect(error.code).toBe(RESOURCE_CLEANUP_FAILED);
    expect(error.cause).toMatchObject({ name: 'NonErrorThrown', value: 'nope' });
  });

  it('treats a thenable whose then throws as a failed cleanup', async () => {
    const registry = new ResourceRegistry();
    const hostile = {
      then() {
        throw new Error('bad then');
      },
    };
    const g = guard(1, () => hostile, { registry });
    await expect(g.cleanup()).rejects.toMatchObject({ code: RESOURCE_CLEANUP_FAILED, cause: { message: 'bad then' } });
  });

  it('handles a thenable that settles synchronously inside then()', async () => {
    const registry = new ResourceRegistry();
    const eager = { then: (onFulfilled: () => void) => onFulfilled() };
    const g = guard(1, () => eager, { registry });
    await g.cleanup();
    expect(g.state).toBe('cleaned');
    const eagerFail = { then: (_: unknown, onRejected: (e: unknown) => void) => onRejected(new Error('sync reject')) };
    const f = guard(2, () => eagerFail, { registry });
    await expect(f.cleanup()).rejects.toMatchObject({ code: RESOURCE_CLEANUP_FAILED });
    expect(f.state).toBe('failed');
    expect(registry.stats()).toMatchObject({ active: 0, cleaned: 1, failed: 1 });
  });

  it('does not retry a failure that is not retryable', async () => {
    const registry = new ResourceRegistry({ maxRetries: 3 });
    let runs = 0;
    const g = guard(1, () => {
      runs += 1;
      throw new PatinoxError('broken', { code: 'X', recovery: 'fail' });
    }, { registry });
    await expect(g.cleanup()).rejects.toMatchObject({ code: RESOURCE_CLEANUP_FAILED });
    expect(runs).toBe(1);
  });

  it('is recognised by its brand, and works with new', async () => {
    const registry = new ResourceRegistry();
    const g = new AsyncResourceGuard('x', () => undefined, { registry });
    expect(isResourceGuard(g)).toBe(true);
    expect(isResourceGuard({})).toBe(false);
    expect(isResourceGuard(null)).toBe(false);
    expect(g.id).toBeGreaterThan(0);
    await g.cleanup();
  });

  it('uses the default registry when none is given', async () => {
    const before = defaultRegistry().stats().created;
    const g = guard(1, () => undefined);
    expect(defaultRegistry().stats().created).toBe(before + 1);
    expect(defaultRegistry()).toBe(defaultRegistry());
    await g.cleanup();
  });
});

describe('guard input validation', () => {
  const registry = new ResourceRegistry();

  it.each([undefined, null, 42, 'close', {}])('throws a TypeError for a cleanup that is %p', (cleanup) => {
    expect(() => guard(1, cleanup as never, { registry })).toThrow(TypeError);
    expect(() => guard(1, cleanup as never, { registry })).toThrow(/Expected `cleanup` to be a function, got/);
  });

  it('throws RangeError for negative, zero, infinite and oversized timeouts', () => {
    for (const timeoutMs of [-1, 0, Infinity, 2 ** 31]) {
      expect(() => guard(1, () => undefined, { registry, timeoutMs })).toThrow(RangeError);
    }
    expect(() => guard(1, () => undefined, { registry, timeoutMs: -1 })).toThrow('Expected `timeoutMs` to be a positive number of ms at most 2147483647, got -1 (number)');
    expect(() => guard(1, () => undefined, { registry, timeoutMs: '5' as never })).toThrow(TypeError);
  });

  it('validates every other option', () => {
    expect(() => guard(1, () => undefined, { registry, priority: 9 as never })).toThrow(/`priority` to be a CleanupPriority/);
    expect(() => guard(1, () => undefined, { registry, sizeBytes: -5 })).toThrow(RangeError);
    expect(() => guard(1, () => undefined, { registry, sizeBytes: 1.5 })).toThrow(RangeError);
    expect(() => guard(1, () => undefined, { registry, name: 5 as never })).toThrow(/`name` to be a string/);
    expect(() => guard(1, () => undefined, { registry, metadata: 'x' as never })).toThrow(/`metadata` to be an object/);
    expect(() => guard(1, () => undefined, { registry: {} as never })).toThrow(/`registry` to be a ResourceRegistry/);
    expect(() => guard(1, () => undefined, 'opts' as never)).toThrow(/`options` to be an object/);
    expect(registry.stats().created).toBe(0);
  });
});
