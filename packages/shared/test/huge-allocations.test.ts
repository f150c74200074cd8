import { describe, expect, it } from '@jest/globals';
import { SharedMap, SharedRegion } from '../src/index.js';
import { thrown } from './thrown.js';

// A size no SharedArrayBuffer can take is the caller's argument, named, not the engine's bare
// "Array buffer allocation failed" / "Invalid array buffer length".

describe('allocations that cannot be made', () => {
  it.each([2 ** 45, 2 ** 53 - 1, 1e300])('SharedRegion.create refuses length %d with a RangeError naming `length`', (length) => {
    const error = thrown(() => SharedRegion.create('Float64Array', length));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/^Expected `length` to fit in memory/);
  });

  it.each([2 ** 40, 2 ** 45])('SharedMap.create refuses capacity %d with a RangeError naming `capacity`', (capacity) => {
    const error = thrown(() => SharedMap.create({ capacity }));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/^Expected `capacity` to fit in memory/);
  });
});
