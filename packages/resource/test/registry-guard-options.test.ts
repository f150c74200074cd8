import { describe, expect, it } from '@jest/globals';
import { CleanupPriority, ResourceRegistry } from '../src/index.js';

// registry.guard() reads the caller's options in place, as guard() does: only the fields it uses, each
// once, and never by copying the bag. Its keys are listed once (for-in, no array) to refuse unknown ones.

function recordingBag(fields: Record<string, unknown>): { bag: object; traps: string[] } {
  const traps: string[] = [];
  const bag = new Proxy(fields, {
    get(target, key, receiver) {
      traps.push(`get ${String(key)}`);
      return Reflect.get(target, key, receiver) as unknown;
    },
    ownKeys(target) {
      traps.push('ownKeys');
      return Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(target, key) {
      traps.push(`getOwnPropertyDescriptor ${String(key)}`);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
  });
  return { bag, traps };
}

describe('registry.guard options', () => {
  it('are read in place, each field it uses once, without copying the bag', async () => {
    const registry = new ResourceRegistry({ trackLeaks: false });
    const other = new ResourceRegistry({ trackLeaks: false });
    const { bag, traps } = recordingBag({ name: 'conn', priority: CleanupPriority.High, sizeBytes: 10, registry: other });
    const guard = registry.guard('r', () => undefined, bag);
    expect(traps.filter((t) => t === 'ownKeys')).toHaveLength(1);
    for (const field of ['name', 'priority', 'sizeBytes']) expect(traps.filter((t) => t === `get ${field}`)).toHaveLength(1);
    expect(traps).not.toContain('get registry');
    // The registry called is the one that tracks it, whatever the bag says.
    expect(registry.list()).toEqual([expect.objectContaining({ id: guard.id, name: 'conn', priority: CleanupPriority.High, sizeBytes: 10 })]);
    expect(other.stats().active).toBe(0);
    await guard.cleanup();
  });

  it('adopt reads them in place too', async () => {
    const registry = new ResourceRegistry({ trackLeaks: false });
    const { bag, traps } = recordingBag({ name: 'file' });
    const guard = registry.adopt({ [Symbol.dispose]() {} }, bag);
    expect(traps.filter((t) => t === 'ownKeys')).toHaveLength(1);
    expect(registry.list().map((r) => r.name)).toEqual(['file']);
    await guard.cleanup();
  });

  it('still validate each field and name the bag when reading it throws', () => {
    const registry = new ResourceRegistry({ trackLeaks: false });
    expect(() => registry.guard('r', () => undefined, { sizeBytes: -1 })).toThrow('Expected `sizeBytes` to be a non-negative integer, got -1 (number)');
    expect(() => registry.guard('r', () => undefined, { priority: 9 as never })).toThrow(TypeError);
    const throwing = Object.defineProperty({}, 'name', { enumerable: true, get: () => { throw new Error('boom'); } });
    expect(() => registry.guard('r', () => undefined, throwing)).toThrow(/Expected `options` to be readable/);
    expect(() => registry.guard('r', 'nope' as never, {})).toThrow('Expected `cleanup` to be a function');
    const { bag } = recordingBag({ name: 'conn', unrelated: 1 });
    expect(() => registry.guard('r', () => undefined, bag)).toThrow(/unknown key `unrelated`/);
    expect(registry.stats().active).toBe(0);
  });
});
