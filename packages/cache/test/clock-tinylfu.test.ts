import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { PolicyDriver } from './fixtures/policy-driver.js';
import { ClockTinyLfuPolicy } from '../src/policies/clock-tinylfu.js';

/** ClockTinyLfuPolicy driven the way the cache drives it. */
class Driver extends PolicyDriver<ClockTinyLfuPolicy> {
  constructor(max: number, promotionBudget?: number, fixedWindow?: number) {
    super(new ClockTinyLfuPolicy(max + 1, max, promotionBudget, fixedWindow), max);
  }
}

describe('ClockTinyLfuPolicy', () => {
  it('a hit on a window or protected entry reorders nothing: the order changes only when something leaves', () => {
    const d = new Driver(100);
    for (let k = 0; k < 100; k += 1) d.request(k);
    for (let r = 0; r < 3; r += 1) for (let k = 0; k < 100; k += 2) d.request(k);
    const before = d.policy.ranked(100, true);
    for (let k = 0; k < 100; k += 4) d.request(k);
    expect(d.policy.ranked(100, true)).toEqual(before);
  });

  it('promotes a probation entry on its first hit, as W-TinyLFU does', () => {
    const d = new Driver(100);
    for (let k = 0; k < 100; k += 1) d.request(k);
    const { probation, protected: prot } = d.policy.sizes;
    expect(probation).toBeGreaterThan(0);
    const slot = d.policy.ranked(100, false).find((s) => s !== d.slotOf.get(99))!;
    d.policy.hit(slot);
    expect(d.policy.sizes.protected).toBe(prot + 1);
    expect(d.policy.ranked(1, true)).toEqual([slot]);
  });

  it('in a read-only phase promotes at most its budget, then leaves the promotion to the next write', () => {
    // 10,000 entries: the budget is 4,096 promotions per write. Keys 0…9,899 sit in probation, the rest in the window.
    const d = new Driver(10_000);
    for (let k = 0; k < 10_000; k += 1) d.request(k);
    expect(d.policy.sizes).toEqual({ window: 100, probation: 9_900, protected: 0 });
    for (let k = 0; k < 5_000; k += 1) d.request(k);
    expect(d.policy.sizes).toEqual({ window: 100, probation: 9_900 - 4_096, protected: 4_096 });
    // A write resets the budget: the next probation hit promotes at once again.
    d.request(50_000);
    const before = d.policy.sizes.protected;
    d.request(6_000);
    expect(d.policy.sizes.protected).toBe(before + 1);
  });

  it('promotes an entry hit past the budget when the victim search reaches it, before evicting anything', () => {
    const d = new Driver(10_000);
    for (let k = 0; k < 10_000; k += 1) d.request(k);
    // Keys 0…4,999 are hit once each: 4,096 promoted now, 904 (4,096…4,999) left marked at probation's tail.
    for (let k = 0; k < 5_000; k += 1) d.request(k);
    // Newcomers seen three times each beat any key seen twice at admission, so each evicts main's victim.
    for (let k = 20_000; k < 21_000; k += 1) for (let r = 0; r < 3; r += 1) d.request(k);
    let hitKept = 0;
    for (let k = 0; k < 5_000; k += 1) if (d.slotOf.has(k)) hitKept += 1;
    let coldKept = 0;
    for (let k = 5_000; k < 9_900; k += 1) if (d.slotOf.has(k)) coldKept += 1;
    expect(hitKept).toBe(5_000);
    expect(coldKept).toBeLessThan(4_900);
  });

  it('promotes at most 64 marked entries in one victim search, so the first write after a long read-only phase stays short', () => {
    // Budget 0: every probation hit is left marked. Keys 0…9,899 sit in probation; all are read.
    const d = new Driver(10_000, 0);
    for (let k = 0; k < 10_000; k += 1) d.request(k);
    for (let k = 0; k < 9_900; k += 1) d.request(k);
    expect(d.policy.sizes.protected).toBe(0);
    d.request(50_000);
    expect(d.policy.sizes.protected).toBe(64);
    // The next write promotes the next 64.
    d.request(50_001);
    expect(d.policy.sizes.protected).toBe(128);
  });

  it('ranks every resident exactly once, hottest first or coldest first', () => {
    const d = new Driver(50);
    for (let i = 0; i < 2_000; i += 1) d.request((i * 7919) % 120);
    const hot = d.policy.ranked(1_000, true);
    const cold = d.policy.ranked(1_000, false);
    expect(new Set(hot).size).toBe(d.slotOf.size);
    expect(hot).toEqual([...cold].reverse());
    expect(d.policy.ranked(3, true)).toEqual(hot.slice(0, 3));
  });

  it('keeps its segments consistent with the residents under any mix of requests and removals (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        // A budget of 0…3 promotions per write as well as the default (never spent here), so late promotion runs too.
        fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 120 }), fc.boolean()), { maxLength: 600 }),
        (max, budget, ops) => {
          const d = new Driver(max, budget);
          for (const [key, isRemove] of ops) {
            if (isRemove && key % 5 === 0) d.remove(key);
            else d.request(key);
            const { window, probation, protected: prot } = d.policy.sizes;
            expect(window + probation + prot).toBe(d.slotOf.size);
            expect(d.slotOf.size).toBeLessThanOrEqual(max);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('beats lru on a loop larger than the cache and keeps a hot set through a scan', () => {
    const d = new Driver(200);
    for (let r = 0; r < 60; r += 1) for (let k = 0; k < 300; k += 1) d.request(k);
    expect(d.hits / (60 * 300)).toBeGreaterThan(0.3);
    const s = new Driver(100);
    for (let r = 0; r < 20; r += 1) for (let k = 0; k < 50; k += 1) s.request(k);
    for (let k = 1_000; k < 2_000; k += 1) s.request(k);
    let kept = 0;
    for (let k = 0; k < 50; k += 1) if (s.slotOf.has(k)) kept += 1;
    expect(kept).toBeGreaterThanOrEqual(45);
  });
  it('with a fixed window, ghost hits leave it where it was set; resizeWindow moves it and the segments follow', () => {
    // A loop of 1.5× the cache brings rejected window candidates back (ghost hits that grow an adaptive window).
    const adaptive = new Driver(1_000);
    const fixed = new Driver(1_000, undefined, 0.3);
    expect(fixed.policy.windowMax).toBe(300);
    for (let r = 0; r < 20; r += 1) for (let k = 0; k < 1_500; k += 1) {
      adaptive.request(k);
      fixed.request(k);
    }
    expect(adaptive.policy.windowMax).not.toBe(10);
    expect(fixed.policy.windowMax).toBe(300);
    expect(fixed.policy.sizes.window).toBe(300);
    fixed.policy.resizeWindow(0.9);
    expect(fixed.policy.windowMax).toBe(900);
    for (let k = 0; k < 1_500; k += 1) fixed.request(k);
    const { window, probation, protected: prot } = fixed.policy.sizes;
    expect(window).toBe(900);
    expect(prot).toBeLessThanOrEqual(Math.floor(0.8 * 100));
    expect(window + probation + prot).toBe(1_000);
    fixed.policy.resizeWindow(0);
    expect(fixed.policy.windowMax).toBe(1);
    fixed.policy.resizeWindow(2);
    expect(fixed.policy.windowMax).toBe(999);
  });
});
