import { describe, expect, it } from '@jest/globals';
import { RESOURCE_ALREADY_CLEANED_UP, CleanupError, ResourceRegistry, ResourceScope, RESOURCE_SCOPE_CLEANUP_FAILED, guard } from '../src/index.js';

describe('ResourceScope', () => {
  it('cleans its members in reverse order of creation', async () => {
    const registry = new ResourceRegistry();
    const order: string[] = [];
    {
      await using scope = new ResourceScope({ registry });
      scope.guard('first', (n) => void order.push(n));
      scope.use({ [Symbol.dispose]: () => void order.push('second') });
      scope.use(guard('third', async (n) => void order.push(n), { registry }));
      scope.defer(() => order.push('fourth'));
      expect(scope.size).toBe(4);
      expect(registry.stats().active).toBe(4);
    }
    expect(order).toEqual(['fourth', 'third', 'second', 'first']);
    expect(registry.stats().active).toBe(0);
  });

  it('reports every member failure together and still cleans the rest', async () => {
    const registry = new ResourceRegistry();
    const scope = new ResourceScope({ registry, name: 'request' });
    const cleaned: string[] = [];
    scope.guard('a', (n) => void cleaned.push(n));
    scope.guard('b', () => {
      throw new Error('b broke');
    });
    scope.guard('c', () => Promise.reject(new Error('c broke')));
    const error = (await scope.cleanup().catch((e: unknown) => e)) as CleanupError;
    expect(error).toBeInstanceOf(CleanupError);
    expect(error.code).toBe(RESOURCE_SCOPE_CLEANUP_FAILED);
    expect(error.context).toEqual({ scope: 'request', failed: 2, total: 3 });
    expect(error.cause).toBeInstanceOf(AggregateError);
    const causes = (error.cause as AggregateError).errors as CleanupError[];
    expect(causes.map((e) => (e.cause as Error).message)).toEqual(['c broke', 'b broke']);
    expect(cleaned).toEqual(['a']);
    await expect(scope.cleanup()).rejects.toBe(error);
  });

  it('skips members handed back with intoInner', async () => {
    const registry = new ResourceRegistry();
    const cleaned: number[] = [];
    const scope = new ResourceScope({ registry });
    const keep = scope.guard(1, (n) => void cleaned.push(n));
    scope.guard(2, (n) => void cleaned.push(n));
    expect(keep.intoInner()).toBe(1);
    await scope.cleanup();
    expect(cleaned).toEqual([2]);
  });

  it('refuses new members once cleaned up, leaving the resource with the caller', async () => {
    const registry = new ResourceRegistry();
    const scope = new ResourceScope({ registry });
    await scope[Symbol.asyncDispose]();
    expect(scope.isCleanedUp).toBe(true);
    expect(() => scope.guard(1, () => undefined)).toThrow(expect.objectContaining({ code: RESOURCE_ALREADY_CLEANED_UP }));
    expect(() => scope.defer(() => undefined)).toThrow(expect.objectContaining({ code: RESOURCE_ALREADY_CLEANED_UP }));
    expect(() => scope.use({ [Symbol.dispose]() {} })).toThrow(expect.objectContaining({ code: RESOURCE_ALREADY_CLEANED_UP }));
    expect(registry.stats().created).toBe(0);
  });

  it('validates its input', () => {
    expect(() => new ResourceScope({ name: 1 as never })).toThrow(TypeError);
    expect(() => new ResourceScope({ registry: {} as never })).toThrow(/`registry` to be a ResourceRegistry/);
    expect(() => new ResourceScope().defer('x' as never)).toThrow('Expected `fn` to be a function, got "x" (string)');
    expect(() => new ResourceScope().use({} as never)).toThrow(TypeError);
  });
});
