import { describe, expect, it } from '@jest/globals';
import { WindowSizing } from '../src/policies/window-sizing.js';

describe('WindowSizing', () => {
  it('starts with a 1 % window (at least one entry) and 80 % of the rest protected', () => {
    const big = new WindowSizing(1000);
    expect(big.windowMax).toBe(10);
    expect(big.protectedMax).toBe(792);
    const tiny = new WindowSizing(10);
    expect(tiny.windowMax).toBe(1);
    expect(tiny.protectedMax).toBe(7);
  });

  it('accumulates fractional steps and reports a change only when the rounded limit moves', () => {
    const s = new WindowSizing(1000);
    expect(s.resize(0.3)).toBe(false);
    expect(s.windowMax).toBe(10);
    expect(s.resize(0.3)).toBe(true);
    expect(s.windowMax).toBe(11);
    expect(s.protectedMax).toBe(Math.floor(0.8 * 989));
  });

  it('keeps the window within 1 … maxEntries − 1 however far it is pushed', () => {
    const s = new WindowSizing(100);
    s.resize(10_000);
    expect(s.windowMax).toBe(99);
    expect(s.protectedMax).toBe(0);
    expect(s.resize(1)).toBe(false);
    s.resize(-10_000);
    expect(s.windowMax).toBe(1);
    expect(s.protectedMax).toBe(79);
    // Back from the floor at once: the target did not keep the overshoot.
    expect(s.resize(1)).toBe(true);
    expect(s.windowMax).toBe(2);
  });
});
