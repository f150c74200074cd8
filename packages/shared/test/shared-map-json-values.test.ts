import { describe, expect, it } from '@jest/globals';
import { SharedMap } from '../src/index.js';
import { thrown } from './thrown.js';

// The json codec's refusals name `value` and keep what JSON.stringify threw as `cause`, whatever threw it:
// a BigInt, a cycle, a toJSON that throws, a Proxy whose traps throw.

describe('SharedMap json values JSON cannot write', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  it.each([
    ['a BigInt', 1n],
    ['a cycle', cyclic],
    ['a toJSON that throws', { toJSON: () => { throw new Error('toJSON boom'); } }],
    ['a Proxy whose traps throw', new Proxy({}, { get: () => { throw new Error('trap boom'); }, ownKeys: () => { throw new Error('trap boom'); } })],
  ])('refuses %s with a TypeError naming `value`, the map unchanged', (_label, value) => {
    const map = SharedMap.create({ capacity: 4 });
    map.set('k', 1);
    const error = thrown(() => map.set('k', value));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^Expected `value` to be JSON-serializable, but serializing it threw: /);
    expect(error.cause).toBeDefined();
    expect(map.get('k')).toBe(1);
    expect(thrown(() => map.update('k', () => value))).toBeInstanceOf(TypeError);
    expect(map.get('k')).toBe(1);
  });
});
