import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { COLUMNS, fitColumns } from '../src/format.js';
import { PROGRESS_COLUMNS, progressLine } from '../src/progress.js';

describe('progressLine', () => {
  it('fits an 80-column terminal for any request count, rate, latency and rules version the demo accepts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 999 }),
        (total, hitRate, p50Ms, p99Ms, poolUtilization, rulesVersion) => {
          const line = progressLine({ done: total, total, hitRate, p50Ms, p99Ms, poolUtilization, rulesVersion });
          expect(line.length).toBeLessThanOrEqual(PROGRESS_COLUMNS);
          expect(line).toContain(`/${total.toLocaleString('en-US')}`);
        },
      ),
    );
  });

  it('keeps every field of a default run, two spaces apart', () => {
    const line = progressLine({ done: 902_023, total: 1_800_000, hitRate: 0.716, p50Ms: 0.0023, p99Ms: 2.5, poolUtilization: 1, rulesVersion: 2 });
    expect(line).toBe('  902,023/1,800,000  hit 71.6 %  p50 0.0023 ms  p99 2.5 ms  pool 100 %  rules v2');
    expect(line.length).toBeLessThanOrEqual(80);
  });
});

describe('fitColumns', () => {
  it('breaks lines longer than 80 columns at spaces, continuing in the value column', () => {
    const line = `cache     ${'word '.repeat(30).trim()}`;
    const lines = fitColumns(line).split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(COLUMNS);
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {10}word/);
    expect(lines.join(' ').split(/\s+/).join(' ')).toBe(line.split(/\s+/).join(' '));
  });

  it('leaves short lines and a single word longer than a line (a path, a URL) as they are', () => {
    expect(fitColumns('summary\n  short line')).toBe('summary\n  short line');
    const path = `          /${'x'.repeat(100)}`;
    expect(fitColumns(path)).toBe(path);
  });
});
